//! Collects what the object store holds and no row refers to. The database is the source of
//! truth: a file is written before the row that names it commits, and deleted after the row
//! is gone, so a crash between the two, a failed delete, or a process killed midway through
//! an upload leaves an object (or, in a local folder, a multipart staging file) that nothing
//! will ever serve. An hourly pass deletes such objects once they are older than a grace
//! period long enough for any upload still waiting on its transaction.
//!
//! S3 keeps the parts of an abandoned multipart upload out of every listing; a bucket
//! lifecycle rule (`AbortIncompleteMultipartUpload`) collects those (docs/operations.md).

use std::collections::HashSet;
use std::time::Duration;

use futures_util::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use silkbridge_schema::DbConnection;
use tokio::sync::watch;

use crate::error::ApiResult;
use crate::periodic::run_until_stopped;
use crate::state::AppState;
use crate::{datasets, documents, hub, marketplace, research};

/// How old an unreferenced object must be before it is deleted.
pub const GRACE: Duration = Duration::from_secs(6 * 3600);
/// How often the sweep runs.
const PERIOD: Duration = Duration::from_secs(3600);
/// Keys looked up in one query.
const BATCH: usize = 500;

type KnownKeys = fn(&mut DbConnection, &[String]) -> ApiResult<Vec<String>>;

/// Each module's key prefix and the question "which of these keys are yours".
const OWNERS: &[(&str, KnownKeys)] = &[
    ("research", research::files::known_object_keys),
    ("marketplace", marketplace::media::known_object_keys),
    ("datasets", datasets::resources::known_object_keys),
    ("documents", documents::verify::known_object_keys),
    ("hub", hub::files::known_object_keys),
];

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
    pub examined: u64,
    pub deleted: u64,
    pub staging_files_removed: u64,
}

/// Deletes every unreferenced object and stale staging file older than `grace`.
pub async fn sweep(state: &AppState, grace: Duration) -> anyhow::Result<SweepReport> {
    let mut report = SweepReport::default();
    let cutoff = chrono::Utc::now() - chrono::Duration::from_std(grace)?;
    for (prefix, known) in OWNERS {
        let mut listing = state.objects.list(Some(&Path::from(*prefix)));
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            if meta.last_modified > cutoff {
                continue;
            }
            batch.push(meta.location.to_string());
            if batch.len() == BATCH {
                collect(state, *known, std::mem::take(&mut batch), &mut report).await?;
            }
        }
        if !batch.is_empty() {
            collect(state, *known, batch, &mut report).await?;
        }
    }
    if let Some(root) = crate::storage::local_root(&state.config.object_store_url()) {
        report.staging_files_removed = tokio::task::spawn_blocking(move || {
            remove_stale_staging_files(&root, std::time::SystemTime::now() - grace)
        })
        .await?;
    }
    Ok(report)
}

/// Deletes those of `keys` that no row of the owning module names.
async fn collect(
    state: &AppState,
    known: KnownKeys,
    keys: Vec<String>,
    report: &mut SweepReport,
) -> anyhow::Result<()> {
    report.examined += keys.len() as u64;
    let asked = keys.clone();
    let referenced: HashSet<String> = crate::db::run(&state.db, move |conn| known(conn, &asked))
        .await?
        .into_iter()
        .collect();
    for key in keys.into_iter().filter(|k| !referenced.contains(k)) {
        if delete_logged(state.objects.as_ref(), &key).await {
            tracing::info!(object = %key, "deleted an object no row refers to");
            report.deleted += 1;
        }
    }
    Ok(())
}

/// Deletes an object whose row is gone; a failure is logged (the next sweep tries again)
/// rather than failing a request whose change has already committed.
pub async fn delete_logged(objects: &dyn ObjectStore, key: &str) -> bool {
    match objects.delete(&Path::from(key)).await {
        Ok(()) | Err(object_store::Error::NotFound { .. }) => true,
        Err(error) => {
            tracing::warn!(object = %key, %error, "could not delete an object; the sweep will retry");
            false
        }
    }
}

/// A local folder's multipart staging files (`NAME#N`) older than `before`: what an upload
/// killed with its process leaves behind.
fn remove_stale_staging_files(root: &std::path::Path, before: std::time::SystemTime) -> u64 {
    let mut removed = 0;
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.is_dir() {
                folders.push(path);
                continue;
            }
            let staging = entry.file_name().to_string_lossy().contains('#');
            let stale = meta.modified().is_ok_and(|m| m < before);
            if staging && stale && std::fs::remove_file(&path).is_ok() {
                tracing::info!(file = %path.display(), "removed an abandoned upload's staging file");
                removed += 1;
            }
        }
    }
    removed
}

/// Runs a sweep at once and then hourly until `stop` turns true.
pub fn spawn(state: AppState, stop: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run_until_stopped(PERIOD, stop, move || {
        let state = state.clone();
        async move {
            match sweep(&state, GRACE).await {
                Ok(report) if report.deleted + report.staging_files_removed > 0 => {
                    tracing::info!(?report, "object sweep")
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "the object sweep failed"),
            }
        }
    }))
}
