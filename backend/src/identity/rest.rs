//! Identity's REST endpoints.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::service::{self, OrganisationQuery, OrganisationView};
use crate::db;
use crate::error::{ApiResult, Problem};
use crate::http::pagination::{Page, PageParams};
use crate::state::AppState;

pub fn routes(config: &mut ServiceConfig) {
    config.service(list_organisations).service(get_organisation);
}

/// Filters of `GET /organisations`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganisationFilterParams {
    /// `UZ` or `AZ`.
    pub country: Option<String>,
    /// agency, university, operator, manufacturer, company or startup.
    pub kind: Option<String>,
}

/// Lists organisations of both countries, ordered by slug.
#[utoipa::path(
    tag = "identity",
    params(OrganisationFilterParams, PageParams),
    responses(
        (status = 200, body = Page<OrganisationView>),
        (status = 400, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    filter: web::Query<OrganisationFilterParams>,
    page: web::Query<PageParams>,
) -> ApiResult<web::Json<Page<OrganisationView>>> {
    let filter = filter.into_inner();
    let page = page.into_inner();
    let result = db::run(&state.db, move |conn| {
        service::list_organisations(
            conn,
            OrganisationQuery {
                country: filter.country,
                kind: filter.kind,
            },
            page.limit,
            page.cursor.as_deref(),
        )
    })
    .await?;
    Ok(web::Json(result))
}

/// One organisation by its slug.
#[utoipa::path(
    tag = "identity",
    params(("slug" = String, Path, description = "The organisation's slug")),
    responses(
        (status = 200, body = OrganisationView),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{slug}")]
pub async fn get_organisation(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<web::Json<OrganisationView>> {
    let slug = slug.into_inner();
    let organisation = db::run(&state.db, move |conn| {
        service::organisation_by_slug(conn, &slug)
    })
    .await?;
    Ok(web::Json(organisation))
}
