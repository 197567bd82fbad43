//! The biometrics module's REST endpoints (partner systems; sharing and thresholds for
//! platform administrators).

use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::service::{self, *};
use crate::error::{ApiResult, Problem};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(grant_consent)
        .service(revoke_consent)
        .service(erase_subject)
        .service(enrol)
        .service(verify)
        .service(identify)
        .service(add_sharing)
        .service(list_sharing)
        .service(end_sharing)
        .service(set_threshold);
}

/// Records a subject's consent (scope `biometric:enrol`); enrolment needs an active one.
#[utoipa::path(tag = "biometrics", security(("bearer" = [])), request_body = ConsentInput,
    responses((status = 201, body = ConsentView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/biometrics/consents")]
pub async fn grant_consent(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<ConsentInput>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created()
        .json(service::grant_consent(&state, &caller, input.into_inner()).await?))
}

/// What an erasure removed.
#[derive(Debug, serde::Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Erased {
    pub templates_erased: usize,
}

/// Revokes a consent; the subject's templates are erased at once (database and gallery).
#[utoipa::path(tag = "biometrics", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = Erased), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[post("/biometrics/consents/{id}/revoke")]
pub async fn revoke_consent(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<Erased>> {
    let templates_erased = service::revoke_consent(&state, &caller, id.into_inner()).await?;
    Ok(web::Json(Erased { templates_erased }))
}

/// Erases a subject: templates and consents, database and gallery (scope `biometric:enrol`).
#[utoipa::path(tag = "biometrics", security(("bearer" = [])), params(("subject_id" = String, Path)),
    responses((status = 200, body = Erased), (status = 403, body = Problem, content_type = "application/problem+json")))]
#[delete("/biometrics/subjects/{subject_id}")]
pub async fn erase_subject(
    state: web::Data<AppState>,
    caller: Caller,
    subject_id: web::Path<String>,
) -> ApiResult<web::Json<Erased>> {
    let templates_erased = service::erase_subject(&state, &caller, subject_id.into_inner()).await?;
    Ok(web::Json(Erased { templates_erased }))
}

/// Enrols a template (scope `biometric:enrol`; the subject needs an active consent).
#[utoipa::path(tag = "biometrics", security(("bearer" = [])), request_body = EnrolInput,
    responses((status = 201, body = Enrolment), (status = 403, body = Problem, content_type = "application/problem+json", description = "no scope, or `consent_required`"), (status = 422, body = Problem, content_type = "application/problem+json", description = "wrong dimension, unknown format, low quality")))]
#[post("/biometrics/templates")]
pub async fn enrol(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<EnrolInput>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Created().json(service::enrol(&state, &caller, input.into_inner()).await?))
}

/// 1:1 verification (scope `biometric:verify`): score and decision at the partner's threshold.
#[utoipa::path(tag = "biometrics", security(("bearer" = [])), request_body = VerifyInput,
    responses((status = 200, body = Verification), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[post("/biometrics/verify")]
pub async fn verify(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<VerifyInput>,
) -> ApiResult<web::Json<Verification>> {
    Ok(web::Json(
        service::verify(&state, &caller, input.into_inner()).await?,
    ))
}

/// 1:N identification (scope `biometric:identify`): the best candidates above the threshold.
#[utoipa::path(tag = "biometrics", security(("bearer" = [])), request_body = IdentifyInput,
    responses((status = 200, body = Identification), (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/biometrics/identify")]
pub async fn identify(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<IdentifyInput>,
) -> ApiResult<web::Json<Identification>> {
    Ok(web::Json(
        service::identify(&state, &caller, input.into_inner()).await?,
    ))
}

/// A sharing agreement: the grantee may match the owner's subjects.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SharingInput {
    pub owner_partner_id: String,
    pub grantee_partner_id: String,
}

/// Records a sharing agreement (platform administrators).
#[utoipa::path(tag = "biometrics", security(("bearer" = [])), request_body = SharingInput,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json")))]
#[post("/biometrics/sharing")]
pub async fn add_sharing(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<SharingInput>,
) -> ApiResult<HttpResponse> {
    let input = input.into_inner();
    service::add_sharing(
        &state,
        &caller,
        input.owner_partner_id,
        input.grantee_partner_id,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every sharing agreement (platform administrators).
#[utoipa::path(tag = "biometrics", security(("bearer" = [])),
    responses((status = 200, body = Vec<SharingAgreement>), (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/biometrics/sharing")]
pub async fn list_sharing(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<web::Json<Vec<SharingAgreement>>> {
    Ok(web::Json(
        service::sharing_agreements(&state, &caller).await?,
    ))
}

/// Ends a sharing agreement (platform administrators).
#[utoipa::path(tag = "biometrics", security(("bearer" = [])), params(("owner" = String, Path), ("grantee" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
#[delete("/biometrics/sharing/{owner}/{grantee}")]
pub async fn end_sharing(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (owner, grantee) = path.into_inner();
    service::remove_sharing(&state, &caller, owner, grantee).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A partner's decision threshold for one format.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ThresholdInput {
    pub format: String,
    pub threshold: f64,
}

/// Sets a partner's threshold (platform administrators), from `silkbridge biometrics evaluate`.
#[utoipa::path(tag = "biometrics", security(("bearer" = [])), params(("id" = String, Path)), request_body = ThresholdInput,
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
#[put("/biometrics/partners/{id}/threshold")]
pub async fn set_threshold(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    input: web::Json<ThresholdInput>,
) -> ApiResult<HttpResponse> {
    let input = input.into_inner();
    service::set_threshold(
        &state,
        &caller,
        id.into_inner(),
        input.format,
        input.threshold,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
