//! Listing media over HTTP: raw-body streamed upload, streamed download, removal.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use futures_util::TryStreamExt;
use object_store::ObjectStoreExt;
use serde::Deserialize;
use silkbridge_schema::ids;
use silkbridge_schema::models::ListingMedia;
use utoipa::IntoParams;

use super::media::{self, MediaView};
use crate::db;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::identity::caller::Caller;
use crate::state::AppState;
use crate::storage::{self, StreamError};

/// The uploaded file's name.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// Shown to downloaders; no path separators, at most 200 characters.
    pub file_name: String,
}

/// Attaches an image (PNG, JPEG, WebP) or PDF to a listing that is not live (its editors).
/// Send the file as the raw body with its Content-Type; it is streamed, sniffed and hashed.
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    params(("id" = String, Path), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes"),
    responses(
        (status = 201, body = MediaView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the listing is live or full"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/marketplace/listings/{id}/media")]
pub async fn upload_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    params: web::Query<UploadParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let listing_id = id.into_inner();
    let file_name = params.into_inner().file_name.trim().to_owned();
    if file_name.is_empty() || file_name.chars().count() > 200 || file_name.contains(['/', '\\']) {
        return Err(ApiError::invalid_parameter(
            "file_name must be 1 to 200 characters without / or \\",
        ));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (check_caller, check_id) = (caller.clone(), listing_id.clone());
    let (media_id, key) = db::run(&state.db, move |conn| {
        media::prepare_upload(conn, &check_caller, &check_id)
    })
    .await?;
    let path = object_store::path::Path::from(key.as_str());
    let mut sniffed = String::new();
    let stored = storage::store_stream(
        state.objects.clone(),
        &path,
        payload,
        state.config.marketplace.media_max_bytes,
        |head| {
            sniffed = media::check_content(head, declared.as_deref())?;
            Ok(())
        },
    )
    .await
    .map_err(|error| match error {
        StreamError::TooLarge { .. } => {
            ApiError::new(ErrorCode::PayloadTooLarge, error.to_string())
        }
        StreamError::Refused(message) => ApiError::new(ErrorCode::UnsupportedMediaType, message),
        StreamError::Body(message) => {
            ApiError::invalid_parameter(format!("the upload broke off: {message}"))
        }
        StreamError::Store(cause) => ApiError::unavailable("the file store is unavailable", cause),
    })?;
    let row = ListingMedia {
        id: media_id,
        listing_id,
        object_key: key,
        file_name,
        content_type: sniffed,
        size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
        sha256: stored.sha256,
        created_at: ids::now(),
    };
    let objects = state.objects.clone();
    match state
        .write(move |conn| media::record(conn, &caller, row))
        .await
    {
        Ok(view) => Ok(HttpResponse::Created().json(view)),
        Err(error) => {
            // The record is the source of truth: an unrecorded object must not linger.
            let _ = objects.delete(&path).await;
            Err(error)
        }
    }
}

/// Downloads a listing's file (under the listing's visibility).
#[utoipa::path(
    tag = "marketplace",
    params(("id" = String, Path), ("media_id" = String, Path)),
    responses(
        (status = 200, description = "the file, streamed"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/marketplace/listings/{id}/media/{media_id}")]
pub async fn download_media(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (listing_id, media_id) = path.into_inner();
    let row = db::run(&state.db, move |conn| {
        media::find(conn, &caller, &listing_id, &media_id)
    })
    .await?;
    let object = state
        .objects
        .get(&object_store::path::Path::from(row.object_key.as_str()))
        .await
        .map_err(|e| ApiError::unavailable("the file store is unavailable", e))?;
    let encoded: String = url::form_urlencoded::byte_serialize(row.file_name.as_bytes()).collect();
    Ok(HttpResponse::Ok()
        .content_type(row.content_type.as_str())
        .insert_header((header::CONTENT_LENGTH, row.size_bytes.to_string()))
        .insert_header((header::ETAG, format!("\"{}\"", row.sha256)))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename*=UTF-8''{encoded}"),
        ))
        .streaming(
            object
                .into_stream()
                .map_err(actix_web::error::ErrorServiceUnavailable),
        ))
}

/// Removes a file from a listing that is not live (its editors).
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    params(("id" = String, Path), ("media_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/marketplace/listings/{id}/media/{media_id}")]
pub async fn delete_media(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (listing_id, media_id) = path.into_inner();
    let key = state
        .write(move |conn| media::remove(conn, &caller, &listing_id, &media_id))
        .await?;
    let _ = state
        .objects
        .delete(&object_store::path::Path::from(key.as_str()))
        .await;
    Ok(HttpResponse::NoContent().finish())
}
