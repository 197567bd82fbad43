//! `silkbridge documents verify`: for each document, the signed history against the
//! published keys and the manifest (and the platform's countersignatures of steps signed with
//! organisation-held keys), and every stored file's bytes against its SHA-256 (read back from
//! the object store, streamed). Names the first problem of each document.

use std::sync::Arc;

use futures_util::StreamExt;
use object_store::{ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};
use silkbridge_schema::Database;

use super::{rules, steps};
use crate::error::{ApiError, ApiResult};

/// A document that does not verify, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub document_id: String,
    pub reason: String,
}

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub documents: usize,
    pub steps: usize,
    pub files: usize,
    pub problems: Vec<Problem>,
}

async fn sha256_of(objects: &Arc<dyn ObjectStore>, key: &str) -> ApiResult<Option<String>> {
    let object = match objects.get(&object_store::path::Path::from(key)).await {
        Ok(object) => object,
        Err(object_store::Error::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(ApiError::unavailable("the file store is unavailable", e)),
    };
    let mut stream = object.into_stream();
    let mut hasher = Sha256::new();
    while let Some(chunk) = stream.next().await {
        hasher
            .update(chunk.map_err(|e| ApiError::unavailable("the file store is unavailable", e))?);
    }
    Ok(Some(hex::encode(hasher.finalize())))
}

/// Verifies one document (`only`) or all of them; `progress` is told after each.
/// `platform` checks the countersignatures of organisation-signed steps.
pub async fn verify(
    db: &Database,
    objects: &Arc<dyn ObjectStore>,
    platform: &super::key_list::PlatformKey,
    only: Option<String>,
    progress: &mut dyn FnMut(usize, usize),
) -> ApiResult<Report> {
    let ids = match only {
        Some(id) => vec![id],
        None => crate::db::run(db, rules::all_ids).await?,
    };
    let mut report = Report::default();
    for (done, id) in ids.iter().enumerate() {
        report.documents += 1;
        let (check_id, platform) = (id.clone(), platform.clone());
        let (chain, files) = crate::db::run(db, move |conn| {
            Ok((
                steps::verify_stored(conn, &platform, &check_id)?,
                rules::stored_files(conn, &check_id)?,
            ))
        })
        .await?;
        let mut problem = match chain {
            Ok(steps) => {
                report.steps += steps;
                None
            }
            Err(broken) => Some(broken.to_string()),
        };
        for file in files {
            report.files += 1;
            if problem.is_some() {
                continue;
            }
            match sha256_of(objects, &file.object_key).await? {
                None => {
                    problem = Some(format!(
                        "file {} ({}) is missing from the store",
                        file.file_name, file.id
                    ))
                }
                Some(actual) if actual != file.sha256 => {
                    problem = Some(format!(
                        "file {} ({}) was altered: its bytes hash to {actual}, not {}",
                        file.file_name, file.id, file.sha256
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(reason) = problem {
            report.problems.push(Problem {
                document_id: id.clone(),
                reason,
            });
        }
        progress(done + 1, ids.len());
    }
    Ok(report)
}

/// Which of `keys` (object-store keys) are files of this module, for the object sweeper.
pub fn known_object_keys(
    conn: &mut silkbridge_schema::DbConnection,
    keys: &[String],
) -> crate::error::ApiResult<Vec<String>> {
    Ok(super::store::known_object_keys(conn, keys)?)
}
