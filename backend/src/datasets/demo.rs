//! Demo datasets (`backend/demo/datasets.json`): catalogue entries for the real data portals
//! of Uzbekistan and Azerbaijan (Common Data Index registry, CC BY 4.0) with links to them,
//! and datasets with small real files (Unicode CLDR names, the registry extract), one of them
//! private. Seeded once, when there are no datasets yet.

use std::sync::Arc;

use object_store::ObjectStore;
use serde_json::Value;
use silkbridge_schema::{Database, ids};

use super::input::DatasetInput;
use super::preview;
use super::resources::{self, ResourceInput};
use super::{index, rules};
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::storage::Received;

const DEMO: &str = include_str!("../../demo/datasets.json");

/// The demo files, by the name `datasets.json` gives them.
const FILES: &[(&str, &[u8])] = &[
    (
        "territories.csv",
        include_bytes!("../../demo/datasets/territories.csv"),
    ),
    (
        "currencies.json",
        include_bytes!("../../demo/datasets/currencies.json"),
    ),
    (
        "data-portals-uz-az.csv",
        include_bytes!("../../demo/datasets/data-portals-uz-az.csv"),
    ),
    (
        "data-portals-uz-az.json",
        include_bytes!("../../demo/datasets/data-portals-uz-az.json"),
    ),
    (
        "data-portals-by-topic.csv",
        include_bytes!("../../demo/datasets/data-portals-by-topic.csv"),
    ),
];

/// A file of a demo dataset.
#[derive(serde::Deserialize)]
struct DemoFile {
    file: String,
    name: String,
    description: String,
}

/// Seeds the demo datasets if there are none; returns how many it added. Datasets whose
/// organisation is missing are skipped.
pub async fn seed(db: &Database, objects: Arc<dyn ObjectStore>) -> ApiResult<usize> {
    let entries: Vec<serde_json::Map<String, Value>> =
        serde_json::from_str(DEMO).map_err(ApiError::internal)?;
    if crate::db::run(db, index::count).await? > 0 {
        return Ok(0);
    }
    let organisations = crate::db::run(db, crate::identity::rules::organisation_ids).await?;
    let caller = Caller::seeding_editor("demo-seed", organisations, false);
    let mut added = 0;
    for mut entry in entries {
        let links: Vec<ResourceInput> =
            serde_json::from_value(entry.remove("links").unwrap_or(Value::Array(Vec::new())))
                .map_err(ApiError::internal)?;
        let files: Vec<DemoFile> =
            serde_json::from_value(entry.remove("files").unwrap_or(Value::Array(Vec::new())))
                .map_err(ApiError::internal)?;
        let input: DatasetInput =
            serde_json::from_value(Value::Object(entry)).map_err(ApiError::internal)?;
        let write_caller = caller.clone();
        let created = crate::db::transaction(db, move |conn| {
            if crate::identity::rules::organisation_by_slug(conn, &input.organisation).is_err() {
                return Ok(None);
            }
            let created = rules::create(conn, &write_caller, input)?;
            for link in links {
                resources::add_link(conn, &write_caller, &created.id, link)?;
            }
            Ok(Some(created.id))
        })
        .await?;
        let Some(dataset_id) = created else { continue };
        for file in files {
            add_file(db, &objects, &caller, &dataset_id, file).await?;
        }
        added += 1;
    }
    Ok(added)
}

async fn add_file(
    db: &Database,
    objects: &Arc<dyn ObjectStore>,
    caller: &Caller,
    dataset_id: &str,
    file: DemoFile,
) -> ApiResult<()> {
    let bytes = FILES
        .iter()
        .find(|(name, _)| *name == file.file)
        .map(|(_, bytes)| *bytes)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("demo file {} is missing", file.file)))?;
    let media_type = resources::guess_type(&file.file)
        .0
        .unwrap_or_else(|| "application/octet-stream".into());
    let resource_id = ids::new_id();
    let object_key = format!("datasets/{dataset_id}/{resource_id}");
    let mut inspector = preview::inspector_for(&media_type);
    let body =
        futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(bytes))]);
    let stored = crate::storage::store_stream_inspected(
        objects.clone(),
        &object_store::path::Path::from(object_key.as_str()),
        body,
        u64::MAX,
        |_| Ok(()),
        &mut inspector,
    )
    .await?;
    let received = Received {
        object_key,
        file_name: file.file,
        content_type: media_type,
        size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
        sha256: stored.sha256,
    };
    let meta = ResourceInput {
        name: Some(file.name),
        description: file.description,
        format: None,
        url: None,
    };
    let (caller, dataset_id) = (caller.clone(), dataset_id.to_owned());
    crate::db::transaction(db, move |conn| {
        resources::record_upload(
            conn,
            &caller,
            &dataset_id,
            resource_id,
            meta,
            received,
            inspector.preview(),
        )
    })
    .await
    .map(drop)
}
