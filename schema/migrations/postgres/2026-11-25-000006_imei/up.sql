-- IMEI: the joint device registry of both countries. An IMEI is stored as its number
-- (15 digits fit a 64-bit integer); BIGINT keys.

-- Type allocation codes (first 8 digits): brand, model, device type.
CREATE TABLE imei_tacs (
    tac          INTEGER PRIMARY KEY NOT NULL,
    brand        TEXT NOT NULL,
    model        TEXT NOT NULL,
    device_type  TEXT NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- Resumable TAC imports: how far a file (by its SHA-256) has been applied.
CREATE TABLE imei_tac_imports (
    file_sha256   TEXT PRIMARY KEY NOT NULL,
    records_done  BIGINT NOT NULL,
    finished_at   TIMESTAMP
);

-- One row per IMEI the registry knows: its list status now and who set it.
CREATE TABLE imei_devices (
    imei             BIGINT PRIMARY KEY NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('white', 'grey', 'black')),
    reason           TEXT CHECK (reason IN ('stolen', 'lost', 'counterfeit', 'duplicate_imei', 'customs_unregistered', 'unknown_tac')),
    country          TEXT CHECK (country IN ('UZ', 'AZ')),
    organisation_id  TEXT REFERENCES organisations (id),
    case_reference   TEXT,
    grace_until      TIMESTAMP,
    registered_by    TEXT REFERENCES organisations (id),
    registered_at    TIMESTAMP,
    updated_at       TIMESTAMP NOT NULL
);
-- The status cache loads the listed (non-white) devices only; grace expiry scans greys.
CREATE INDEX imei_devices_listed ON imei_devices (imei) WHERE status <> 'white';
CREATE INDEX imei_devices_grace ON imei_devices (grace_until) WHERE grace_until IS NOT NULL;

-- Every change of every device, never updated or deleted.
CREATE TABLE imei_events (
    id               BIGSERIAL PRIMARY KEY,
    imei             BIGINT NOT NULL,
    at               TIMESTAMP NOT NULL,
    action           TEXT NOT NULL,
    status           TEXT NOT NULL,
    reason           TEXT,
    country          TEXT,
    organisation_id  TEXT,
    actor            TEXT NOT NULL,
    case_reference   TEXT,
    note             TEXT
);
CREATE INDEX imei_events_by_imei ON imei_events (imei, id);

-- Which subscriber identities (IMSI) an IMEI was seen with, by operators' uploads.
CREATE TABLE imei_sightings (
    imei         BIGINT NOT NULL,
    imsi         TEXT NOT NULL,
    operator_id  TEXT NOT NULL REFERENCES organisations (id),
    first_seen   TIMESTAMP NOT NULL,
    last_seen    TIMESTAMP NOT NULL,
    PRIMARY KEY (imei, imsi)
);

-- Who asked about which IMEI, when: every status check and record read. Written in batches
-- (far too many for the hash-chained audit log); see docs/security.md.
CREATE TABLE imei_reads (
    id       BIGSERIAL PRIMARY KEY,
    at       TIMESTAMP NOT NULL,
    actor    TEXT NOT NULL,
    imei     BIGINT NOT NULL,
    channel  TEXT NOT NULL,
    status   TEXT NOT NULL
);
-- Rows of one IMEI come back in id order, which is time order.
CREATE INDEX imei_reads_by_imei ON imei_reads (imei);
