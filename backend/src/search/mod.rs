//! Search: keeping the index in step with the database (a tailer that applies the change
//! log, a resumable full rebuild) and serving queries over REST and GraphQL.

pub mod graphql;
mod indexer;
pub mod lag;
mod rebuild;
pub mod rest;
pub mod retention;
pub mod service;
mod sources;

pub use indexer::{apply_pending, index_now, index_pass, spawn_indexer};
pub use rebuild::{REBUILD_BATCH, RebuildOutcome, RebuildProgress, abandon_rebuild, rebuild};

use silkbridge_search_index::{IndexError, IndexOptions, SearchIndex};

use crate::config::Config;

fn options(config: &Config) -> IndexOptions {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = config.search.writer_threads.clamp(1, cores.max(1));
    IndexOptions {
        // Tantivy needs at least 15 MiB per indexing thread.
        writer_memory_bytes: config.search.writer_memory_mib.max(15 * threads) * 1024 * 1024,
        writer_threads: threads,
    }
}

/// Opens the index. An unreadable index, or one written by another schema version, is moved
/// aside and replaced by an empty one, which the server then rebuilds from the database: the
/// index is derived data and never a reason not to start.
pub fn open_index(config: &Config) -> anyhow::Result<SearchIndex> {
    let dir = config.index_dir();
    match SearchIndex::open_or_create(&dir, &options(config)) {
        Ok(index) => Ok(index),
        Err(error @ (IndexError::Corrupt { .. } | IndexError::SchemaMismatch { .. })) => {
            let aside = dir.with_extension(format!("unusable-{}", chrono::Utc::now().timestamp()));
            tracing::warn!(%error, moved_to = %aside.display(), "search index unusable; rebuilding");
            std::fs::rename(&dir, &aside).map_err(|e| {
                anyhow::anyhow!(
                    "cannot move the unusable index {} aside: {e}",
                    dir.display()
                )
            })?;
            Ok(SearchIndex::open_or_create(&dir, &options(config))?)
        }
        Err(IndexError::Locked) => anyhow::bail!(
            "the search index {} is in use by another process (is a silkbridge server already running on this data folder?)",
            dir.display()
        ),
        Err(other) => Err(other.into()),
    }
}
