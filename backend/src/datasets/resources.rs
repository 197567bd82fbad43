//! A dataset's resources: links to data elsewhere, or files streamed into the object store
//! (SHA-256, size, checked type and, for CSV, TSV and JSON, a preview computed on the way).
//! A resource has a download URL either way and is seen exactly when its dataset is.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use silkbridge_schema::models::DatasetResource;
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;

use super::preview::Preview;
use super::rules::{self, editable, readable};
use super::store;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;
use crate::storage::Received;
use crate::validate::Validator;

/// Resources one dataset may carry.
pub const MAX_PER_DATASET: i64 = 200;

/// A resource as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "DatasetResource")]
#[schema(as = DatasetResource)]
pub struct ResourceView {
    pub id: String,
    pub dataset_id: String,
    pub position: i32,
    pub name: String,
    pub description: String,
    /// `CSV`, `JSON`, `XLSX`, …
    pub format: String,
    pub media_type: Option<String>,
    /// Where to get it: the link, or this server's download path for an uploaded file.
    pub url: String,
    /// Whether the file is stored here (else `url` points elsewhere).
    pub uploaded: bool,
    pub file_name: Option<String>,
    pub size_bytes: Option<i64>,
    /// Hex SHA-256 of an uploaded file.
    pub sha256: Option<String>,
    /// First rows and column types of CSV, TSV and JSON uploads.
    pub preview: Option<Preview>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The download path of an uploaded resource.
pub fn download_path(dataset_id: &str, resource_id: &str) -> String {
    format!("/api/v1/datasets/{dataset_id}/resources/{resource_id}/download")
}

/// An absolute URL for a link or a path on this server (`base` is the public URL).
pub fn absolute_url(base: &str, url: &str) -> String {
    if url.starts_with('/') {
        format!("{}{url}", base.trim_end_matches('/'))
    } else {
        url.to_owned()
    }
}

pub fn view(row: DatasetResource) -> ApiResult<ResourceView> {
    let preview = row
        .preview_json
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(ApiError::internal)?;
    Ok(ResourceView {
        url: match &row.url {
            Some(link) => link.clone(),
            None => download_path(&row.dataset_id, &row.id),
        },
        uploaded: row.object_key.is_some(),
        id: row.id,
        dataset_id: row.dataset_id,
        position: row.position,
        name: row.name,
        description: row.description,
        format: row.format,
        media_type: row.media_type,
        file_name: row.file_name,
        size_bytes: row.size_bytes,
        sha256: row.sha256,
        preview,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// What a publisher says of a resource (a link carries `url`; an upload its file).
#[derive(Debug, Clone, Default, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(input_name = "ResourceInput")]
pub struct ResourceInput {
    /// Shown to readers; default: the file name or the link's last path segment.
    #[serde(default)]
    #[graphql(default)]
    pub name: Option<String>,
    #[serde(default)]
    #[graphql(default)]
    pub description: String,
    /// Default: from the file name's extension.
    #[serde(default)]
    #[graphql(default)]
    pub format: Option<String>,
    /// A link (http or https); absent for uploads.
    #[serde(default)]
    #[graphql(default)]
    pub url: Option<String>,
}

/// Media type and format named by a file name's extension.
pub fn guess_type(file_name: &str) -> (Option<String>, String) {
    let media = mime_guess::from_path(file_name)
        .first()
        .map(|m| m.essence_str().to_owned());
    let format = std::path::Path::new(file_name)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_uppercase)
        .unwrap_or_default();
    (media, format)
}

/// The media type for a format name (`CSV` → `text/csv`), where one is known.
pub fn media_type_of_format(format: &str) -> Option<String> {
    let lower = format.trim().to_ascii_lowercase();
    match lower.as_str() {
        "" => None,
        "tsv" => Some("text/tab-separated-values".into()),
        "geojson" => Some("application/geo+json".into()),
        other => mime_guess::from_ext(other)
            .first()
            .map(|m| m.essence_str().to_owned()),
    }
}

fn checked_meta(v: &mut Validator, input: &ResourceInput) {
    if let Some(name) = &input.name {
        v.text("name", name, 500);
    }
    if input.description.chars().count() > 10_000 {
        v.fail(
            "description",
            "too_long",
            "must be at most 10000 characters",
        );
    }
    if let Some(format) = &input.format
        && format.chars().count() > 50
    {
        v.fail("format", "too_long", "must be at most 50 characters");
    }
}

fn room_for_one(conn: &mut DbConnection, dataset_id: &str) -> ApiResult<i32> {
    let (position, count) = store::resource_slot(conn, dataset_id)?;
    if count >= MAX_PER_DATASET {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("a dataset carries at most {MAX_PER_DATASET} resources"),
        ));
    }
    Ok(position)
}

/// Adds a link resource.
pub fn add_link(
    conn: &mut DbConnection,
    caller: &Caller,
    dataset_key: &str,
    input: ResourceInput,
) -> ApiResult<ResourceView> {
    let dataset = editable(conn, caller, dataset_key)?;
    let mut v = Validator::default();
    checked_meta(&mut v, &input);
    match &input.url {
        Some(url) => v.http_url("url", url),
        None => v.fail(
            "url",
            "required",
            "a link resource needs a url; upload files instead",
        ),
    }
    v.finish()?;
    let url = input.url.unwrap_or_default();
    let last_segment = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let (guessed_media, guessed_format) = guess_type(&last_segment);
    let format = input
        .format
        .map(|f| f.trim().to_ascii_uppercase())
        .filter(|f| !f.is_empty())
        .unwrap_or(guessed_format);
    let now = ids::now();
    let row = DatasetResource {
        id: ids::new_id(),
        dataset_id: dataset.id.clone(),
        position: room_for_one(conn, &dataset.id)?,
        name: input
            .name
            .map(|n| n.trim().to_owned())
            .unwrap_or(last_segment),
        description: input.description,
        media_type: media_type_of_format(&format).or(guessed_media),
        format,
        url: Some(url),
        object_key: None,
        file_name: None,
        size_bytes: None,
        sha256: None,
        preview_json: None,
        created_by: caller.actor(),
        created_at: now,
        updated_at: now,
    };
    store::insert_resource(conn, &row)?;
    rules::resources_changed(conn, caller, &dataset.id, "dataset.resource_add", &row.id)?;
    view(row)
}

/// Where a new uploaded resource of a dataset goes, after checking the caller may add one.
pub fn prepare_upload(
    conn: &mut DbConnection,
    caller: &Caller,
    dataset_key: &str,
) -> ApiResult<(String, String, String)> {
    let dataset = editable(conn, caller, dataset_key)?;
    room_for_one(conn, &dataset.id)?;
    let id = ids::new_id();
    let key = format!("datasets/{}/{id}", dataset.id);
    Ok((dataset.id, id, key))
}

/// Records an uploaded file as a resource (re-checking the dataset, which may have changed).
pub fn record_upload(
    conn: &mut DbConnection,
    caller: &Caller,
    dataset_id: &str,
    resource_id: String,
    input: ResourceInput,
    received: Received,
    preview: Option<Preview>,
) -> ApiResult<ResourceView> {
    let dataset = editable(conn, caller, dataset_id)?;
    let mut v = Validator::default();
    checked_meta(&mut v, &input);
    if input.url.is_some() {
        v.fail(
            "url",
            "not_allowed",
            "an uploaded resource has no url of its own",
        );
    }
    v.finish()?;
    let (_, guessed_format) = guess_type(&received.file_name);
    let now = ids::now();
    let row = DatasetResource {
        id: resource_id,
        dataset_id: dataset.id.clone(),
        position: room_for_one(conn, &dataset.id)?,
        name: input
            .name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| received.file_name.clone()),
        description: input.description,
        format: input
            .format
            .map(|f| f.trim().to_ascii_uppercase())
            .filter(|f| !f.is_empty())
            .unwrap_or(guessed_format),
        media_type: Some(received.content_type),
        url: None,
        object_key: Some(received.object_key),
        file_name: Some(received.file_name),
        size_bytes: Some(received.size_bytes),
        sha256: Some(received.sha256),
        preview_json: preview
            .map(|p| serde_json::to_string(&p))
            .transpose()
            .map_err(ApiError::internal)?,
        created_by: caller.actor(),
        created_at: now,
        updated_at: now,
    };
    store::insert_resource(conn, &row)?;
    rules::resources_changed(conn, caller, &dataset.id, "dataset.resource_add", &row.id)?;
    view(row)
}

/// A resource the caller may see (its dataset's visibility decides).
pub fn find(
    conn: &mut DbConnection,
    caller: &Caller,
    dataset_key: Option<&str>,
    resource_id: &str,
) -> ApiResult<DatasetResource> {
    let not_found = || ApiError::not_found(format_args!("resource `{resource_id}`"));
    let row = store::resource(conn, resource_id)?.ok_or_else(not_found)?;
    let dataset = readable(conn, caller, &row.dataset_id).map_err(|_| not_found())?;
    if let Some(key) = dataset_key
        && key != dataset.id
        && key != dataset.name
    {
        return Err(not_found());
    }
    Ok(row)
}

/// Removes a resource's record; returns its object key (if a file) for the caller to delete.
pub fn remove(
    conn: &mut DbConnection,
    caller: &Caller,
    dataset_key: &str,
    resource_id: &str,
) -> ApiResult<Option<String>> {
    let dataset = editable(conn, caller, dataset_key)?;
    let row = find(conn, caller, Some(&dataset.id), resource_id)?;
    store::delete_resource(conn, &row.id)?;
    rules::resources_changed(
        conn,
        caller,
        &dataset.id,
        "dataset.resource_remove",
        &row.id,
    )?;
    Ok(row.object_key)
}

/// Which of `keys` (object-store keys) are files of this module, for the object sweeper.
pub fn known_object_keys(
    conn: &mut silkbridge_schema::DbConnection,
    keys: &[String],
) -> crate::error::ApiResult<Vec<String>> {
    Ok(super::store::known_object_keys(conn, keys)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_names_and_formats() {
        assert_eq!(
            guess_type("regions.csv"),
            (Some("text/csv".into()), "CSV".into())
        );
        assert_eq!(
            media_type_of_format("tsv").as_deref(),
            Some("text/tab-separated-values")
        );
        assert_eq!(
            media_type_of_format("JSON").as_deref(),
            Some("application/json")
        );
    }
}
