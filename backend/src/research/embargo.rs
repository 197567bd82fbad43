//! Opens embargoed publications when their date comes. Reads check the date themselves, so
//! this task only makes the opening visible to harvesters (a fresh datestamp) and to search
//! (a change-log entry); running late delays those, never exposes anything early.

use std::time::Duration;

use tokio::sync::watch;

use super::service;
use crate::state::AppState;

/// How often the task looks for embargoes that ended.
const PERIOD: Duration = Duration::from_secs(600);

/// Runs at once and then every ten minutes until `stop` turns true.
pub fn spawn_releaser(
    state: AppState,
    mut stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match state.write(service::release_embargoes).await {
                Ok(0) => {}
                Ok(opened) => tracing::info!(opened, "embargoed publications opened"),
                Err(error) => tracing::warn!(%error, "could not open ended embargoes"),
            }
            tokio::select! {
                _ = tokio::time::sleep(PERIOD) => {}
                _ = stop.changed() => break,
            }
        }
    })
}
