-- Organisation-held signing keys: an organisation may register its own Ed25519 public key and
-- sign its steps itself; the platform then holds no seed for that key (custody
-- 'organisation'), keeps the key's self-signed registration statement, and countersigns the
-- steps signed with it (received time, platform key).
ALTER TABLE signing_keys
    ALTER COLUMN sealed_seed DROP NOT NULL,
    ALTER COLUMN nonce DROP NOT NULL,
    ALTER COLUMN sealing_key_id DROP NOT NULL,
    ADD COLUMN custody TEXT NOT NULL DEFAULT 'platform',
    ADD COLUMN statement TEXT,
    ADD CONSTRAINT signing_keys_custody CHECK (
        (custody = 'platform' AND sealed_seed IS NOT NULL AND nonce IS NOT NULL
            AND sealing_key_id IS NOT NULL AND statement IS NULL)
        OR (custody = 'organisation' AND sealed_seed IS NULL AND nonce IS NULL
            AND sealing_key_id IS NULL AND statement IS NOT NULL)
    );

-- The platform's countersignature of a step an organisation signed itself (JSON: receivedAt,
-- kid, signature); absent for steps signed with platform-held keys.
ALTER TABLE document_steps ADD COLUMN countersignature TEXT;
