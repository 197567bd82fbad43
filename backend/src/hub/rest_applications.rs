//! REST for applications and reviews: `/api/v1/hub/programmes/{programme}/applications` and
//! `/api/v1/hub/applications…`. Every handler is one service call.

use actix_web::{HttpResponse, get, post, put, web};

use super::commitments::{CommitmentInput, CommitmentView};
use super::input::{ApplicationInput, DecisionInput, ReviewInput};
use super::service;
use super::views::ApplicationView;
use crate::error::{ApiResult, Problem};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(programme_applications)
        .service(create_application)
        .service(my_applications)
        .service(get_application)
        .service(update_application)
        .service(submit_application)
        .service(withdraw_application)
        .service(review_application)
        .service(decide_application)
        .service(list_commitments)
        .service(record_commitment);
}

/// A programme's applications the caller may see: every submitted one for its organisers
/// (with the panel's aggregated scores), the ones a reviewer may score (never those of a
/// startup they belong to or declared a conflict with), a startup's own for its members.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    responses(
        (status = 200, body = [ApplicationView]),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/programmes/{programme}/applications")]
pub async fn programme_applications(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
) -> ApiResult<web::Json<Vec<ApplicationView>>> {
    Ok(web::Json(
        service::programme_applications(&state, &caller, &key).await?,
    ))
}

/// Starts `startup`'s application (its editors; one per startup per programme; 409
/// `deadline_passed` once applications closed). Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("programme" = String, Path, description = "the programme's id or slug")),
    request_body = ApplicationInput,
    responses(
        (status = 201, body = ApplicationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/programmes/{programme}/applications")]
pub async fn create_application(
    state: web::Data<AppState>,
    caller: Caller,
    key: web::Path<String>,
    input: web::Json<ApplicationInput>,
) -> ApiResult<HttpResponse> {
    let application =
        service::create_application(&state, &caller, &key, input.into_inner()).await?;
    Ok(HttpResponse::Created().json(application))
}

/// The applications of the caller's startups, to every programme.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    responses(
        (status = 200, body = [ApplicationView]),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/applications")]
pub async fn my_applications(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<web::Json<Vec<ApplicationView>>> {
    Ok(web::Json(service::my_applications(&state, &caller).await?))
}

/// One application as the caller may see it (404 otherwise): the decision reaches the
/// applicant once the results are published; scores reach organisers only as aggregates.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("application" = String, Path, description = "the application's id")),
    responses(
        (status = 200, body = ApplicationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/applications/{application}")]
pub async fn get_application(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<ApplicationView>> {
    Ok(web::Json(service::application(&state, &caller, &id).await?))
}

/// Changes a draft or withdrawn application before the deadline (its startup's editors).
/// Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("application" = String, Path, description = "the application's id")),
    request_body = ApplicationInput,
    responses(
        (status = 200, body = ApplicationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/hub/applications/{application}")]
pub async fn update_application(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<ApplicationInput>,
) -> ApiResult<web::Json<ApplicationView>> {
    Ok(web::Json(
        service::update_application(&state, &caller, &id, input.into_inner()).await?,
    ))
}

/// Submits the application, complete and eligible, before the deadline (server time; 409
/// `deadline_passed` after it, `not_yet_open` before applications open). Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("application" = String, Path, description = "the application's id")),
    responses(
        (status = 200, body = ApplicationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/applications/{application}/submit")]
pub async fn submit_application(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<ApplicationView>> {
    Ok(web::Json(
        service::submit_application(&state, &caller, &id).await?,
    ))
}

/// Withdraws the application until the results are published (its startup's editors). Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("application" = String, Path, description = "the application's id")),
    responses(
        (status = 200, body = ApplicationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/applications/{application}/withdraw")]
pub async fn withdraw_application(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<ApplicationView>> {
    Ok(web::Json(
        service::withdraw_application(&state, &caller, &id).await?,
    ))
}

/// A reviewer's scores (1–5 for every criterion) and comment, replacing their earlier ones,
/// until the results are published. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("application" = String, Path, description = "the application's id")),
    request_body = ReviewInput,
    responses(
        (status = 200, body = ApplicationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/hub/applications/{application}/review")]
pub async fn review_application(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<ReviewInput>,
) -> ApiResult<web::Json<ApplicationView>> {
    Ok(web::Json(
        service::review_application(&state, &caller, &id, input.into_inner()).await?,
    ))
}

/// The organisers' decision (accepted, waitlisted, declined) on a submitted application, once
/// applications have closed and until the results are published. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("application" = String, Path, description = "the application's id")),
    request_body = DecisionInput,
    responses(
        (status = 200, body = ApplicationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/applications/{application}/decision")]
pub async fn decide_application(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<DecisionInput>,
) -> ApiResult<web::Json<ApplicationView>> {
    Ok(web::Json(
        service::decide_application(&state, &caller, &id, input.into_inner()).await?,
    ))
}

/// What the investors of a co-investment call committed to this startup: for the startup,
/// and, once the results are published, for the organisers and the call's investors.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("application" = String, Path, description = "the application's id")),
    responses(
        (status = 200, body = [CommitmentView]),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/hub/applications/{application}/commitments")]
pub async fn list_commitments(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<Vec<CommitmentView>>> {
    Ok(web::Json(service::commitments(&state, &caller, &id).await?))
}

/// An investor's editors record what it commits to an accepted startup (the fund's currency;
/// never more than its fund in all; once per startup). The startup is told by webhook. Audited.
#[utoipa::path(
    tag = "hub",
    security(("bearer" = [])),
    params(("application" = String, Path, description = "the application's id")),
    request_body = CommitmentInput,
    responses(
        (status = 200, body = [CommitmentView]),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/hub/applications/{application}/commitments")]
pub async fn record_commitment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<CommitmentInput>,
) -> ApiResult<web::Json<Vec<CommitmentView>>> {
    Ok(web::Json(
        service::commit(&state, &caller, &id, input.into_inner()).await?,
    ))
}
