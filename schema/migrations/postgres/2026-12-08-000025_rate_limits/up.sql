-- Rate limits every node of a cluster shares (GCRA): per key, the theoretical arrival time of
-- the next request in microseconds since the epoch, on the database's clock. Unlogged: a
-- crash forgets budgets (everyone starts with a full bucket), which is harmless and saves the
-- write-ahead log one write per limited request.
CREATE UNLOGGED TABLE rate_limits (
    key  TEXT PRIMARY KEY NOT NULL,
    tat  BIGINT NOT NULL
);
