DROP INDEX document_events_position;
ALTER TABLE document_events DROP COLUMN seq;
ALTER TABLE document_events DROP COLUMN txid;
