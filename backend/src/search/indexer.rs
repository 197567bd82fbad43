//! The tailer: applies change-log entries to the index, committing the new position with the
//! documents, so a crash between the two is impossible.

use std::ops::ControlFlow;
use std::time::Duration;

use silkbridge_schema::DbConnection;
use silkbridge_schema::change_log::{self, Position};
use silkbridge_search_index::{CommitState, SCHEMA_VERSION, SearchIndex};
use tokio::sync::watch;

use super::{REBUILD_BATCH, rebuild, sources};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const BATCH: i64 = 500;

/// One application of the log at a time in this process (the indexer task, writes that want
/// their change searchable before they answer, and each batch of a rebuild, so that a batch
/// read before a change cannot be written over the change once it is applied).
static APPLYING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds the one-application lock.
pub(super) fn applying() -> std::sync::MutexGuard<'static, ()> {
    APPLYING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Applies every entry after the index's committed position; returns how many it applied.
/// During a rebuild it applies the entries after the rebuild's starting point, recording how
/// far it got beside the rebuild's own progress, so nothing waits for the rebuild to end.
pub fn apply_pending(conn: &mut DbConnection, index: &SearchIndex) -> ApiResult<u64> {
    let _one_at_a_time = applying();
    let mut state = index.commit_state().map_err(ApiError::internal)?;
    let rebuilding = state.position.is_none();
    let from = if rebuilding {
        state
            .rebuild_tail
            .as_deref()
            .or(state.rebuild_target.as_deref())
    } else {
        state.position.as_deref()
    };
    let Some(mut position) = from.and_then(Position::decode) else {
        return Ok(0);
    };
    let mut applied = 0;
    loop {
        let entries = change_log::read_after(conn, position, BATCH)?;
        let Some(last) = entries.last() else {
            return Ok(applied);
        };
        let next = last.position();
        for entry in &entries {
            match sources::document(conn, &entry.entity_kind, &entry.entity_id)? {
                Some(document) => index.upsert(&document).map_err(ApiError::internal)?,
                None => index.delete(&entry.entity_kind, &entry.entity_id),
            }
        }
        if rebuilding {
            state.rebuild_tail = Some(next.encode());
        } else {
            state = CommitState {
                schema_version: SCHEMA_VERSION,
                position: Some(next.encode()),
                ..CommitState::default()
            };
        }
        index.commit(&state).map_err(ApiError::internal)?;
        applied += entries.len() as u64;
        position = next;
    }
}

/// Makes this process's latest writes searchable before returning, as CKAN indexes a
/// package before its write action answers. A failure is logged, never the writer's error:
/// the background indexer catches up anyway.
pub async fn index_now(state: &AppState) {
    let state = state.clone();
    let outcome = tokio::task::spawn_blocking(move || -> ApiResult<u64> {
        let mut conn = state.db.connection()?;
        apply_pending(&mut conn, &state.index)
    })
    .await;
    match outcome {
        Ok(Ok(_)) => {}
        Ok(Err(error)) => error.log(None),
        Err(join_error) => tracing::error!(%join_error, "indexing a write panicked"),
    }
}

/// One pass of the indexer: a rebuild first if the index has never been filled and
/// `fill_if_empty` (new, replaced or interrupted), or if the change log was pruned past its
/// position while this node was away; then every pending entry. Returns how many entries it
/// applied. Blocking.
pub fn index_pass(
    state: &AppState,
    fill_if_empty: bool,
    stop: &dyn Fn() -> bool,
) -> ApiResult<u64> {
    let index = &state.index;
    let empty = index
        .commit_state()
        .map_err(ApiError::internal)?
        .position
        .is_none();
    let fell_behind = {
        let mut conn = state.db.connection()?;
        super::retention::fell_behind(&mut conn, index)?
    };
    if fell_behind {
        tracing::warn!("the change log was pruned past this node's index; rebuilding it");
        super::abandon_rebuild(index).map_err(ApiError::internal)?;
        let mut state_now = index.commit_state().map_err(ApiError::internal)?;
        // Forget the position too: the rebuild starts over from the tables.
        state_now.position = None;
        index.commit(&state_now).map_err(ApiError::internal)?;
    }
    if (fill_if_empty && empty) || fell_behind {
        tracing::info!("search index is empty, incomplete or behind; rebuilding from the database");
        let outcome = rebuild(&state.db, index, REBUILD_BATCH, &mut |_| {
            if stop() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })?;
        tracing::info!(?outcome, "search index rebuild ended");
    }
    let mut conn = state.db.connection()?;
    apply_pending(&mut conn, index)
}

/// Starts the background task that keeps the index in step (`index_pass`), woken by writes
/// or by the poll interval, recording its position for change-log retention at most once a
/// minute. Stops when `shutdown` turns true.
pub fn spawn_indexer(
    state: AppState,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let poll = Duration::from_millis(state.config.search.poll_interval_ms.max(10));
        let mut needs_rebuild = true;
        let mut recorded: Option<std::time::Instant> = None;
        loop {
            let step_state = state.clone();
            let rebuild_now = needs_rebuild;
            let stop = shutdown.clone();
            let record_now = recorded.is_none_or(|at| at.elapsed() >= Duration::from_secs(60));
            let outcome = tokio::task::spawn_blocking(move || -> ApiResult<u64> {
                let applied = index_pass(&step_state, rebuild_now, &|| *stop.borrow())?;
                if record_now {
                    let mut conn = step_state.db.connection()?;
                    super::retention::record(&mut conn, &step_state.node_id, &step_state.index)?;
                }
                Ok(applied)
            })
            .await;
            if record_now && matches!(outcome, Ok(Ok(_))) {
                recorded = Some(std::time::Instant::now());
            }
            match outcome {
                Ok(Ok(applied)) => {
                    needs_rebuild = false;
                    if applied > 0 {
                        state
                            .metrics
                            .index_applied
                            .add(i64::try_from(applied).unwrap_or(i64::MAX));
                    }
                }
                Ok(Err(error)) => error.log(None),
                Err(join_error) => tracing::error!(%join_error, "indexer step panicked"),
            }
            tokio::select! {
                _ = state.index_wakeup.notified() => {}
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                tracing::info!("indexer stopped");
                return;
            }
        }
    })
}
