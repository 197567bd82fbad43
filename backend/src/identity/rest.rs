//! Identity's REST endpoints.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::caller::Caller;
use super::domain::Role;
use super::input::{NewOrganisationInput, OrganisationPatch, OrganisationQuery};
use super::partners::{NewPartnerInput, PartnerCredentials, PartnerView};
use super::service;
use super::views::{MeView, MemberView, OrganisationView};
use crate::error::{ApiResult, Problem};
use crate::http::pagination::{Page, PageParams};
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    super::rest_invitations::routes(config);
    config
        .service(me)
        .service(list_organisations)
        .service(create_organisation)
        .service(get_organisation)
        .service(patch_organisation)
        .service(list_members)
        .service(put_member)
        .service(delete_member)
        .service(list_partners)
        .service(create_partner)
        .service(rotate_partner_secret)
        .service(revoke_partner)
        .service(put_moderator);
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
    let query = OrganisationQuery {
        country: filter.country,
        kind: filter.kind,
    };
    let result = service::list_organisations(&state, query, page).await?;
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
    let organisation = service::organisation(&state, &slug).await?;
    Ok(web::Json(organisation))
}

/// Who the caller is: a signed-in person with their memberships, or a partner with its scopes.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    responses((status = 200, body = MeView), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<MeView>> {
    Ok(web::Json(service::me(&state, &caller).await?))
}

/// Creates an organisation (platform administrators).
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    request_body = NewOrganisationInput,
    responses(
        (status = 201, body = OrganisationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations")]
pub async fn create_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<NewOrganisationInput>,
) -> ApiResult<HttpResponse> {
    let input = input.into_inner();
    let created = service::create_organisation(&state, &caller, input).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Members of an organisation (its members and platform administrators).
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses(
        (status = 200, body = Vec<MemberView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{slug}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> ApiResult<web::Json<Vec<MemberView>>> {
    let slug = slug.into_inner();
    Ok(web::Json(service::members(&state, &caller, &slug).await?))
}

/// The role to give a member.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MembershipInput {
    pub role: Role,
}

/// Gives a user a role in the organisation (its admins; platform
/// administrators appoint the first admin of an organisation that has none).
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)),
    request_body = MembershipInput,
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/organisations/{slug}/members/{user_id}")]
pub async fn put_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    input: web::Json<MembershipInput>,
) -> ApiResult<HttpResponse> {
    let (slug, user_id) = path.into_inner();
    let role = input.role;
    service::set_membership(&state, &caller, &slug, &user_id, role).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes a member (the organisation's admins).
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/organisations/{slug}/members/{user_id}")]
pub async fn delete_member(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (slug, user_id) = path.into_inner();
    service::remove_membership(&state, &caller, &slug, &user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Partner clients (platform administrators).
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<PartnerView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/partners")]
pub async fn list_partners(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<web::Json<Vec<PartnerView>>> {
    Ok(web::Json(service::partners(&state, &caller).await?))
}

/// Registers a partner client; the response holds its secret, shown only this once.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    request_body = NewPartnerInput,
    responses(
        (status = 201, body = PartnerCredentials),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/partners")]
pub async fn create_partner(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<NewPartnerInput>,
) -> ApiResult<HttpResponse> {
    let created = service::create_partner(&state, &caller, input.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("cache-control", "no-store"))
        .json(created))
}

/// Replaces a partner's secret; the old one stops working at once.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = PartnerCredentials),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/partners/{id}/secret")]
pub async fn rotate_partner_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let rotated = service::rotate_partner_secret(&state, &caller, &id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(rotated))
}

/// Revokes a partner: its tokens stop working at once.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, body = PartnerView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/partners/{id}/revoke")]
pub async fn revoke_partner(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<PartnerView>> {
    Ok(web::Json(
        service::revoke_partner(&state, &caller, &id).await?,
    ))
}

/// Changes an organisation's profile (its admins and platform administrators).
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    params(("slug" = String, Path)),
    request_body = OrganisationPatch,
    responses(
        (status = 200, body = OrganisationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[patch("/organisations/{slug}")]
pub async fn patch_organisation(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
    patch: web::Json<OrganisationPatch>,
) -> ApiResult<web::Json<OrganisationView>> {
    let (slug, patch) = (slug.into_inner(), patch.into_inner());
    let updated = service::update_organisation(&state, &caller, &slug, patch).await?;
    Ok(web::Json(updated))
}

/// Whether a user reviews marketplace listings.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ModeratorInput {
    pub moderator: bool,
}

/// Appoints or removes a platform moderator (platform administrators).
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ModeratorInput,
    responses(
        (status = 204),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/users/{id}/moderator")]
pub async fn put_moderator(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<ModeratorInput>,
) -> ApiResult<HttpResponse> {
    let (id, moderator) = (id.into_inner(), input.moderator);
    service::set_moderator(&state, &caller, &id, moderator).await?;
    Ok(HttpResponse::NoContent().finish())
}
