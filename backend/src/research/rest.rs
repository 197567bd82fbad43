//! The research module's REST endpoints.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::citation::{self, CitationFormat};
use super::content::PublicationInput;
use super::service::{self, PublicationQuery, PublicationVersionView, PublicationView};
use crate::db;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::pagination::{Page, PageParams};
use crate::identity::caller::Caller;
use crate::state::AppState;

/// Most publications one citation export may hold.
pub const MAX_CITATIONS: usize = 500;

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
    let (query, page) = (query.into_inner(), page.into_inner());
    Ok(web::Json(
        db::run(&state.db, move |conn| {
            service::list(conn, &caller, &query, page.limit, page.cursor.as_deref())
        })
        .await?,
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
    let created = state
        .write(move |conn| service::create(conn, &caller, &body.organisation, body.publication))
        .await?;
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
    let id = id.into_inner();
    Ok(web::Json(
        db::run(&state.db, move |conn| service::get(conn, &caller, &id)).await?,
    ))
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
    let (id, body) = (id.into_inner(), body.into_inner());
    Ok(web::Json(
        state
            .write(move |conn| service::update(conn, &caller, &id, body))
            .await?,
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
    let id = id.into_inner();
    state
        .write(move |conn| service::delete(conn, &caller, &id))
        .await?;
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
    let id = id.into_inner();
    Ok(web::Json(
        db::run(&state.db, move |conn| service::versions(conn, &caller, &id)).await?,
    ))
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
    let format: CitationFormat = format.parse().map_err(ApiError::invalid_parameter)?;
    if ids.is_empty() || ids.len() > MAX_CITATIONS {
        return Err(ApiError::invalid_parameter(format!(
            "ask for 1 to {MAX_CITATIONS} publications"
        )));
    }
    let found = db::run(&state.db, move |conn| {
        service::readable_many(conn, &caller, &ids)
    })
    .await?;
    let name = match found.as_slice() {
        [one] => one.id.clone(),
        _ => "citations".to_owned(),
    };
    Ok(HttpResponse::Ok()
        .content_type(format.media_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}.{}\"", format.file_extension()),
        ))
        .body(citation::render(format, &found, &state.config.public_url)))
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
