//! The full rebuild: every indexed item, read from the database. Resumable: progress is in
//! the index's commit payload, so an interrupted rebuild continues where it stopped.

use std::ops::ControlFlow;

use silkbridge_schema::Database;
use silkbridge_schema::change_log;
use silkbridge_search_index::{CommitState, SCHEMA_VERSION, SearchIndex};

use super::sources;
use crate::error::{ApiError, ApiResult};

/// Items read from the database per batch of a rebuild.
pub const REBUILD_BATCH: i64 = 1_000;

/// Documents written between commits of a rebuild.
const COMMIT_EVERY: u64 = 50_000;

/// What a rebuild reports as it goes.
#[derive(Debug, Clone, Copy)]
pub struct RebuildProgress {
    pub done: u64,
    pub total: u64,
    /// True when this call continued an interrupted rebuild.
    pub resumed: bool,
}

/// How a rebuild call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebuildOutcome {
    /// Every item is indexed and the index has its change-log position.
    Complete { written: u64 },
    /// `report` asked to stop; the next call resumes after the last committed batch.
    Interrupted { written: u64 },
}

/// Rebuilds the index from the database in batches of `batch` items, committing and calling
/// `report` after each; `report` returns `Break` to stop early (shutdown, Ctrl-C).
///
/// The change-log head is taken before the scan; once the scan is done it becomes the
/// index's position, so changes made during the scan are replayed by the tailer afterwards
/// (applying an entry twice is harmless). Until then the position stays unset, and a server
/// starting on this index resumes the rebuild.
pub fn rebuild(
    db: &Database,
    index: &SearchIndex,
    batch: i64,
    report: &mut dyn FnMut(RebuildProgress) -> ControlFlow<()>,
) -> ApiResult<RebuildOutcome> {
    let mut conn = db.connection()?;
    let mut state = index.commit_state().map_err(ApiError::internal)?;
    let resumed = state.rebuild_target.is_some();
    if !resumed {
        let _one_at_a_time = super::indexer::applying();
        // What retention deleted is in the tables the rebuild reads: a log pruned to
        // nothing still starts the index after the pruned entries, not before them.
        let head = change_log::head(&mut conn)?.max(
            super::retention::pruned_through(&mut conn)?.unwrap_or(change_log::Position::START),
        );
        index.clear().map_err(ApiError::internal)?;
        state = CommitState {
            schema_version: SCHEMA_VERSION,
            position: None,
            rebuild_target: Some(head.encode()),
            rebuild_after: None,
            rebuild_tail: None,
        };
        index.commit(&state).map_err(ApiError::internal)?;
    }
    let mut total = 0;
    for kind in sources::kinds() {
        total += sources::count(&mut conn, kind)?;
    }
    let (mut kind_at, mut after_id) = resume_point(state.rebuild_after.as_deref());
    let mut done = 0u64;
    let mut written = 0u64;
    let mut uncommitted = 0u64;
    // Items before the resume point count as done for the progress bar.
    if let Some(kind) = kind_at.as_deref() {
        let position = sources::kinds().position(|k| k == kind).unwrap_or(0);
        for earlier in sources::kinds().take(position) {
            done += sources::count(&mut conn, earlier)?;
        }
    }
    for kind in sources::kinds() {
        if let Some(resume_kind) = kind_at.as_deref() {
            if resume_kind != kind {
                continue;
            }
            kind_at = None;
        }
        loop {
            let count = {
                // Read and written under the tailer's lock: a change applied meanwhile is
                // either already in what this batch reads or applied over it afterwards.
                let _one_at_a_time = super::indexer::applying();
                let (documents, last_id) =
                    sources::documents_after(&mut conn, kind, &after_id, batch.max(1))?;
                let Some(last_id) = last_id else { break };
                for document in &documents {
                    index.upsert(document).map_err(ApiError::internal)?;
                }
                state.rebuild_after = Some(format!("{kind}:{last_id}"));
                after_id = last_id;
                documents.len() as u64
            };
            done += count;
            written += count;
            uncommitted += count;
            let stop = report(RebuildProgress {
                done,
                total,
                resumed,
            })
            .is_break();
            // A commit costs a segment flush: commit every COMMIT_EVERY documents (and on
            // interruption), so a resumed rebuild redoes at most that much.
            if stop || uncommitted >= COMMIT_EVERY {
                commit_keeping_tail(index, &mut state)?;
                uncommitted = 0;
            }
            if stop {
                return Ok(RebuildOutcome::Interrupted { written });
            }
        }
        after_id.clear();
    }
    {
        let _one_at_a_time = super::indexer::applying();
        // What the tailer applied meanwhile is further along than the starting point.
        let tail = index
            .commit_state()
            .map_err(ApiError::internal)?
            .rebuild_tail;
        state.position = tail.or(state.rebuild_target.take());
        state.rebuild_target = None;
        state.rebuild_after = None;
        state.rebuild_tail = None;
        index.commit(&state).map_err(ApiError::internal)?;
    }
    // Unpublished items are scanned without a document: the scan is complete all the same.
    let _ = report(RebuildProgress {
        done: total.max(done),
        total,
        resumed,
    });
    Ok(RebuildOutcome::Complete { written })
}

/// Commits the rebuild's progress with the tailer's (which it may have moved meanwhile).
fn commit_keeping_tail(index: &SearchIndex, state: &mut CommitState) -> ApiResult<()> {
    let _one_at_a_time = super::indexer::applying();
    state.rebuild_tail = index
        .commit_state()
        .map_err(ApiError::internal)?
        .rebuild_tail;
    index.commit(state).map_err(ApiError::internal)
}

/// Splits a stored `kind:id` resume key.
fn resume_point(key: Option<&str>) -> (Option<String>, String) {
    match key.and_then(|k| k.split_once(':')) {
        Some((kind, id)) => (Some(kind.to_owned()), id.to_owned()),
        None => (None, String::new()),
    }
}

/// Forgets an interrupted rebuild so the next `rebuild` starts over.
pub fn abandon_rebuild(index: &SearchIndex) -> anyhow::Result<()> {
    let mut state = index.commit_state()?;
    if state.rebuild_target.take().is_some() {
        state.rebuild_after = None;
        state.rebuild_tail = None;
        index.commit(&state)?;
    }
    Ok(())
}
