-- Biometrics: palm-vein templates of subjects that authorised partners enrol, encrypted at
-- rest (AES-256-GCM), never returned by any API. A subject is an opaque id of the partner's.

-- Consent: what the subject agreed to, with whom, until when. Enrolment needs an active one;
-- revoking it erases the subject's templates.
CREATE TABLE biometric_consents (
    id           TEXT PRIMARY KEY NOT NULL,
    partner_id   TEXT NOT NULL REFERENCES partners (id),
    subject_ref  TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    granted_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX biometric_consents_subject ON biometric_consents (partner_id, subject_ref);

-- Templates: the ciphertext and the nonce; the associated data binds it to its id, partner,
-- subject, format and dimension, so a row altered or moved fails authentication.
CREATE TABLE biometric_templates (
    id           TEXT PRIMARY KEY NOT NULL,
    partner_id   TEXT NOT NULL REFERENCES partners (id),
    subject_ref  TEXT NOT NULL,
    format       TEXT NOT NULL CHECK (format IN ('float32', 'binary')),
    dimension    INTEGER NOT NULL,
    vendor       TEXT NOT NULL,
    quality      INTEGER NOT NULL,
    key_id       TEXT NOT NULL,
    nonce        BLOB NOT NULL,
    ciphertext   BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX biometric_templates_subject ON biometric_templates (partner_id, subject_ref);

-- Sharing agreements: the grantee partner may match the owner partner's subjects.
CREATE TABLE biometric_sharing (
    owner_partner_id    TEXT NOT NULL REFERENCES partners (id),
    grantee_partner_id  TEXT NOT NULL REFERENCES partners (id),
    created_at          TIMESTAMP NOT NULL,
    PRIMARY KEY (owner_partner_id, grantee_partner_id)
);

-- A partner's decision threshold per format, set from `silkbridge biometrics evaluate`.
CREATE TABLE biometric_thresholds (
    partner_id  TEXT NOT NULL REFERENCES partners (id),
    format      TEXT NOT NULL CHECK (format IN ('float32', 'binary')),
    threshold   DOUBLE PRECISION NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (partner_id, format)
);
