-- Open data: datasets (CKAN "packages") of the organisations, their tags and DCAT-AP data
-- themes (CKAN "groups"), and their resources (uploaded files or links).

CREATE TABLE datasets (
    id                 TEXT PRIMARY KEY NOT NULL,
    -- URL slug, unique for ever (a deleted dataset keeps its name, as in CKAN).
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
CREATE INDEX datasets_organisation ON datasets (organisation_id, name);
CREATE INDEX datasets_updated ON datasets (updated_at, id);

CREATE TABLE dataset_tags (
    dataset_id  TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (dataset_id, tag)
);
CREATE INDEX dataset_tags_tag ON dataset_tags (tag, dataset_id);

CREATE TABLE dataset_themes (
    dataset_id  TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    theme       TEXT NOT NULL,
    PRIMARY KEY (dataset_id, theme)
);
CREATE INDEX dataset_themes_theme ON dataset_themes (theme, dataset_id);

-- A resource is either a link (`url`) or an uploaded file (`object_key` and its facts).
CREATE TABLE dataset_resources (
    id            TEXT PRIMARY KEY NOT NULL,
    dataset_id    TEXT NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    format        TEXT NOT NULL DEFAULT '',
    media_type    TEXT,
    url           TEXT,
    object_key    TEXT,
    file_name     TEXT,
    size_bytes    BIGINT,
    sha256        TEXT,
    -- First rows and inferred column types of CSV, TSV and JSON uploads.
    preview_json  TEXT,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CHECK ((url IS NULL) <> (object_key IS NULL))
);
CREATE INDEX dataset_resources_dataset ON dataset_resources (dataset_id, position);
