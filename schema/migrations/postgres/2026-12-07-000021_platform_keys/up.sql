-- The platform's keys as the data knows them: each key's fingerprint (never the key), recorded
-- the first time a node starts with it. A node whose key file is missing, or holds another
-- key, refuses to start instead of creating a new key the data was never sealed or signed
-- under.
CREATE TABLE platform_keys (
    name         TEXT PRIMARY KEY NOT NULL,
    fingerprint  TEXT NOT NULL,
    recorded_at  TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
