-- One-time invitations: an administrator hands a link to someone who has never signed in;
-- the person signs in through their country's provider and accepts, which gives them the
-- invited role. Only the SHA-256 of the link's token is kept.
CREATE TABLE invitations (
    id               TEXT PRIMARY KEY NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    organisation_id  TEXT REFERENCES organisations (id) ON DELETE CASCADE,
    role             TEXT,
    platform_admin   BOOLEAN NOT NULL DEFAULT FALSE,
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    expires_at       TIMESTAMP NOT NULL,
    accepted_at      TIMESTAMP,
    accepted_by      TEXT REFERENCES users (id) ON DELETE SET NULL,
    revoked_at       TIMESTAMP
);
CREATE INDEX invitations_organisation ON invitations (organisation_id, created_at);
