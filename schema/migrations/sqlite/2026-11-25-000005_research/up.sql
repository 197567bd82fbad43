-- Research: publications of the organisations, their files and their version history.

-- A publication's current content. `ever_open` marks what harvesters have seen: such a
-- publication stays in OAI-PMH as a deleted record after it is withdrawn or restricted.
CREATE TABLE publications (
    id                 TEXT PRIMARY KEY NOT NULL,
    organisation_id    TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    publication_type   TEXT NOT NULL CHECK (publication_type IN ('article', 'conference_paper', 'report', 'thesis', 'book', 'book_chapter', 'dataset_paper', 'preprint')),
    language           TEXT NOT NULL,
    title              TEXT NOT NULL,
    abstract_text      TEXT NOT NULL,
    translations_json  TEXT NOT NULL DEFAULT '{}',
    authors_json       TEXT NOT NULL DEFAULT '[]',
    keywords_json      TEXT NOT NULL DEFAULT '[]',
    subjects_json      TEXT NOT NULL DEFAULT '[]',
    issued             TEXT NOT NULL,
    year               INTEGER NOT NULL,
    venue              TEXT,
    doi                TEXT,
    licence            TEXT NOT NULL,
    access_level       TEXT NOT NULL CHECK (access_level IN ('open', 'organisation', 'embargoed')),
    embargo_until      DATE,
    version            INTEGER NOT NULL,
    ever_open          BOOLEAN NOT NULL DEFAULT FALSE,
    deleted_at         TIMESTAMP,
    created_by         TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
-- OAI-PMH lists by (datestamp, id) among what was ever open: a keyset walk, whatever the depth.
CREATE INDEX publications_oai ON publications (ever_open, updated_at, id);
CREATE INDEX publications_organisation ON publications (organisation_id, updated_at);
CREATE INDEX publications_year ON publications (year, updated_at);
CREATE INDEX publications_embargo ON publications (access_level, embargo_until);
CREATE UNIQUE INDEX publications_doi ON publications (doi) WHERE doi IS NOT NULL AND deleted_at IS NULL;

-- Every language a publication has a title and abstract in, for the language filter.
CREATE TABLE publication_languages (
    publication_id  TEXT NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    lang            TEXT NOT NULL,
    PRIMARY KEY (publication_id, lang)
);
CREATE INDEX publication_languages_lang ON publication_languages (lang, publication_id);

-- Every version of a publication's content, the current one included.
CREATE TABLE publication_versions (
    publication_id  TEXT NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    content_json    TEXT NOT NULL,
    edited_by       TEXT NOT NULL,
    edited_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (publication_id, version)
);

-- Files attached to publications; the bytes live in the object store.
CREATE TABLE publication_files (
    id              TEXT PRIMARY KEY NOT NULL,
    publication_id  TEXT NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    object_key      TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    sha256          TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX publication_files_publication ON publication_files (publication_id);
