-- Change-log retention. Each node records how far its search index has applied the log;
-- entries every live node has applied, and older than the retention window, are deleted; the
-- newest deleted position is kept, so a node that was away and finds the log pruned past its
-- own position knows to rebuild its index instead of missing what was deleted.
CREATE TABLE index_positions (
    node        TEXT PRIMARY KEY NOT NULL,
    txid        BIGINT NOT NULL,
    id          BIGINT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE TABLE change_log_pruned (
    one        INTEGER PRIMARY KEY NOT NULL CHECK (one = 1),
    txid       BIGINT NOT NULL,
    id         BIGINT NOT NULL,
    pruned_at  TIMESTAMP NOT NULL
);
