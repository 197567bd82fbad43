-- The files a startup attaches to its application (a pitch deck, financials): one per `file`
-- question of the programme's form, replaced by a new upload, readable by whoever may read
-- the application. The object itself is in the object store under `object_key`.
CREATE TABLE hub_application_files (
    application_id  TEXT NOT NULL REFERENCES hub_applications (id) ON DELETE CASCADE,
    question_id     TEXT NOT NULL,
    object_key      TEXT NOT NULL UNIQUE,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256          TEXT NOT NULL,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (application_id, question_id)
);
