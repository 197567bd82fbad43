//! REST for the hub's events and calendar: registration, teams, participants, accepted
//! startups, `/api/v1/hub/programmes.ics`. Every handler is one service call.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::events::{ParticipantView, RegistrationView, TeamView};
use super::service;
use super::views::HubOrganisationView;
use crate::error::{ApiResult, Problem};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(calendar)
        .service(register)
        .service(registration)
        .service(cancel_registration)
        .service(teams)
        .service(join_team)
        .service(participants)
        .service(accepted);
}

/// A team to join (`team`, its id) or to found (`name`).
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[graphql(name = "HubTeamInput")]
#[schema(as = HubTeamInput)]
#[serde(deny_unknown_fields)]
pub struct TeamInput {
    pub team: Option<String>,
    pub name: Option<String>,
}

/// Every published programme (its event, and its application deadline) as iCalendar.
#[utoipa::path(tag = "hub", responses((status = 200, content_type = "text/calendar", body = String)))]
#[get("/hub/programmes.ics")]
pub async fn calendar(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let text = service::calendar(&state).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(text))
}

/// Takes a place at a hackathon or demo day; once the capacity is reached, a place on its
/// waitlist. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = RegistrationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/programmes/{programme}/registration")]
pub async fn register(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<RegistrationView>> {
    Ok(web::Json(service::register(&state, &caller, &key).await?))
}

/// The caller's place (404 if none).
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = RegistrationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/programmes/{programme}/registration")]
pub async fn registration(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<RegistrationView>> {
    Ok(web::Json(
        service::registration(&state, &caller, &key).await?,
    ))
}

/// Gives the caller's place up; the first on the waitlist takes it. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = RegistrationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/hub/programmes/{programme}/registration")]
pub async fn cancel_registration(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<RegistrationView>> {
    Ok(web::Json(
        service::cancel_registration(&state, &caller, &key).await?,
    ))
}

/// A hackathon's teams and their sizes (anyone who may see the programme).
#[utoipa::path(
    tag = "hub",
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = [TeamView]),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/programmes/{programme}/teams")]
pub async fn teams(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<Vec<TeamView>>> {
    Ok(web::Json(service::teams(&state, &caller, &key).await?))
}

/// Joins a team (`team`) or founds one (`name`): registered participants of a hackathon; at
/// most five per team. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    request_body = TeamInput,
    responses(
        (status = 200, body = RegistrationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/programmes/{programme}/teams")]
pub async fn join_team(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    input: web::Json<TeamInput>,
) -> ApiResult<web::Json<RegistrationView>> {
    let input = input.into_inner();
    Ok(web::Json(
        service::join_team(&state, &caller, &key, input.team, input.name).await?,
    ))
}

/// Who registered and who waits (the organisers' members).
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = [ParticipantView]),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/programmes/{programme}/participants")]
pub async fn participants(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<Vec<ParticipantView>>> {
    Ok(web::Json(
        service::participants(&state, &caller, &key).await?,
    ))
}

/// The accepted startups, for everyone, once the results are published (empty before).
#[utoipa::path(
    tag = "hub",
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = [HubOrganisationView]),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/programmes/{programme}/accepted")]
pub async fn accepted(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<Vec<HubOrganisationView>>> {
    Ok(web::Json(service::accepted(&state, &caller, &key).await?))
}
