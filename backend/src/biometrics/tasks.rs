//! Keeps this instance's gallery in step with enrolments and erasures made through other
//! server instances (the database and its change log are shared; galleries are per process),
//! and ends expired consents (every instance may: each consent is ended once, under its lock).

use std::time::Duration;

use tokio::sync::watch;

use crate::periodic::run_until_stopped;
use crate::state::AppState;

/// How often other instances' changes are picked up.
const PERIOD: Duration = Duration::from_millis(500);

/// Expired consents are purged every this many passes (matching leaves their subjects out
/// meanwhile, so the purge only has to delete templates eventually).
const PURGE_EVERY: u32 = 20;

/// Runs until `stop` turns true.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let mut pass = 0u32;
    tokio::spawn(run_until_stopped(PERIOD, stop, move || {
        let state = state.clone();
        let purge = pass.is_multiple_of(PURGE_EVERY);
        pass = pass.wrapping_add(1);
        async move {
            if purge {
                match super::consents::purge_lapsed_consents(&state).await {
                    Ok(0) => {}
                    Ok(ended) => tracing::info!(ended, "expired biometric consents ended"),
                    Err(error) => tracing::warn!(%error, "expired biometric consents not purged"),
                }
            }
            let runtime = state.biometrics.clone();
            if let Err(error) = crate::db::run(&state.db, move |conn| runtime.follow(conn)).await {
                tracing::warn!(%error, "biometric gallery could not follow the change log");
            }
        }
    }))
}
