-- Organisation-held signing keys: an organisation may register its own Ed25519 public key and
-- sign its steps itself; the platform then holds no seed for that key (custody
-- 'organisation'), keeps the key's self-signed registration statement, and countersigns the
-- steps signed with it (received time, platform key). SQLite cannot drop NOT NULL: the
-- table is rebuilt (nothing references it), columns in PostgreSQL's order.
CREATE TABLE signing_keys_new (
    kid              TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    algorithm        TEXT NOT NULL CHECK (algorithm = 'EdDSA'),
    public_key       TEXT NOT NULL,
    sealed_seed      BLOB,
    nonce            BLOB,
    sealing_key_id   TEXT,
    valid_from       TIMESTAMP NOT NULL,
    valid_until      TIMESTAMP,
    custody          TEXT NOT NULL DEFAULT 'platform',
    statement        TEXT,
    CHECK (
        (custody = 'platform' AND sealed_seed IS NOT NULL AND nonce IS NOT NULL
            AND sealing_key_id IS NOT NULL AND statement IS NULL)
        OR (custody = 'organisation' AND sealed_seed IS NULL AND nonce IS NULL
            AND sealing_key_id IS NULL AND statement IS NOT NULL)
    )
);
INSERT INTO signing_keys_new (kid, organisation_id, algorithm, public_key, sealed_seed, nonce,
        sealing_key_id, valid_from, valid_until)
    SELECT kid, organisation_id, algorithm, public_key, sealed_seed, nonce, sealing_key_id,
        valid_from, valid_until
    FROM signing_keys;
DROP TABLE signing_keys;
ALTER TABLE signing_keys_new RENAME TO signing_keys;
CREATE INDEX signing_keys_organisation ON signing_keys (organisation_id, valid_from);

-- The platform's countersignature of a step an organisation signed itself (JSON: receivedAt,
-- kid, signature); absent for steps signed with platform-held keys.
ALTER TABLE document_steps ADD COLUMN countersignature TEXT;
