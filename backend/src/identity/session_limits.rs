//! How long a person's session may last: an idle timeout (no refresh for a while) checked when
//! a refresh token is presented, and an absolute timeout after sign-in checked on every request
//! and every refresh. Either ends the session for good; the person signs in again.

use silkbridge_schema::models::Session;

use crate::state::AppState;

/// The idle and absolute session timeouts.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    idle: chrono::Duration,
    absolute: chrono::Duration,
}

impl SessionLimits {
    pub fn of(state: &AppState) -> Self {
        let identity = &state.config.identity;
        let ttl = |secs: u64| i64::try_from(secs).unwrap_or(i64::MAX / 2);
        Self {
            idle: chrono::Duration::seconds(ttl(identity.session_idle_ttl_secs)),
            absolute: chrono::Duration::seconds(ttl(identity.session_absolute_ttl_secs)),
        }
    }

    /// Why the session is over at `now`, if it is.
    pub fn ended(&self, session: &Session, now: chrono::NaiveDateTime) -> Option<&'static str> {
        if now - session.created_at > self.absolute {
            Some("absolute timeout")
        } else if now - session.last_refreshed_at > self.idle {
            Some("idle timeout")
        } else {
            None
        }
    }

    /// Sessions opened before this have reached the absolute timeout.
    pub fn opened_after(&self, now: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
        now - self.absolute
    }
}
