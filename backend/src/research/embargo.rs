//! Opens embargoed publications when their date comes. Reads check the date themselves, so
//! this task only makes the opening visible to harvesters (a fresh datestamp) and to search
//! (a change-log entry); running late delays those, never exposes anything early.

use std::time::Duration;

use tokio::sync::watch;

use super::service;
use crate::periodic::run_until_stopped;
use crate::state::AppState;

/// How often the task looks for embargoes that ended.
const PERIOD: Duration = Duration::from_secs(600);

/// Runs at once and then every ten minutes until `stop` turns true.
pub fn spawn_releaser(state: AppState, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run_until_stopped(PERIOD, stop, move || {
        let state = state.clone();
        async move {
            match service::release_embargoes(&state).await {
                Ok(0) => {}
                Ok(opened) => tracing::info!(opened, "embargoed publications opened"),
                Err(error) => tracing::warn!(%error, "could not open ended embargoes"),
            }
        }
    }))
}
