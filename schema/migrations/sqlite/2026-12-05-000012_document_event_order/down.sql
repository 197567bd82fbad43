DROP INDEX document_events_position;
DROP TRIGGER document_events_number;
DROP INDEX document_events_seq;
ALTER TABLE document_events DROP COLUMN seq;
ALTER TABLE document_events DROP COLUMN txid;
