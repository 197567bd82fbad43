//! Images and documents of listings: streamed into the object store, sniffed for their real
//! type, hashed, and served back under the listing's own visibility.

use chrono::NaiveDateTime;
use serde::Serialize;
use silkbridge_schema::models::ListingMedia;
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;

use super::domain::ListingState;
use super::rules::{editable, visible};
use super::store;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;

/// Media types a listing may carry.
pub const ACCEPTED_TYPES: &[&str] = &["image/png", "image/jpeg", "image/webp", "application/pdf"];
/// Files one listing may carry.
pub const MAX_PER_LISTING: usize = 10;

/// A file attached to a listing.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct MediaView {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Where to download it.
    pub url: String,
    pub created_at: NaiveDateTime,
}

pub fn view(row: ListingMedia) -> MediaView {
    MediaView {
        url: format!(
            "/api/v1/marketplace/listings/{}/media/{}",
            row.listing_id, row.id
        ),
        id: row.id,
        file_name: row.file_name,
        content_type: row.content_type,
        size_bytes: row.size_bytes,
        sha256: row.sha256,
        created_at: row.created_at,
    }
}

/// Where a new file of `listing_id` goes, after checking the caller may add one now. Media
/// change only while a listing is not live: a published listing's look changes through review.
pub fn prepare_upload(
    conn: &mut DbConnection,
    caller: &Caller,
    listing_id: &str,
) -> ApiResult<(String, String)> {
    let listing = editable(conn, caller, listing_id)?;
    let state: ListingState = listing
        .state
        .parse()
        .map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))?;
    if matches!(state, ListingState::Published | ListingState::Archived) {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("media of a {state} listing cannot change; edit a draft"),
        ));
    }
    if store::media_of(conn, listing_id)?.len() >= MAX_PER_LISTING {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("a listing carries at most {MAX_PER_LISTING} files"),
        ));
    }
    let id = ids::new_id();
    let key = format!("marketplace/{listing_id}/{id}");
    Ok((id, key))
}

/// Checks the start of an upload: its sniffed type must be accepted and match the declared one.
pub fn check_content(head: &[u8], declared: Option<&str>) -> Result<String, String> {
    let sniffed = infer::get(head)
        .map(|t| t.mime_type())
        .unwrap_or("application/octet-stream");
    if !ACCEPTED_TYPES.contains(&sniffed) {
        return Err(format!(
            "the file is {sniffed}; accepted: {}",
            ACCEPTED_TYPES.join(", ")
        ));
    }
    if let Some(declared) = declared.map(|d| d.split(';').next().unwrap_or(d).trim())
        && declared != sniffed
    {
        return Err(format!("the file is {sniffed} but was sent as {declared}"));
    }
    Ok(sniffed.to_owned())
}

/// Records an uploaded file (re-checking the listing, which may have changed meanwhile).
pub fn record(conn: &mut DbConnection, caller: &Caller, row: ListingMedia) -> ApiResult<MediaView> {
    let (_, _) = prepare_upload(conn, caller, &row.listing_id)?;
    store::insert_media(conn, &row)?;
    Ok(view(row))
}

/// A file the caller may download.
pub fn find(
    conn: &mut DbConnection,
    caller: &Caller,
    listing_id: &str,
    media_id: &str,
) -> ApiResult<ListingMedia> {
    visible(conn, caller, listing_id)?;
    store::media(conn, listing_id, media_id)?
        .ok_or_else(|| ApiError::not_found(format_args!("file `{media_id}`")))
}

/// Removes a file's record; returns its object key for the caller to delete.
pub fn remove(
    conn: &mut DbConnection,
    caller: &Caller,
    listing_id: &str,
    media_id: &str,
) -> ApiResult<String> {
    prepare_upload(conn, caller, listing_id)?;
    let row = store::media(conn, listing_id, media_id)?
        .ok_or_else(|| ApiError::not_found(format_args!("file `{media_id}`")))?;
    store::delete_media(conn, &row.id)?;
    Ok(row.object_key)
}

/// Which of `keys` (object-store keys) are files of this module, for the object sweeper.
pub fn known_object_keys(
    conn: &mut silkbridge_schema::DbConnection,
    keys: &[String],
) -> crate::error::ApiResult<Vec<String>> {
    Ok(super::store::known_object_keys(conn, keys)?)
}
