//! An invitation link in the browser. `/invite/{token}` (the link an administrator or the
//! operator's `admin invite` hands out) goes to `/{locale}/invitations/{token}`, which says
//! what the link offers and, once the person has signed in through their country's provider,
//! lets them accept it (a form: the same call as `POST /api/v1/invitations/accept`). The
//! token is in the path, so pages send no `Referer` beyond this site (`Referrer-Policy`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{accepted, failure, frame, render, see_other};
use crate::identity::invitations::InvitationStatus;
use crate::identity::service;
use crate::portal::chrome::Page;
use crate::portal::forms::{self, Posted};
use crate::portal::session::Visitor;
use crate::portal::{csrf, format, i18n};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "portal/invitation.html")]
struct InvitationPage {
    page: Page,
    offer: String,
    until: String,
    open: bool,
    status: String,
    signed_in: bool,
    sign_in: String,
    action: String,
    csrf_field: &'static str,
    csrf: String,
}

/// `GET /invite/{token}`: the invitation page in the visitor's language.
pub async fn negotiated(req: HttpRequest, token: web::Path<String>) -> HttpResponse {
    let token: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    see_other(&format!("/{}/invitations/{token}", accepted(&req).tag()))
}

/// `GET /{locale}/invitations/{token}`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, token) = path.into_inner();
    let invitation = match service::invitation(&state, &token).await {
        Ok(invitation) => invitation,
        Err(error) => return failure(&state, &req, error),
    };
    let locale = super::locale_of(&req);
    let page = frame(&state, &req, i18n::text(locale, "invitation-title"));
    let role = match (&invitation.role, &invitation.organisation_name) {
        (Some(role), Some(organisation)) => i18n::text_with(
            locale,
            "invitation-offer-role",
            &[
                ("role", page.t(&format!("role-{}", role.as_str())).into()),
                ("organisation", organisation.clone().into()),
            ],
        ),
        _ => String::new(),
    };
    let admin = invitation
        .platform_admin
        .then(|| page.t("invitation-offer-platform-admin"));
    let offer = [Some(role).filter(|r| !r.is_empty()), admin]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let here = page.href(&format!("/invitations/{token}"));
    render(
        StatusCode::OK,
        &InvitationPage {
            until: format::date(locale, invitation.expires_at.date()),
            open: invitation.status == InvitationStatus::Open,
            status: page.t(&format!("invitation-status-{}", invitation.status.as_str())),
            signed_in: visitor.user().is_some(),
            sign_in: format!(
                "/{}/sign-in?return_to={}",
                locale.tag(),
                url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
            ),
            action: here,
            csrf_field: csrf::FIELD,
            csrf: csrf::token(&state, &req).unwrap_or_default(),
            offer,
            page,
        },
    )
}

/// `POST /{locale}/invitations/{token}`: accepts, then the workspace shows the new role.
pub async fn accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, token) = path.into_inner();
    let posted = Posted::parse(&body);
    if let Err(refused) = forms::check(&state, &req, &posted) {
        return failure(&state, &req, refused);
    }
    match service::accept_invitation(&state, &visitor.caller, &token).await {
        Ok(_) => see_other(&format!("/{locale}/workspace")),
        Err(error) => failure(&state, &req, error),
    }
}
