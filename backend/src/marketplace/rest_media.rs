//! Listing media over HTTP: raw-body streamed upload, streamed download, removal.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use super::media::MediaView;
use super::service;
use crate::error::{ApiResult, Problem};
use crate::http::files::{self, UploadParams};
use crate::identity::caller::Caller;
use crate::state::AppState;

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
    let upload = files::raw_upload(&req, params.into_inner(), payload)?;
    let view = service::upload_media(&state, &caller, &id, upload).await?;
    Ok(HttpResponse::Created().json(view))
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
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (listing_id, media_id) = path.into_inner();
    let row = service::media(&state, &caller, &listing_id, &media_id).await?;
    files::serve(&req, &state.objects, files::stored_file_of!(row)).await
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
    service::delete_media(&state, &caller, &listing_id, &media_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
