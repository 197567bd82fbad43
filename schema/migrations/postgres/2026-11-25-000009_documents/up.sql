-- Documents: e-document exchange between organisations, each transition signed by the acting
-- organisation's key; organisations' signing keys; per-organisation events for webhooks
-- (an outbox) and polling.

-- Ed25519 keys. The private seed is sealed (AES-256-GCM, documents.key) with the key id and
-- organisation as associated data; public keys stay published after rotation.
CREATE TABLE signing_keys (
    kid              TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    algorithm        TEXT NOT NULL CHECK (algorithm = 'EdDSA'),
    public_key       TEXT NOT NULL,
    sealed_seed      BYTEA NOT NULL,
    nonce            BYTEA NOT NULL,
    sealing_key_id   TEXT NOT NULL,
    valid_from       TIMESTAMP NOT NULL,
    valid_until      TIMESTAMP
);
CREATE INDEX signing_keys_organisation ON signing_keys (organisation_id, valid_from);

CREATE TABLE documents (
    id                TEXT PRIMARY KEY NOT NULL,
    sender_id         TEXT NOT NULL REFERENCES organisations (id),
    subject           TEXT NOT NULL,
    document_type     TEXT NOT NULL,
    reference_number  TEXT NOT NULL,
    confidentiality   TEXT NOT NULL CHECK (confidentiality IN ('public', 'internal', 'confidential')),
    state             TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'recalled')),
    -- SHA-256 of the manifest (metadata, recipients, files) fixed when it is sent.
    content_digest    TEXT,
    created_by        TEXT NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX documents_sender ON documents (sender_id, updated_at);

CREATE TABLE document_recipients (
    document_id      TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'delivered', 'accepted', 'rejected', 'signed')),
    reason           TEXT,
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (document_id, organisation_id)
);
CREATE INDEX document_recipients_organisation ON document_recipients (organisation_id, document_id);

CREATE TABLE document_files (
    id            TEXT PRIMARY KEY NOT NULL,
    document_id   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    object_key    TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX document_files_document ON document_files (document_id);

-- The signed history: each step a compact JWS whose payload names the previous step's hash.
CREATE TABLE document_steps (
    document_id   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    action        TEXT NOT NULL,
    actor_id      TEXT NOT NULL,
    recipient_id  TEXT,
    jws           TEXT NOT NULL,
    step_hash     TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (document_id, seq)
);

-- One webhook per organisation; the HMAC secret is sealed like signing keys.
CREATE TABLE document_webhooks (
    organisation_id  TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    sealed_secret    BYTEA NOT NULL,
    nonce            BYTEA NOT NULL,
    sealing_key_id   TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL
);

-- Events for an organisation, written in the transaction of the change (the outbox): polled
-- by its systems, and pushed to its webhook until one delivery succeeds.
CREATE TABLE document_events (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    event_type       TEXT NOT NULL,
    document_id      TEXT NOT NULL,
    payload          TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    delivered_at     TIMESTAMP,
    last_error       TEXT
);
CREATE INDEX document_events_organisation ON document_events (organisation_id, id);
CREATE INDEX document_events_due ON document_events (delivered_at, next_attempt_at);
