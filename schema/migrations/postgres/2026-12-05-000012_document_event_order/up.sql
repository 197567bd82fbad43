-- Document events are polled with `after=<event id>`. Ids are UUIDv7 made before commit, so
-- an event committed late could sort below a cursor already handed out and be skipped for
-- ever. Events now carry a commit-safe position, (txid, seq), read the way the change log is
-- read: ordered by it, and only from transactions older than every one still running.
ALTER TABLE document_events ADD COLUMN txid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE document_events ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint);
ALTER TABLE document_events ADD COLUMN seq BIGINT;
UPDATE document_events AS e
   SET seq = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM document_events) AS o
 WHERE e.id = o.id;
CREATE SEQUENCE document_events_seq OWNED BY document_events.seq;
SELECT setval('document_events_seq', COALESCE((SELECT MAX(seq) FROM document_events), 0) + 1, false);
ALTER TABLE document_events
    ALTER COLUMN seq SET DEFAULT nextval('document_events_seq'),
    ALTER COLUMN seq SET NOT NULL;
CREATE INDEX document_events_position ON document_events (organisation_id, txid, seq);
