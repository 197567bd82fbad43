-- The webhook outbox becomes the organisation's, shared by every module that tells an
-- organisation's systems something (documents' steps, IMEI cases' sightings and finds): one
-- webhook per organisation, one dispatcher, one signed delivery format. `subject` is the id
-- of what the event is about (a document, a case); `event_type` says which kind it is.
-- The numbering trigger is made again under the new names (SQLite would rewrite its body,
-- but not its name).
DROP TRIGGER document_events_number;
ALTER TABLE document_events RENAME TO organisation_events;
ALTER TABLE organisation_events RENAME COLUMN document_id TO subject;
CREATE TRIGGER organisation_events_number AFTER INSERT ON organisation_events
BEGIN
    UPDATE organisation_events
       SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM organisation_events)
     WHERE rowid = NEW.rowid;
END;
ALTER TABLE document_webhooks RENAME TO organisation_webhooks;
