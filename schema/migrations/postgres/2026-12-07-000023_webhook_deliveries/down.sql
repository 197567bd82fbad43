DROP TABLE organisation_event_deliveries;
ALTER TABLE organisation_events DROP COLUMN dead_at;
