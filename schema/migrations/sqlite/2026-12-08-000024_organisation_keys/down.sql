ALTER TABLE document_steps DROP COLUMN countersignature;
DELETE FROM signing_keys WHERE custody = 'organisation';
CREATE TABLE signing_keys_old (
    kid              TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    algorithm        TEXT NOT NULL CHECK (algorithm = 'EdDSA'),
    public_key       TEXT NOT NULL,
    sealed_seed      BLOB NOT NULL,
    nonce            BLOB NOT NULL,
    sealing_key_id   TEXT NOT NULL,
    valid_from       TIMESTAMP NOT NULL,
    valid_until      TIMESTAMP
);
INSERT INTO signing_keys_old
    SELECT kid, organisation_id, algorithm, public_key, sealed_seed, nonce, sealing_key_id,
        valid_from, valid_until
    FROM signing_keys;
DROP TABLE signing_keys;
ALTER TABLE signing_keys_old RENAME TO signing_keys;
CREATE INDEX signing_keys_organisation ON signing_keys (organisation_id, valid_from);
