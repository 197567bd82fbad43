//! The open-data module's REST endpoints.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use serde::Deserialize;

use super::input::{DatasetInput, DatasetQuery};
use super::resources::{ResourceInput, ResourceView};
use super::service;
use super::views::DatasetView;
use crate::error::{ApiResult, Problem};
use crate::http::files::{self as transfer, StoredFile};
use crate::http::pagination::{Page, PageParams};
use crate::identity::caller::Caller;
use crate::state::AppState;
use crate::storage::Upload;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(list_datasets)
        .service(create_dataset)
        .service(get_dataset)
        .service(update_dataset)
        .service(patch_dataset)
        .service(delete_dataset)
        .service(add_link_resource)
        .service(upload_resource_file)
        .service(get_resource)
        .service(download_resource)
        .service(delete_resource);
}

/// Datasets the caller may see, with filters, sort and cursor pagination.
#[utoipa::path(
    tag = "datasets",
    params(DatasetQuery, PageParams),
    responses((status = 200, body = Page<DatasetView>), (status = 400, body = Problem, content_type = "application/problem+json"))
)]
#[get("/datasets")]
pub async fn list_datasets(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<DatasetQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<web::Json<Page<DatasetView>>> {
    let (query, page) = (query.into_inner(), page.into_inner());
    Ok(web::Json(
        service::list(&state, &caller, query, page).await?,
    ))
}

/// Creates a dataset (the organisation's editors).
#[utoipa::path(
    tag = "datasets",
    security(("bearer" = [])),
    request_body = DatasetInput,
    responses(
        (status = 201, body = DatasetView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/datasets")]
pub async fn create_dataset(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<DatasetInput>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let view = service::create(&state, &caller, body, Vec::new()).await?;
    Ok(HttpResponse::Created().json(view))
}

/// One dataset by id or name; private and deleted ones only for their organisation.
#[utoipa::path(
    tag = "datasets",
    params(("key" = String, Path, description = "id or name")),
    responses((status = 200, body = DatasetView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/datasets/{key}")]
pub async fn get_dataset(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<DatasetView>> {
    let key = key.into_inner();
    Ok(web::Json(service::get(&state, &caller, &key).await?))
}

/// Replaces a dataset's metadata (its resources stay).
#[utoipa::path(
    tag = "datasets",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "id or name")),
    request_body = DatasetInput,
    responses(
        (status = 200, body = DatasetView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/datasets/{key}")]
pub async fn update_dataset(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    body: web::Json<DatasetInput>,
) -> ApiResult<web::Json<DatasetView>> {
    let (key, body) = (key.into_inner(), body.into_inner());
    Ok(web::Json(
        service::update(&state, &caller, &key, body).await?,
    ))
}

/// Changes only the given fields (a JSON object with `DatasetInput`'s field names).
#[utoipa::path(
    tag = "datasets",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "id or name")),
    request_body = Object,
    responses(
        (status = 200, body = DatasetView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/datasets/{key}")]
pub async fn patch_dataset(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    body: web::Json<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<web::Json<DatasetView>> {
    let (key, body) = (key.into_inner(), body.into_inner());
    Ok(web::Json(
        service::patch(&state, &caller, &key, body).await?,
    ))
}

/// Deletes a dataset (kept as `deleted` for its organisation; gone for everyone else).
#[utoipa::path(
    tag = "datasets",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "id or name")),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/datasets/{key}")]
pub async fn delete_dataset(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let key = key.into_inner();
    service::delete(&state, &caller, &key).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds a link resource (`url` required).
#[utoipa::path(
    tag = "datasets",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "dataset id or name")),
    request_body = ResourceInput,
    responses((status = 201, body = ResourceView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[post("/datasets/{key}/resources")]
pub async fn add_link_resource(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    body: web::Json<ResourceInput>,
) -> ApiResult<HttpResponse> {
    let (key, body) = (key.into_inner(), body.into_inner());
    let view = service::add_link(&state, &caller, &key, body).await?;
    Ok(HttpResponse::Created().json(view))
}

/// How an uploaded resource is named.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResourceUploadParams {
    /// The file's name: no path separators, at most 200 characters.
    pub file_name: String,
    /// Shown to readers (default: the file name).
    pub name: Option<String>,
    pub description: Option<String>,
    /// `CSV`, `JSON`, … (default: from the file name).
    pub format: Option<String>,
}

/// Uploads a file as a resource: the raw body, streamed, hashed and size-capped. CSV and TSV
/// files are checked to the end (a ragged or non-UTF-8 file is refused with the line) and
/// get a preview, as do JSON files.
#[utoipa::path(
    tag = "datasets",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "dataset id or name"), ResourceUploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes"),
    responses(
        (status = 201, body = ResourceView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/datasets/{key}/resources/upload")]
pub async fn upload_resource_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    params: web::Query<ResourceUploadParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let params = params.into_inner();
    let meta = ResourceInput {
        name: params.name,
        description: params.description.unwrap_or_default(),
        format: params.format,
        url: None,
    };
    let upload = Upload {
        file_name: params.file_name,
        declared: transfer::declared_type(&req),
        body: payload,
    };
    let view = service::upload_resource(&state, &caller, &key, meta, upload).await?;
    Ok(HttpResponse::Created().json(view))
}

/// One resource.
#[utoipa::path(
    tag = "datasets",
    params(("key" = String, Path, description = "dataset id or name"), ("resource_id" = String, Path)),
    responses((status = 200, body = ResourceView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/datasets/{key}/resources/{resource_id}")]
pub async fn get_resource(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<ResourceView>> {
    let (key, resource_id) = path.into_inner();
    Ok(web::Json(
        service::resource_view(&state, &caller, Some(&key), &resource_id).await?,
    ))
}

/// Downloads an uploaded resource (byte ranges supported), or redirects to a link.
#[utoipa::path(
    tag = "datasets",
    params(("key" = String, Path, description = "dataset id or name"), ("resource_id" = String, Path)),
    responses(
        (status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 206, description = "the requested range"),
        (status = 302, description = "a link resource: to its URL"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/datasets/{key}/resources/{resource_id}/download")]
pub async fn download_resource(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (key, resource_id) = path.into_inner();
    let row = service::resource(&state, &caller, Some(&key), &resource_id).await?;
    match (&row.object_key, &row.url) {
        (Some(object_key), _) => {
            transfer::serve(
                &req,
                &state.objects,
                StoredFile {
                    object_key,
                    file_name: row.file_name.as_deref().unwrap_or(&row.name),
                    content_type: row
                        .media_type
                        .as_deref()
                        .unwrap_or("application/octet-stream"),
                    size_bytes: row.size_bytes.unwrap_or(0),
                    sha256: row.sha256.as_deref().unwrap_or_default(),
                },
            )
            .await
        }
        (None, Some(link)) => Ok(HttpResponse::Found()
            .insert_header((actix_web::http::header::LOCATION, link.as_str()))
            .finish()),
        (None, None) => Err(crate::error::ApiError::not_found("the resource's file")),
    }
}

/// Removes a resource (the dataset's editors); an uploaded file is deleted too.
#[utoipa::path(
    tag = "datasets",
    security(("bearer" = [])),
    params(("key" = String, Path, description = "dataset id or name"), ("resource_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/datasets/{key}/resources/{resource_id}")]
pub async fn delete_resource(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (key, resource_id) = path.into_inner();
    service::delete_resource(&state, &caller, &key, &resource_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
