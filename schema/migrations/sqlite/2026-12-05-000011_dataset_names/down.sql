PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE datasets_rebuilt (
    id                 TEXT PRIMARY KEY NOT NULL,
    -- URL slug: unique for ever within the organisation, and among public datasets.
    name               TEXT NOT NULL UNIQUE,
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
CREATE INDEX datasets_organisation ON datasets (organisation_id, name);
CREATE INDEX datasets_updated ON datasets (updated_at, id);
COMMIT;
PRAGMA foreign_keys = ON;
