//! The IMEI module's background work: following other processes' registry changes into the
//! status cache, turning grey-listed devices black when their grace period ends, and erasing
//! owners' contacts of ended cases once their retention period is over.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::lifecycle;
use crate::periodic::run_until_stopped;
use crate::state::AppState;

/// How often grace periods are checked.
const GRACE_PERIOD_CHECK: Duration = Duration::from_secs(60);
/// The grace-period pass's name in `periodic_passes`.
pub const GRACE_JOB: &str = "imei.grace_periods";

/// Runs until `stop` turns true; at stop, writes the read-audit entries still queued.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let poll = Duration::from_millis(state.config.imei.cache_poll_ms.max(10));
    tokio::spawn(async move {
        let mut last_grace_check: Option<Instant> = None;
        let pass_state = state.clone();
        let retention = i64::from(state.config.imei.case_contact_retention_days);
        run_until_stopped(poll, stop, move || {
            let check_grace = last_grace_check.is_none_or(|at| at.elapsed() >= GRACE_PERIOD_CHECK);
            if check_grace {
                last_grace_check = Some(Instant::now());
                // Forget addresses whose citizen-check budget is full again.
                pass_state.imei.public_limiter.retain_recent();
            }
            let runtime = pass_state.imei.clone();
            let db = pass_state.db.clone();
            async move {
                let work = crate::db::run(&db, move |conn| {
                    let followed = runtime.cache.follow(conn)?;
                    // One node of the cluster runs each grace-period pass.
                    let leased = check_grace
                        && crate::leases::claim(
                            conn,
                            GRACE_JOB,
                            crate::leases::period_for(GRACE_PERIOD_CHECK),
                        )?;
                    let expired = if leased {
                        // The cluster's shared budgets that are full again (PostgreSQL).
                        crate::rate_limits::forget_full(conn)?;
                        if retention > 0 {
                            let cutoff =
                                silkbridge_schema::ids::now() - chrono::Duration::days(retention);
                            silkbridge_schema::write_transaction(conn, |conn| {
                                super::cases::transitions::purge_contacts(conn, cutoff)
                            })?;
                        }
                        lifecycle::expire_grace_periods(conn, &runtime.cache)?
                    } else {
                        0
                    };
                    Ok((followed, expired))
                })
                .await;
                match work {
                    Ok((_, 0)) => {}
                    Ok((_, expired)) => tracing::info!(expired, "grey-listed devices turned black"),
                    Err(error) => tracing::warn!(%error, "IMEI cache or grace-period task failed"),
                }
            }
        })
        .await;
        if !state.imei.reads.drain(Duration::from_secs(10)).await {
            tracing::error!(
                pending = state.imei.reads.pending(),
                "read-audit entries not written at stop"
            );
        }
    })
}
