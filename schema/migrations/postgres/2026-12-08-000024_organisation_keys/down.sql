ALTER TABLE document_steps DROP COLUMN countersignature;
DELETE FROM signing_keys WHERE custody = 'organisation';
ALTER TABLE signing_keys
    DROP CONSTRAINT signing_keys_custody,
    DROP COLUMN statement,
    DROP COLUMN custody,
    ALTER COLUMN sealed_seed SET NOT NULL,
    ALTER COLUMN nonce SET NOT NULL,
    ALTER COLUMN sealing_key_id SET NOT NULL;
