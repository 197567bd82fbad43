-- Images and documents attached to marketplace listings; the bytes live in the object store.
CREATE TABLE listing_media (
    id            TEXT PRIMARY KEY NOT NULL,
    listing_id    TEXT NOT NULL REFERENCES listings (id) ON DELETE CASCADE,
    object_key    TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX listing_media_listing ON listing_media (listing_id);
