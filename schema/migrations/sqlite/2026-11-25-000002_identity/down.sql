DROP TABLE audit_log;
DROP TABLE partners;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE login_attempts;
DROP TABLE user_identities;
