PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE imei_case_links;
DROP TABLE imei_case_events;
DROP TABLE imei_case_devices;
DROP TABLE imei_cases;
CREATE TABLE organisations_rebuilt (
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
INSERT INTO organisations_rebuilt (id, slug, name, names_json, kind, country, website, created_at, updated_at)
    SELECT id, slug, name, names_json, kind, country, website, created_at, updated_at FROM organisations;
DROP TABLE organisations;
ALTER TABLE organisations_rebuilt RENAME TO organisations;
CREATE INDEX organisations_country_kind ON organisations (country, kind);
COMMIT;
PRAGMA foreign_keys = ON;
