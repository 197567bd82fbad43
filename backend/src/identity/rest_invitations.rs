//! Invitations over REST: an organisation's admins invite, list and revoke; the invited
//! person, signed in, accepts with the link's token.

use actix_web::{HttpResponse, delete, get, post, web};
use serde::Deserialize;

use super::caller::Caller;
use super::invitations::{CreatedInvitation, InvitationView, NewInvitationInput};
use super::service;
use crate::error::{ApiResult, Problem};
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(create_invitation)
        .service(list_invitations)
        .service(revoke_invitation)
        .service(accept_invitation);
}

/// Invites someone to a role in the organisation: the answer's `token` makes the link
/// `/invite/{token}`, shown this once. Its admins invite to any role; a platform
/// administrator invites the first admin of an organisation that has none.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    params(("slug" = String, Path)),
    request_body = NewInvitationInput,
    responses(
        (status = 201, body = CreatedInvitation),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations/{slug}/invitations")]
pub async fn create_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
    input: web::Json<NewInvitationInput>,
) -> ApiResult<HttpResponse> {
    let created = service::invite(&state, &caller, &slug, input.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(created))
}

/// The organisation's invitations, newest first (its admins).
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses(
        (status = 200, body = Vec<InvitationView>),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{slug}/invitations")]
pub async fn list_invitations(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> ApiResult<web::Json<Vec<InvitationView>>> {
    Ok(web::Json(
        service::invitations(&state, &caller, &slug).await?,
    ))
}

/// Withdraws an open invitation; its link stops working.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 204),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")
    )
)]
#[delete("/invitations/{id}")]
pub async fn revoke_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    service::revoke_invitation(&state, &caller, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The token of an invitation link.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationInput {
    pub token: String,
}

/// Accepts an invitation: the signed-in person gets the invited role, once.
#[utoipa::path(
    tag = "identity",
    security(("bearer" = [])),
    request_body = AcceptInvitationInput,
    responses(
        (status = 200, body = InvitationView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "already accepted, revoked or expired")
    )
)]
#[post("/invitations/accept")]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<AcceptInvitationInput>,
) -> ApiResult<web::Json<InvitationView>> {
    Ok(web::Json(
        service::accept_invitation(&state, &caller, &input.token).await?,
    ))
}
