-- One row per periodic pass that must run once for the whole cluster (embargo release, IMEI
-- grace periods): the node that moves `next_due` on with a conditional update runs the pass;
-- `epoch` counts the passes, `holder` names the node that ran the last one.
CREATE TABLE periodic_passes (
    job         TEXT PRIMARY KEY NOT NULL,
    next_due    TIMESTAMP NOT NULL,
    epoch       BIGINT NOT NULL,
    holder      TEXT NOT NULL,
    claimed_at  TIMESTAMP NOT NULL
);
