//! Keeps this instance's gallery in step with enrolments and erasures made through other
//! server instances (the database and its change log are shared; galleries are per process).

use std::time::Duration;

use tokio::sync::watch;

use crate::periodic::run_until_stopped;
use crate::state::AppState;

/// How often other instances' changes are picked up.
const PERIOD: Duration = Duration::from_millis(500);

/// Runs until `stop` turns true.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run_until_stopped(PERIOD, stop, move || {
        let runtime = state.biometrics.clone();
        let db = state.db.clone();
        async move {
            if let Err(error) = crate::db::run(&db, move |conn| runtime.follow(conn)).await {
                tracing::warn!(%error, "biometric gallery could not follow the change log");
            }
        }
    }))
}
