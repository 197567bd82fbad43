//! Change-log retention: the log would otherwise grow forever. Each node records how far its
//! index has applied the log (`index_positions`, by the node id kept in its index folder);
//! a leased pass (one node per period) deletes, in batches, the entries that every *live*
//! node has applied and that are older than `search.change_log_retention_hours`, and keeps
//! the newest deleted position (`change_log_pruned`). A node away longer than
//! `LIVE_WITHIN` does not hold retention back; when it returns and finds the log pruned past
//! its own position, its indexer rebuilds from the tables instead of missing deletions.

use std::time::Duration;

use diesel::prelude::*;
use silkbridge_schema::change_log::Position;
use silkbridge_schema::tables::{change_log, change_log_pruned, index_positions};
use silkbridge_schema::{DbConnection, ids};
use silkbridge_search_index::SearchIndex;

use crate::error::{ApiError, ApiResult};

/// A node that recorded its position within this long counts as live.
pub const LIVE_WITHIN: Duration = Duration::from_secs(3600);
/// Entries deleted per statement.
const BATCH: i64 = 5000;

/// This node's id: made once and kept in its index folder (so a node keeps its id across
/// restarts, and a new folder is a new node).
pub fn node_id(index_dir: &std::path::Path) -> std::io::Result<String> {
    let file = index_dir.join("node-id");
    match std::fs::read_to_string(&file) {
        Ok(id) if !id.trim().is_empty() => Ok(id.trim().to_owned()),
        _ => {
            std::fs::create_dir_all(index_dir)?;
            let id = ids::new_id();
            std::fs::write(&file, &id)?;
            Ok(id)
        }
    }
}

fn applied(index: &SearchIndex) -> ApiResult<Option<Position>> {
    Ok(index
        .commit_state()
        .map_err(ApiError::internal)?
        .position
        .as_deref()
        .and_then(Position::decode))
}

/// Records how far this node's index has applied the log (nothing while it rebuilds).
pub fn record(conn: &mut DbConnection, node: &str, index: &SearchIndex) -> ApiResult<()> {
    let Some(position) = applied(index)? else {
        return Ok(());
    };
    let now = ids::now();
    let updated = diesel::update(index_positions::table.find(node))
        .set((
            index_positions::txid.eq(position.txid),
            index_positions::id.eq(position.id),
            index_positions::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(index_positions::table)
            .values((
                index_positions::node.eq(node),
                index_positions::txid.eq(position.txid),
                index_positions::id.eq(position.id),
                index_positions::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The newest position retention deleted.
pub fn pruned_through(conn: &mut DbConnection) -> ApiResult<Option<Position>> {
    Ok(change_log_pruned::table
        .find(1)
        .select((change_log_pruned::txid, change_log_pruned::id))
        .first::<(i64, i64)>(conn)
        .optional()?
        .map(|(txid, id)| Position { txid, id }))
}

/// Whether the log was pruned past this node's position: its index must be rebuilt.
pub fn fell_behind(conn: &mut DbConnection, index: &SearchIndex) -> ApiResult<bool> {
    Ok(match (applied(index)?, pruned_through(conn)?) {
        (Some(at), Some(pruned)) => at < pruned,
        _ => false,
    })
}

/// Deletes the entries every live node has applied that are older than `retention`;
/// returns how many. Nothing without a live node's position.
pub fn prune(conn: &mut DbConnection, retention: Duration) -> ApiResult<u64> {
    let now = ids::now();
    let live_since = now - chrono::Duration::from_std(LIVE_WITHIN).unwrap_or_default();
    let floor = index_positions::table
        .filter(index_positions::updated_at.gt(live_since))
        .order((index_positions::txid.asc(), index_positions::id.asc()))
        .select((index_positions::txid, index_positions::id))
        .first::<(i64, i64)>(conn)
        .optional()?;
    let Some((floor_txid, floor_id)) = floor else {
        return Ok(0);
    };
    let cutoff = now - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
    let mut deleted = 0;
    loop {
        let batch: Vec<(i64, i64)> = change_log::table
            .filter(
                change_log::txid.lt(floor_txid).or(change_log::txid
                    .eq(floor_txid)
                    .and(change_log::id.le(floor_id))),
            )
            .filter(change_log::created_at.lt(cutoff))
            .order((change_log::txid.asc(), change_log::id.asc()))
            .limit(BATCH)
            .select((change_log::txid, change_log::id))
            .load(conn)?;
        let Some(&(txid, id)) = batch.last() else {
            return Ok(deleted);
        };
        let ids: Vec<i64> = batch.iter().map(|(_, id)| *id).collect();
        silkbridge_schema::write_transaction(conn, |conn| {
            // The marker first: a node checking between the two sees a rebuild it needs.
            let marked = diesel::update(change_log_pruned::table.find(1))
                .set((
                    change_log_pruned::txid.eq(txid),
                    change_log_pruned::id.eq(id),
                    change_log_pruned::pruned_at.eq(now),
                ))
                .execute(conn)?;
            if marked == 0 {
                diesel::insert_into(change_log_pruned::table)
                    .values((
                        change_log_pruned::one.eq(1),
                        change_log_pruned::txid.eq(txid),
                        change_log_pruned::id.eq(id),
                        change_log_pruned::pruned_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            diesel::delete(change_log::table.filter(change_log::id.eq_any(&ids))).execute(conn)?;
            Ok::<_, ApiError>(())
        })?;
        deleted += batch.len() as u64;
        if (batch.len() as i64) < BATCH {
            return Ok(deleted);
        }
    }
}

/// The retention pass's name in `periodic_passes`.
pub const JOB: &str = "search.change_log_retention";
/// How often nodes try the retention pass.
const PERIOD: Duration = Duration::from_secs(3600);

/// Prunes the log if this node holds this period's pass (one node of the cluster does);
/// `None` when another node has it or retention is off.
pub async fn prune_if_due(state: &crate::state::AppState) -> ApiResult<Option<u64>> {
    let hours = state.config.search.change_log_retention_hours;
    if hours == 0 {
        return Ok(None);
    }
    let retention = Duration::from_secs(hours.saturating_mul(3600));
    state
        .read(move |conn| {
            if !crate::leases::claim(conn, JOB, crate::leases::period_for(PERIOD))? {
                return Ok(None);
            }
            prune(conn, retention).map(Some)
        })
        .await
}

/// Tries the retention pass at once and then hourly until `stop` turns true.
pub fn spawn(
    state: crate::state::AppState,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(crate::periodic::run_until_stopped(
        PERIOD,
        stop,
        move || {
            let state = state.clone();
            async move {
                match prune_if_due(&state).await {
                    Ok(None | Some(0)) => {}
                    Ok(Some(deleted)) => tracing::info!(deleted, "change-log entries pruned"),
                    Err(error) => tracing::warn!(%error, "change-log retention failed"),
                }
            }
        },
    ))
}
