//! The research module's REST endpoints.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::input::{PublicationInput, PublicationQuery};
use super::service;
use super::views::{PublicationVersionView, PublicationView};
use crate::error::{ApiResult, Problem};
use crate::http::pagination::{Page, PageParams};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(list_publications)
        .service(create_publication)
        .service(export_citations)
        .service(get_publication)
        .service(update_publication)
        .service(delete_publication)
        .service(publication_versions)
        .service(publication_citation)
        .service(super::rest_files::upload_file)
        .service(super::rest_files::download_file)
        .service(super::rest_files::delete_file);
}

/// Publications the caller may read, with filters, sort and cursor pagination.
#[utoipa::path(
    tag = "research",
    params(PublicationQuery, PageParams),
    responses((status = 200, body = Page<PublicationView>), (status = 400, body = Problem, content_type = "application/problem+json"))
)]
#[get("/research/publications")]
pub async fn list_publications(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<PublicationQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<web::Json<Page<PublicationView>>> {
    Ok(web::Json(
        service::list(&state, &caller, query.into_inner(), page.into_inner()).await?,
    ))
}

/// A new publication: its organisation (slug) and its content.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPublicationRequest {
    pub organisation: String,
    #[serde(flatten)]
    pub publication: PublicationInput,
}

/// Creates a publication (the organisation's editors).
#[utoipa::path(
    tag = "research",
    security(("bearer" = [])),
    request_body = NewPublicationRequest,
    responses(
        (status = 201, body = PublicationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the DOI is taken"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/research/publications")]
pub async fn create_publication(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewPublicationRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let created = service::create(&state, &caller, &body.organisation, body.publication).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/research/publications/{}", created.id),
        ))
        .json(created))
}

/// One publication: open ones for everyone, restricted ones for their organisation.
#[utoipa::path(
    tag = "research",
    params(("id" = String, Path)),
    responses((status = 200, body = PublicationView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/research/publications/{id}")]
pub async fn get_publication(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<PublicationView>> {
    Ok(web::Json(service::get(&state, &caller, &id).await?))
}

/// Replaces a publication's content (the organisation's editors); the previous version is kept.
#[utoipa::path(
    tag = "research",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = PublicationInput,
    responses(
        (status = 200, body = PublicationView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/research/publications/{id}")]
pub async fn update_publication(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<PublicationInput>,
) -> ApiResult<web::Json<PublicationView>> {
    Ok(web::Json(
        service::update(&state, &caller, &id, body.into_inner()).await?,
    ))
}

/// Withdraws a publication (the organisation's editors); OAI-PMH reports it as deleted.
#[utoipa::path(
    tag = "research",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/research/publications/{id}")]
pub async fn delete_publication(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    service::delete(&state, &caller, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every version of a publication's content, newest first.
#[utoipa::path(
    tag = "research",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<PublicationVersionView>), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/research/publications/{id}/versions")]
pub async fn publication_versions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<Vec<PublicationVersionView>>> {
    Ok(web::Json(service::versions(&state, &caller, &id).await?))
}

/// The citation format.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CitationParams {
    /// `bibtex`, `ris` or `csl-json`.
    pub format: String,
}

/// Publications to cite together.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CitationListParams {
    /// Publication ids, comma-separated (at most 500).
    pub ids: String,
    /// `bibtex`, `ris` or `csl-json`.
    pub format: String,
}

async fn citations(
    state: &AppState,
    caller: Caller,
    ids: Vec<String>,
    format: &str,
) -> ApiResult<HttpResponse> {
    let export = service::citations(state, &caller, ids, format).await?;
    Ok(HttpResponse::Ok()
        .content_type(export.format.media_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "inline; filename=\"{}.{}\"",
                export.file_stem,
                export.format.file_extension()
            ),
        ))
        .body(export.text))
}

/// One publication's citation in BibTeX, RIS or CSL-JSON.
#[utoipa::path(
    tag = "research",
    params(("id" = String, Path), CitationParams),
    responses(
        (status = 200, description = "the citation", content_type = "application/x-bibtex"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/research/publications/{id}/citation")]
pub async fn publication_citation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    params: web::Query<CitationParams>,
) -> ApiResult<HttpResponse> {
    citations(&state, caller, vec![id.into_inner()], &params.format).await
}

/// Citations of many publications in one file, in the order given.
#[utoipa::path(
    tag = "research",
    params(CitationListParams),
    responses(
        (status = 200, description = "the citations", content_type = "application/x-bibtex"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/research/citations")]
pub async fn export_citations(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<CitationListParams>,
) -> ApiResult<HttpResponse> {
    let ids: Vec<String> = params
        .ids
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    citations(&state, caller, ids, &params.format).await
}
