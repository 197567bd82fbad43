-- Rate limits every node of a cluster shares (GCRA), used on PostgreSQL; an embedded SQLite
-- node keeps its budgets in memory. The table exists on both so the schema is one.
CREATE TABLE rate_limits (
    key  TEXT PRIMARY KEY NOT NULL,
    tat  BIGINT NOT NULL
);
