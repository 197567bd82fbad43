-- Embassies and police forces are organisations of their own kinds.
ALTER TABLE organisations DROP CONSTRAINT organisations_kind_check;
ALTER TABLE organisations ADD CONSTRAINT organisations_kind_check CHECK (kind IN ('agency', 'university', 'operator', 'manufacturer', 'company', 'startup', 'embassy', 'police'));

-- IMEI cases: a lost or stolen phone followed until it is back with its owner (through the
-- owner's country's embassy when it turned up abroad), and devices in crimes and fraud shared
-- between agencies of both countries.
CREATE TABLE imei_cases (
    id               TEXT PRIMARY KEY NOT NULL,
    reference        TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('lost', 'stolen', 'fraud', 'crime')),
    state            TEXT NOT NULL CHECK (state IN ('open', 'located', 'found', 'handed_over', 'closed', 'withdrawn')),
    -- 'agencies': every agency and police force of both countries may read it;
    -- 'restricted': only the organisations working on it.
    confidentiality  TEXT NOT NULL CHECK (confidentiality IN ('agencies', 'restricted')),
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    country          TEXT NOT NULL CHECK (country IN ('UZ', 'AZ')),
    summary          TEXT NOT NULL DEFAULT '',
    -- The owner's contact details, sealed (AES-256-GCM, the case id as associated data);
    -- erased when the case ends.
    contact_key_id   TEXT,
    contact_nonce    BYTEA,
    contact_sealed   BYTEA,
    found_by         TEXT REFERENCES organisations (id),
    found_country    TEXT CHECK (found_country IN ('UZ', 'AZ')),
    held_at          TEXT,
    embassy_id       TEXT REFERENCES organisations (id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    closed_at        TIMESTAMP,
    UNIQUE (organisation_id, reference)
);
CREATE INDEX imei_cases_updated ON imei_cases (updated_at);
CREATE INDEX imei_cases_embassy ON imei_cases (embassy_id) WHERE embassy_id IS NOT NULL;

-- The devices of a case; a device may be on several (a fraud ring and a theft).
CREATE TABLE imei_case_devices (
    case_id  TEXT NOT NULL REFERENCES imei_cases (id) ON DELETE CASCADE,
    imei     BIGINT NOT NULL,
    PRIMARY KEY (case_id, imei)
);
CREATE INDEX imei_case_devices_imei ON imei_case_devices (imei);

-- What happened to a case, never updated or deleted: transitions, sightings abroad, links.
-- A sighting names the operator and its country, never the subscriber (no IMSI is kept).
CREATE TABLE imei_case_events (
    id               TEXT PRIMARY KEY NOT NULL,
    case_id          TEXT NOT NULL REFERENCES imei_cases (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL,
    actor            TEXT NOT NULL,
    organisation_id  TEXT REFERENCES organisations (id),
    country          TEXT,
    imei             BIGINT,
    note             TEXT,
    at               TIMESTAMP NOT NULL
);
CREATE INDEX imei_case_events_case ON imei_case_events (case_id, at);

-- Cases an agency has linked (a batch of counterfeit devices, a fraud ring's handsets);
-- stored once per pair, smaller id first.
CREATE TABLE imei_case_links (
    case_id         TEXT NOT NULL REFERENCES imei_cases (id) ON DELETE CASCADE,
    linked_case_id  TEXT NOT NULL REFERENCES imei_cases (id) ON DELETE CASCADE,
    linked_by       TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (case_id, linked_case_id)
);
CREATE INDEX imei_case_links_linked ON imei_case_links (linked_case_id);
