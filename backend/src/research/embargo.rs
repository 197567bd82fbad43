//! Opens embargoed publications when their date comes. Reads check the date themselves, so
//! this task only makes the opening visible to harvesters (a fresh datestamp) and to search
//! (a change-log entry); running late delays those, never exposes anything early. One node of
//! a cluster runs each pass (`leases`).

use std::time::Duration;

use tokio::sync::watch;

use super::service;
use crate::periodic::run_until_stopped;
use crate::state::AppState;

/// How often the task looks for embargoes that ended.
const PERIOD: Duration = Duration::from_secs(600);

/// The pass's name in `periodic_passes`.
pub const JOB: &str = "research.embargo_release";

/// Opens ended embargoes if this node holds this period's pass (one node of the cluster
/// does); `None` when another node has it.
pub async fn release_if_due(state: &AppState) -> crate::error::ApiResult<Option<usize>> {
    let claimed = state
        .read(|conn| crate::leases::claim(conn, JOB, crate::leases::period_for(PERIOD)))
        .await?;
    if !claimed {
        return Ok(None);
    }
    service::release_embargoes(state).await.map(Some)
}

/// Tries at once and then every ten minutes until `stop` turns true.
pub fn spawn_releaser(state: AppState, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run_until_stopped(PERIOD, stop, move || {
        let state = state.clone();
        async move {
            match release_if_due(&state).await {
                Ok(None | Some(0)) => {}
                Ok(Some(opened)) => tracing::info!(opened, "embargoed publications opened"),
                Err(error) => tracing::warn!(%error, "could not open ended embargoes"),
            }
        }
    }))
}
