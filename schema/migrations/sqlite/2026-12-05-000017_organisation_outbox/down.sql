ALTER TABLE organisation_webhooks RENAME TO document_webhooks;
DROP TRIGGER organisation_events_number;
ALTER TABLE organisation_events RENAME COLUMN subject TO document_id;
ALTER TABLE organisation_events RENAME TO document_events;
CREATE TRIGGER document_events_number AFTER INSERT ON document_events
BEGIN
    UPDATE document_events
       SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM document_events)
     WHERE rowid = NEW.rowid;
END;
