-- The expiry purge looks for consents that have expired and are not ended yet, and every 1:N
-- identification asks for those of its partners: both read this index.
CREATE INDEX biometric_consents_lapsing ON biometric_consents (expires_at) WHERE revoked_at IS NULL;
