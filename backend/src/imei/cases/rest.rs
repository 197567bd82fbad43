//! REST for IMEI cases: `/api/v1/imei/cases…`. Every handler is one service call.

use actix_web::{HttpResponse, get, post, web};

use super::service;
use super::statistics::{self, CaseStatistics, StatisticsQuery};
use super::transitions;
use super::views::*;
use crate::error::{ApiResult, Problem};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(case_statistics)
        .service(case_statistics_csv)
        .service(list_cases)
        .service(open_case)
        .service(get_case)
        .service(case_events)
        .service(case_found)
        .service(case_handed_over)
        .service(close_case)
        .service(withdraw_case)
        .service(link_case);
}

/// The cases the caller may read (agencies, police forces, embassies), most recently changed
/// first. Partners and citizens are refused. Audited.
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    params(CaseQuery),
    responses(
        (status = 200, body = [CaseView]),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/imei/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CaseQuery>,
) -> ApiResult<web::Json<Vec<CaseView>>> {
    Ok(web::Json(
        service::list(&state, &caller, query.into_inner()).await?,
    ))
}

/// Opens a case (an agency's or police force's editor). Lost and stolen devices are
/// black-listed in both countries at once; the owner's contact is sealed at rest.
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    request_body = NewCaseInput,
    responses(
        (status = 201, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "the reference is taken, or a device is black-listed by another organisation")
    )
)]
#[post("/imei/cases")]
pub async fn open_case(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<NewCaseInput>,
) -> ApiResult<HttpResponse> {
    let case = service::open(&state, &caller, input.into_inner()).await?;
    Ok(HttpResponse::Created().json(case))
}

/// One case; 404 for one the caller may not read. Audited.
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    params(("case" = String, Path, description = "the case id")),
    responses(
        (status = 200, body = CaseView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/imei/cases/{case}")]
pub async fn get_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<CaseView>> {
    Ok(web::Json(service::get(&state, &caller, &id).await?))
}

/// What happened to a case: transitions, sightings abroad (operator and country, never the
/// subscriber), links. Audited.
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    params(("case" = String, Path, description = "the case id")),
    responses(
        (status = 200, body = [CaseEventView]),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/imei/cases/{case}/events")]
pub async fn case_events(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<Vec<CaseEventView>>> {
    Ok(web::Json(service::events(&state, &caller, &id).await?))
}

/// An agency or police force records the device found and where it is held; found abroad,
/// the owner's country's embassy there is assigned to hand it over.
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    params(("case" = String, Path, description = "the case id")),
    request_body = FoundInput,
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "not allowed from the case's state, or changed meanwhile")
    )
)]
#[post("/imei/cases/{case}/found")]
pub async fn case_found(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<FoundInput>,
) -> ApiResult<web::Json<CaseView>> {
    Ok(web::Json(
        transitions::found(&state, &caller, &id, input.into_inner()).await?,
    ))
}

/// The device is back with its owner (the assigned embassy, or the reporting organisation
/// when it was found at home); its block is lifted in both countries.
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    params(("case" = String, Path, description = "the case id")),
    request_body = NoteInput,
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/imei/cases/{case}/handed-over")]
pub async fn case_handed_over(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<NoteInput>,
) -> ApiResult<web::Json<CaseView>> {
    Ok(web::Json(
        transitions::hand_over(&state, &caller, &id, input.into_inner()).await?,
    ))
}

/// The reporting organisation closes the case; the owner's contact is erased.
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    params(("case" = String, Path, description = "the case id")),
    request_body = NoteInput,
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/imei/cases/{case}/close")]
pub async fn close_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<NoteInput>,
) -> ApiResult<web::Json<CaseView>> {
    Ok(web::Json(
        transitions::close(&state, &caller, &id, input.into_inner()).await?,
    ))
}

/// The reporting organisation withdraws an open or located case; blocks are lifted and the
/// owner's contact erased.
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    params(("case" = String, Path, description = "the case id")),
    request_body = NoteInput,
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/imei/cases/{case}/withdraw")]
pub async fn withdraw_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<NoteInput>,
) -> ApiResult<web::Json<CaseView>> {
    Ok(web::Json(
        transitions::withdraw(&state, &caller, &id, input.into_inner()).await?,
    ))
}

/// Links another case the caller may read (a fraud ring's handsets, a counterfeit batch).
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    params(("case" = String, Path, description = "the case id")),
    request_body = LinkInput,
    responses(
        (status = 200, body = CaseView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/imei/cases/{case}/links")]
pub async fn link_case(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<LinkInput>,
) -> ApiResult<web::Json<CaseView>> {
    Ok(web::Json(
        service::link(&state, &caller, &id, input.into_inner()).await?,
    ))
}

/// Cases by month opened, kind, state and owner's country, and how long returned phones took
/// — over the cases the caller may read only. Audited.
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    params(StatisticsQuery),
    responses(
        (status = 200, body = CaseStatistics),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/imei/cases/statistics")]
pub async fn case_statistics(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<StatisticsQuery>,
) -> ApiResult<web::Json<CaseStatistics>> {
    Ok(web::Json(
        statistics::statistics(&state, &caller, query.into_inner()).await?,
    ))
}

/// The same counts as CSV: `month,kind,state,country,cases`.
#[utoipa::path(
    tag = "imei-cases",
    security(("bearer" = [])),
    params(StatisticsQuery),
    responses(
        (status = 200, content_type = "text/csv", body = String),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/imei/cases/statistics.csv")]
pub async fn case_statistics_csv(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<StatisticsQuery>,
) -> ApiResult<HttpResponse> {
    let figures = statistics::statistics(&state, &caller, query.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"imei-cases.csv\"",
        ))
        .body(statistics::to_csv(&figures)?))
}
