-- Webhook deliveries that one receiver cannot stall: an event given up after too many
-- attempts or too long is dead-lettered with its reason (and may be redelivered by the
-- organisation's admins); every attempt is logged with its outcome and latency.
ALTER TABLE organisation_events ADD COLUMN dead_at TIMESTAMP;

CREATE TABLE organisation_event_deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    event_id         TEXT NOT NULL REFERENCES organisation_events (id) ON DELETE CASCADE,
    organisation_id  TEXT NOT NULL,
    attempt          INTEGER NOT NULL,
    at               TIMESTAMP NOT NULL,
    outcome          TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed', 'dead')),
    status           INTEGER,
    error            TEXT,
    latency_ms       BIGINT NOT NULL
);
CREATE INDEX organisation_event_deliveries_by_organisation
    ON organisation_event_deliveries (organisation_id, at);
