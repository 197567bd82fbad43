-- The webhook outbox becomes the organisation's, shared by every module that tells an
-- organisation's systems something (documents' steps, IMEI cases' sightings and finds): one
-- webhook per organisation, one dispatcher, one signed delivery format. `subject` is the id
-- of what the event is about (a document, a case); `event_type` says which kind it is.
ALTER TABLE document_events RENAME TO organisation_events;
ALTER TABLE organisation_events RENAME COLUMN document_id TO subject;
ALTER INDEX document_events_organisation RENAME TO organisation_events_organisation;
ALTER INDEX document_events_due RENAME TO organisation_events_due;
ALTER INDEX document_events_position RENAME TO organisation_events_position;
ALTER SEQUENCE document_events_seq RENAME TO organisation_events_seq;
ALTER TABLE document_webhooks RENAME TO organisation_webhooks;
