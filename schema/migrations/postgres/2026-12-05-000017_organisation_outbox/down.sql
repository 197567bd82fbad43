ALTER TABLE organisation_webhooks RENAME TO document_webhooks;
ALTER SEQUENCE organisation_events_seq RENAME TO document_events_seq;
ALTER INDEX organisation_events_position RENAME TO document_events_position;
ALTER INDEX organisation_events_due RENAME TO document_events_due;
ALTER INDEX organisation_events_organisation RENAME TO document_events_organisation;
ALTER TABLE organisation_events RENAME COLUMN subject TO document_id;
ALTER TABLE organisation_events RENAME TO document_events;
