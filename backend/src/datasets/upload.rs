//! The upload flow both the REST endpoint and CKAN's multipart `resource_create` use: check
//! the caller, stream the file into the object store through its preview inspector (which
//! refuses a malformed CSV before the object exists), then record the resource. Nothing is
//! recorded for an upload that fails, and no object outlives a failed recording.

use super::preview;
use super::resources::{self, ResourceInput, ResourceView};
use crate::error::ApiResult;
use crate::http::files as transfer;
use crate::identity::caller::Caller;
use crate::state::AppState;
use crate::storage::{Destination, Upload};

/// Streams `upload` into a new resource of `dataset_key` (the dataset's editors).
pub async fn upload_resource<S, E>(
    state: &AppState,
    caller: &Caller,
    dataset_key: &str,
    meta: ResourceInput,
    mut upload: Upload<S>,
) -> ApiResult<ResourceView>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    upload.file_name = transfer::checked_file_name(&upload.file_name)?;
    let (check_caller, dataset_key) = (caller.clone(), dataset_key.to_owned());
    let (dataset_id, resource_id, object_key) = state
        .read(move |conn| resources::prepare_upload(conn, &check_caller, &dataset_key))
        .await?;
    let caller = caller.clone();
    // What the sender declared, else what the format or the file name says.
    let declared = upload
        .declared
        .clone()
        .filter(|t| t != "application/octet-stream")
        .or_else(|| {
            meta.format
                .as_deref()
                .and_then(resources::media_type_of_format)
        })
        .or_else(|| resources::guess_type(&upload.file_name).0);
    upload.declared = declared.clone();
    let inspector = preview::inspector_for(declared.as_deref().unwrap_or_default());
    crate::storage::receive_inspected(
        state,
        upload,
        Destination {
            object_key,
            max_bytes: state.config.datasets.resource_max_bytes,
        },
        transfer::check_any_data,
        inspector,
        move |conn, received, inspector| {
            resources::record_upload(
                conn,
                &caller,
                &dataset_id,
                resource_id,
                meta,
                received,
                inspector.preview(),
            )
        },
    )
    .await
}
