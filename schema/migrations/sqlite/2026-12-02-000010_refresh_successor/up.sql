-- A used refresh token keeps its successor, sealed with a key only the used token's holder
-- can derive, so a second tab that refreshes with it moments later gets the same successor
-- instead of tripping reuse detection (identity/auth.rs).
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed TEXT;
