//! Periodic passes that must run once per period for the whole cluster, not once per node:
//! each has a row in `periodic_passes`, and a node runs the pass only if its conditional
//! update moves the row's `next_due` on (`WHERE next_due <= now`). The update is atomic on
//! both backends — on PostgreSQL a second node's update waits for the first's row lock and
//! then finds the row no longer due — so exactly one node wins each period, with no
//! transaction held while the pass runs. A node that dies mid-pass loses only that pass:
//! every leased pass is idempotent and the next period's picks up what it left.

use std::time::Duration;

use diesel::prelude::*;
use silkbridge_schema::tables::periodic_passes;
use silkbridge_schema::{DbConnection, ids};

use crate::error::ApiResult;

/// Which node ran a pass, for people reading the table: host name and process id.
fn holder() -> String {
    static HOLDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOLDER
        .get_or_init(|| {
            let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
            format!("{}:{}", host.trim(), std::process::id())
        })
        .clone()
}

/// Claims this period's run of `job`: `true` for exactly one caller per `period` across
/// the cluster. Call outside any transaction.
pub fn claim(conn: &mut DbConnection, job: &str, period: Duration) -> ApiResult<bool> {
    let now = ids::now();
    let exists = periodic_passes::table
        .find(job)
        .select(periodic_passes::job)
        .first::<String>(conn)
        .optional()?
        .is_some();
    if !exists {
        let created = diesel::insert_into(periodic_passes::table)
            .values((
                periodic_passes::job.eq(job),
                periodic_passes::next_due.eq(now),
                periodic_passes::epoch.eq(0_i64),
                periodic_passes::holder.eq(""),
                periodic_passes::claimed_at.eq(now),
            ))
            .execute(conn);
        match created {
            // Another node created it a moment before: the update below decides.
            Ok(_)
            | Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {}
            Err(error) => return Err(error.into()),
        }
    }
    let next = now + chrono::Duration::from_std(period).unwrap_or(chrono::Duration::MAX);
    let claimed = diesel::update(
        periodic_passes::table
            .find(job)
            .filter(periodic_passes::next_due.le(now)),
    )
    .set((
        periodic_passes::next_due.eq(next),
        periodic_passes::epoch.eq(periodic_passes::epoch + 1),
        periodic_passes::holder.eq(holder()),
        periodic_passes::claimed_at.eq(now),
    ))
    .execute(conn)?;
    Ok(claimed == 1)
}

/// The lease period of a pass its nodes try every `tick`: a little shorter, so that the
/// node whose tick comes first after it ends runs the next pass about one tick later.
pub fn period_for(tick: Duration) -> Duration {
    tick - tick / 10
}
