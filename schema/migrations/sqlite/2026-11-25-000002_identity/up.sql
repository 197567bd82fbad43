-- Identity: federated identities, login attempts, sessions, refresh tokens, partners, audit.

-- A person as known to one country's identity provider. Keyed by (issuer, subject), never by
-- e-mail: e-mail addresses change hands, subjects do not.
CREATE TABLE user_identities (
    issuer         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    country        TEXT NOT NULL,
    person_id      TEXT,
    created_at     TIMESTAMP NOT NULL,
    last_login_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- An authorization request in flight; deleted when its callback arrives (single use).
CREATE TABLE login_attempts (
    state          TEXT PRIMARY KEY NOT NULL,
    country        TEXT NOT NULL,
    pkce_verifier  TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    return_to      TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

-- A signed-in person's session: the family of refresh tokens issued since one login.
CREATE TABLE sessions (
    id                 TEXT PRIMARY KEY NOT NULL,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at         TIMESTAMP NOT NULL,
    last_refreshed_at  TIMESTAMP NOT NULL,
    revoked_at         TIMESTAMP,
    revoked_reason     TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Refresh tokens, stored as SHA-256 of the token; each is used once, then replaced.
CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Machine clients of partner organisations (OAuth2 client_credentials).
CREATE TABLE partners (
    id                     TEXT PRIMARY KEY NOT NULL,
    name                   TEXT NOT NULL,
    organisation_id        TEXT REFERENCES organisations (id) ON DELETE SET NULL,
    client_id              TEXT NOT NULL UNIQUE,
    secret_hash            TEXT NOT NULL,
    scopes                 TEXT NOT NULL,
    rate_limit_per_minute  INTEGER NOT NULL,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    revoked_at             TIMESTAMP
);

-- The platform's audit trail. Every entry carries the hash of the one before it, so a changed
-- or deleted entry breaks the chain at that point.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TIMESTAMP NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    details    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
