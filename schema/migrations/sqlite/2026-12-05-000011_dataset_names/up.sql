-- Dataset names are no longer unique across the whole platform: a private dataset's name
-- must not be confirmed to outsiders by "already in use". A name is unique for ever within its
-- organisation (a deleted dataset keeps its name, as in CKAN) and among datasets that are not
-- private; a private dataset may share its name with another organisation's private dataset.
-- The table is rebuilt (SQLite's documented procedure), foreign keys off while it happens.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE datasets_rebuilt (
    id                 TEXT PRIMARY KEY NOT NULL,
    -- URL slug: unique for ever within the organisation, and among public datasets.
    name               TEXT NOT NULL,
    organisation_id    TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    language           TEXT NOT NULL,
    title              TEXT NOT NULL,
    notes              TEXT NOT NULL DEFAULT '',
    -- {"ru": {"title": …, "notes": …}, …}: the other languages.
    translations_json  TEXT NOT NULL DEFAULT '{}',
    licence_id         TEXT NOT NULL,
    author             TEXT,
    author_email       TEXT,
    maintainer         TEXT,
    maintainer_email   TEXT,
    version            TEXT,
    source_url         TEXT,
    temporal_start     DATE,
    temporal_end       DATE,
    spatial            TEXT,
    frequency          TEXT,
    private            BOOLEAN NOT NULL DEFAULT FALSE,
    state              TEXT NOT NULL CHECK (state IN ('active', 'deleted')),
    -- [["key", "value"], …] in the publisher's order.
    extras_json        TEXT NOT NULL DEFAULT '[]',
    created_by         TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
INSERT INTO datasets_rebuilt SELECT * FROM datasets;
DROP TABLE datasets;
ALTER TABLE datasets_rebuilt RENAME TO datasets;
CREATE UNIQUE INDEX datasets_organisation ON datasets (organisation_id, name);
CREATE UNIQUE INDEX datasets_public_name ON datasets (name) WHERE NOT private;
CREATE INDEX datasets_name ON datasets (name);
CREATE INDEX datasets_updated ON datasets (updated_at, id);
COMMIT;
PRAGMA foreign_keys = ON;
