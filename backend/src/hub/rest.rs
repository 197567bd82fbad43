//! REST for the hub's programmes: `/api/v1/hub/programmes…` (applications and reviews are in
//! `rest_applications`). Every handler is one service call.

use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;

use super::input::{ConflictInput, OrganiserInput, ProgrammeInput, ReviewerInput};
use super::service;
use super::views::{ProgrammeView, ReviewerView};
use crate::error::{ApiResult, Problem};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    // The calendar's fixed path is registered before `/hub/programmes/{programme}`.
    super::rest_events::routes(config);
    config
        .service(list_programmes)
        .service(create_programme)
        .service(get_programme)
        .service(update_programme)
        .service(publish_programme)
        .service(add_organiser)
        .service(confirm_organiser)
        .service(list_reviewers)
        .service(appoint_reviewer)
        .service(remove_reviewer)
        .service(declare_conflict)
        .service(publish_results);
    super::rest_applications::routes(config);
    super::rest_files::routes(config);
}

/// Which programmes to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeQuery {
    /// accelerator, hackathon, demo_day or co_investment.
    pub kind: Option<String>,
}

/// Published programmes (anyone), and the drafts of the caller's organisations; the ones whose
/// applications close last first.
#[utoipa::path(
    tag = "hub",
    params(ProgrammeQuery),
    responses(
        (status = 200, body = [ProgrammeView]),
        (status = 400, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/programmes")]
pub async fn list_programmes(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ProgrammeQuery>,
) -> ApiResult<web::Json<Vec<ProgrammeView>>> {
    Ok(web::Json(
        service::programmes(&state, &caller, query.into_inner().kind).await?,
    ))
}

/// Creates a draft programme run by `organisation` (its editors; startups apply, they do not
/// run programmes). Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    request_body = ProgrammeInput,
    responses(
        (status = 201, body = ProgrammeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/programmes")]
pub async fn create_programme(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<ProgrammeInput>,
) -> ApiResult<HttpResponse> {
    let programme = service::create_programme(&state, &caller, input.into_inner()).await?;
    Ok(HttpResponse::Created().json(programme))
}

/// One programme by id or slug; a draft is 404 to all but its organisers.
#[utoipa::path(
    tag = "hub",
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = ProgrammeView),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/programmes/{programme}")]
pub async fn get_programme(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<ProgrammeView>> {
    Ok(web::Json(service::programme(&state, &caller, &key).await?))
}

/// Changes a programme (its organisers' editors); once published its kind, form, criteria and
/// eligibility stay (409). Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    request_body = ProgrammeInput,
    responses(
        (status = 200, body = ProgrammeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/hub/programmes/{programme}")]
pub async fn update_programme(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    input: web::Json<ProgrammeInput>,
) -> ApiResult<web::Json<ProgrammeView>> {
    Ok(web::Json(
        service::update_programme(&state, &caller, &key, input.into_inner()).await?,
    ))
}

/// Publishes a draft programme (its organisers' editors). Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = ProgrammeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/programmes/{programme}/publish")]
pub async fn publish_programme(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<ProgrammeView>> {
    Ok(web::Json(
        service::publish_programme(&state, &caller, &key).await?,
    ))
}

/// Asks another organisation to co-organise (the organisers' editors); it runs the programme
/// once one of its editors confirms. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    request_body = OrganiserInput,
    responses(
        (status = 200, body = ProgrammeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/programmes/{programme}/organisers")]
pub async fn add_organiser(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    input: web::Json<OrganiserInput>,
) -> ApiResult<web::Json<ProgrammeView>> {
    Ok(web::Json(
        service::add_organiser(&state, &caller, &key, input.into_inner()).await?,
    ))
}

/// Confirms that `organisation` co-organises the programme (its editors). Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(
        ("programme" = String, Path, description = "the programme's id or slug"),
        ("organisation" = String, Path, description = "the confirming organisation's slug")
    ),
    responses(
        (status = 200, body = ProgrammeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/programmes/{programme}/organisers/{organisation}/confirm")]
pub async fn confirm_organiser(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<web::Json<ProgrammeView>> {
    let (key, organisation) = path.into_inner();
    Ok(web::Json(
        service::confirm_organiser(&state, &caller, &key, &organisation).await?,
    ))
}

/// The review panel (the organisers' members).
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = [ReviewerView]),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/programmes/{programme}/reviewers")]
pub async fn list_reviewers(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<Vec<ReviewerView>>> {
    Ok(web::Json(service::reviewers(&state, &caller, &key).await?))
}

/// Appoints a person to the review panel (the organisers' editors). Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    request_body = ReviewerInput,
    responses(
        (status = 200, body = [ReviewerView]),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/programmes/{programme}/reviewers")]
pub async fn appoint_reviewer(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    input: web::Json<ReviewerInput>,
) -> ApiResult<web::Json<Vec<ReviewerView>>> {
    Ok(web::Json(
        service::appoint_reviewer(&state, &caller, &key, input.into_inner()).await?,
    ))
}

/// Removes a person from the panel (the organisers' editors); their reviews stay. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(
        ("programme" = String, Path, description = "the programme's id or slug"),
        ("user" = String, Path, description = "the reviewer's user id")
    ),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/hub/programmes/{programme}/reviewers/{user}")]
pub async fn remove_reviewer(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (key, user) = path.into_inner();
    service::remove_reviewer(&state, &caller, &key, &user).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A reviewer declares a conflict of interest with a startup: its application no longer
/// exists for them. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    request_body = ConflictInput,
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/programmes/{programme}/conflicts")]
pub async fn declare_conflict(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    input: web::Json<ConflictInput>,
) -> ApiResult<HttpResponse> {
    service::declare_conflict(&state, &caller, &key, input.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Publishes the decisions (the organisers' editors), once applications have closed and every
/// submitted application has one; each applicant is told through its webhook. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = ProgrammeView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/programmes/{programme}/results")]
pub async fn publish_results(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<ProgrammeView>> {
    Ok(web::Json(
        service::publish_results(&state, &caller, &key).await?,
    ))
}
