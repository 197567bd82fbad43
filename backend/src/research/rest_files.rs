//! Publication files over HTTP: raw-body streamed upload, streamed download with byte
//! ranges, removal.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use super::files::FileView;
use super::service;
use crate::error::{ApiResult, Problem};
use crate::http::files::{self as transfer, UploadParams};
use crate::identity::caller::Caller;
use crate::state::AppState;

/// Attaches a file to a publication (its editors). Send the bytes as the raw body with their
/// Content-Type: PDF, office and archive formats are recognised by their content, text
/// formats (CSV, JSON, XML, plain text) must be UTF-8. Streamed, hashed and size-capped.
#[utoipa::path(
    tag = "research",
    security(("bearer" = [])),
    params(("id" = String, Path), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes"),
    responses(
        (status = 201, body = FileView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/research/publications/{id}/files")]
pub async fn upload_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    params: web::Query<UploadParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let upload = transfer::raw_upload(&req, params.into_inner(), payload)?;
    let view = service::upload_file(&state, &caller, &id, upload).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Downloads a publication's file under the publication's visibility; `Range` requests are
/// answered with 206.
#[utoipa::path(
    tag = "research",
    params(("id" = String, Path), ("file_id" = String, Path)),
    responses(
        (status = 200, description = "the file, streamed"),
        (status = 206, description = "the requested byte range"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "the range lies past the end")
    )
)]
#[get("/research/publications/{id}/files/{file_id}")]
pub async fn download_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (publication_id, file_id) = path.into_inner();
    let row = service::file(&state, &caller, &publication_id, &file_id).await?;
    transfer::serve(&req, &state.objects, transfer::stored_file_of!(row)).await
}

/// Removes a file from a publication (its editors).
#[utoipa::path(
    tag = "research",
    security(("bearer" = [])),
    params(("id" = String, Path), ("file_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/research/publications/{id}/files/{file_id}")]
pub async fn delete_file(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (publication_id, file_id) = path.into_inner();
    service::delete_file(&state, &caller, &publication_id, &file_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
