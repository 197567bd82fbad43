-- Signed checkpoints of the audit chain: the platform's Ed25519 signature over (the chain's
-- length, its head hash, the time). A copy kept outside the database (by the other country's
-- node, an auditor) catches a truncated or rewritten chain that recomputing the hashes alone
-- cannot.
CREATE TABLE audit_checkpoints (
    length     BIGINT PRIMARY KEY NOT NULL,
    head       TEXT NOT NULL,
    signed_at  TIMESTAMP NOT NULL,
    kid        TEXT NOT NULL,
    signature  TEXT NOT NULL
);
