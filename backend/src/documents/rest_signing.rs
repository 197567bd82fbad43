//! REST endpoints of organisation-held keys: registering one, preparing a step to sign, and
//! the platform-signed key list verifiers keep. (Signed steps themselves are taken at
//! `POST /documents/{id}/steps` with `signed_at` and `signature`.)

use actix_web::{get, post, web};
use serde::Deserialize;

use super::key_list::SignedKeyList;
use super::keys::PublicKeyView;
use super::rest::StepToPrepare;
use super::service;
use super::step_signing::StepToSign;
use crate::error::{ApiResult, Problem};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(prepare_step)
        .service(register_signing_key)
        .service(signing_key_list);
}

/// Prepares a step for an organisation that holds its own key: every check taking it makes
/// runs and nothing is written. Sign `signingInput` (the JWS payload segment) with the
/// protected header `{"alg":"EdDSA","kid":KID}` and take the step with `signed_at` and the
/// detached JWS (`header..signature`) within 15 minutes.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = StepToPrepare,
    responses(
        (status = 200, body = StepToSign),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/documents/{id}/steps/prepare")]
pub async fn prepare_step(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<StepToPrepare>,
) -> ApiResult<web::Json<StepToSign>> {
    let body = body.into_inner();
    Ok(web::Json(
        service::prepare_step(
            &state,
            &caller,
            &id,
            body.step,
            body.organisation.as_deref(),
            body.reason.as_deref(),
        )
        .await?,
    ))
}

/// A key the organisation holds itself.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRegistration {
    /// A compact JWS signed with the new key over `{"purpose":
    /// "silkbridge-document-signing-key", "organisation": ID, "key": {"kty": "OKP", "crv":
    /// "Ed25519", "x": …}, "issuedAt": RFC 3339}`.
    pub statement: String,
}

/// Registers a key the organisation holds itself as its current signing key (its admins):
/// the platform keeps only the public half and the statement; the previous key is retired
/// and stays published. From then on the organisation's steps must come signed.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("slug" = String, Path)),
    request_body = KeyRegistration,
    responses(
        (status = 200, body = PublicKeyView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations/{slug}/signing-keys")]
pub async fn register_signing_key(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
    body: web::Json<KeyRegistration>,
) -> ApiResult<web::Json<PublicKeyView>> {
    Ok(web::Json(
        service::register_signing_key(&state, &caller, &slug, &body.statement).await?,
    ))
}

/// Every organisation's document-signing keys (who holds each; organisation-held keys with
/// their registration statements) and the platform's key, as one JWS signed by the platform
/// key: keep it, and check receipts offline with `silkbridge verify-receipt --keys FILE`.
#[utoipa::path(
    tag = "documents",
    responses((status = 200, body = SignedKeyList))
)]
#[get("/signing-keys")]
pub async fn signing_key_list(state: web::Data<AppState>) -> ApiResult<web::Json<SignedKeyList>> {
    Ok(web::Json(service::key_list(&state).await?))
}
