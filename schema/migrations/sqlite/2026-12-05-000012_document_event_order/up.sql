-- Document events are polled with `after=<event id>`. Ids are UUIDv7 made before commit, so on
-- PostgreSQL an event committed late could sort below a cursor already handed out and be
-- skipped for ever. Events now carry a commit-safe position, (txid, seq), read the way the
-- change log is read. SQLite serialises writers: txid stays 0 and seq follows insert order.
ALTER TABLE document_events ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE document_events ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE document_events
   SET seq = (SELECT COUNT(*) FROM document_events AS earlier WHERE earlier.id <= document_events.id);
CREATE INDEX document_events_seq ON document_events (seq);
CREATE TRIGGER document_events_number AFTER INSERT ON document_events
BEGIN
    UPDATE document_events
       SET seq = (SELECT COALESCE(MAX(seq), 0) + 1 FROM document_events)
     WHERE rowid = NEW.rowid;
END;
CREATE INDEX document_events_position ON document_events (organisation_id, txid, seq);
