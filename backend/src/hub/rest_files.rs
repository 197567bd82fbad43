//! REST for the files answering an application's `file` questions:
//! `/api/v1/hub/applications/{application}/files/{question}`. Every handler is one service call.

use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};

use super::files::{self, ApplicationFileView};
use crate::error::{ApiResult, Problem};
use crate::http::files::{self as transfer, UploadParams};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(attach_file)
        .service(download_file)
        .service(detach_file);
}

/// Attaches the file answering a `file` question (or replaces the one there): the raw body,
/// streamed into the object store with its SHA-256, up to `hub.file_max_bytes`; the startup's
/// editors, while the application is a draft and applications are taken. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(
        ("application" = String, Path),
        ("question" = String, Path, description = "the id of a `file` question of the form"),
        UploadParams
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes"),
    responses(
        (status = 201, body = ApplicationFileView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/hub/applications/{application}/files/{question}")]
pub async fn attach_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    params: web::Query<UploadParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (id, question) = path.into_inner();
    let upload = transfer::raw_upload(&req, params.into_inner(), payload)?;
    let view = files::attach(&state, &caller, &id, &question, upload).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Downloads the file answering a question (byte ranges supported), for whoever may read the
/// application: its startup's members, the organisers once submitted, the panel's reviewers.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("application" = String, Path), ("question" = String, Path)),
    responses(
        (status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/applications/{application}/files/{question}")]
pub async fn download_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, question) = path.into_inner();
    let row = files::file(&state, &caller, &id, &question).await?;
    transfer::serve(&req, &state.objects, transfer::stored_file_of!(row)).await
}

/// Removes the file answering a question (as attaching may). Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("application" = String, Path), ("question" = String, Path)),
    responses(
        (status = 204, description = "removed"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/hub/applications/{application}/files/{question}")]
pub async fn detach_file(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, question) = path.into_inner();
    files::detach(&state, &caller, &id, &question).await?;
    Ok(HttpResponse::NoContent().finish())
}
