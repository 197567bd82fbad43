-- Foundation tables: who exists (organisations, users, memberships) and what changed (change_log).
-- Ids are UUID v7 text generated in Rust; timestamps are naive UTC.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY NOT NULL,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    names_json  TEXT NOT NULL DEFAULT '{}',
    kind        TEXT NOT NULL CHECK (kind IN ('agency', 'university', 'operator', 'manufacturer', 'company', 'startup')),
    country     TEXT NOT NULL CHECK (length(country) = 2),
    website     TEXT,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX organisations_country_kind ON organisations (country, kind);

CREATE TABLE users (
    id                 TEXT PRIMARY KEY NOT NULL,
    display_name       TEXT NOT NULL,
    email              TEXT,
    country            TEXT CHECK (country IS NULL OR length(country) = 2),
    is_platform_admin  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);

CREATE TABLE memberships (
    organisation_id  TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('member', 'editor', 'admin')),
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (organisation_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- The outbox: one row per accepted change, written in the same transaction as the change.
-- SQLite serialises writers, so id order is commit order and txid stays 0.
CREATE TABLE change_log (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    txid             BIGINT NOT NULL DEFAULT 0,
    entity_kind      TEXT NOT NULL,
    entity_id        TEXT NOT NULL,
    operation        TEXT NOT NULL CHECK (operation IN ('upsert', 'delete')),
    created_at       TIMESTAMP NOT NULL
);
CREATE INDEX change_log_position ON change_log (txid, id);
