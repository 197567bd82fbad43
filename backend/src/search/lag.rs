//! How far this node's index is behind the change log: what `/readyz` and `/metrics` report.
//! A node that is rebuilding, or that has not applied changes other nodes already show,
//! answers searches with less than the cluster holds — a load balancer should not send it
//! searches until it has caught up.

use serde::Serialize;
use silkbridge_schema::DbConnection;
use silkbridge_schema::change_log::{self, Position};
use silkbridge_search_index::SearchIndex;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};

/// The most entries counted (a node further behind reports this many).
pub const COUNTED: i64 = 1000;

/// The index's distance from the change log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct IndexLag {
    /// The index is not built yet or being rebuilt from the database: searches miss what is
    /// not written into it yet.
    pub rebuilding: bool,
    /// Change-log entries not applied yet (counted up to 1,000).
    pub entries: u64,
    /// The age of the oldest of them, in seconds (0 when there are none).
    pub seconds: u64,
}

impl IndexLag {
    /// Why the node should not take searches, if it should not.
    pub fn unready_reason(&self, max_seconds: u64) -> Option<String> {
        if self.rebuilding {
            return Some(
                "the search index is not built yet or being rebuilt from the database".into(),
            );
        }
        (self.entries > 0 && self.seconds > max_seconds).then(|| {
            format!(
                "the search index is {} changes behind, the oldest {} s old (at most {max_seconds} s)",
                self.entries, self.seconds
            )
        })
    }
}

/// Measures the lag: the entries after the index's committed position (or, during a
/// rebuild, after what the tailer applied meanwhile).
pub fn measure(conn: &mut DbConnection, index: &SearchIndex) -> ApiResult<IndexLag> {
    let state = index.commit_state().map_err(ApiError::internal)?;
    let rebuilding = state.position.is_none();
    let from = if rebuilding {
        state.rebuild_tail.or(state.rebuild_target)
    } else {
        state.position
    };
    let pending = match from.as_deref().and_then(Position::decode) {
        Some(position) => change_log::read_after(conn, position, COUNTED)?,
        None => Vec::new(),
    };
    let seconds = pending.first().map_or(0, |oldest| {
        let age = silkbridge_schema::ids::now() - oldest.created_at;
        u64::try_from(age.num_seconds()).unwrap_or(0)
    });
    Ok(IndexLag {
        rebuilding,
        entries: pending.len() as u64,
        seconds,
    })
}
