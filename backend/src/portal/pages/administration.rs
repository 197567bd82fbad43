//! Administration in the browser. `/{locale}/workspace/organisations/{slug}` is an
//! organisation's admin page: members and their roles, invitations (the link shown once),
//! the document webhook (its secret shown once) and the signing keys (rotate). For platform
//! administrators `/{locale}/workspace/partners` registers partner systems, rotates their
//! secrets (shown once) and revokes them. Every form is one service call of the API's, with
//! the person's own caller: the pages refuse what the API refuses.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{failure, frame, render, see_other};
use crate::documents::webhooks::WebhookInput;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::domain::Role;
use crate::identity::invitations::NewInvitationInput;
use crate::identity::partners::{NewPartnerInput, SCOPES};
use crate::identity::service;
use crate::portal::chrome::Page;
use crate::portal::format;
use crate::portal::forms::{self, Posted};
use crate::portal::locale::Locale;
use crate::portal::session::{Visitor, resume_redirect};
use crate::portal::{csrf, i18n};
use crate::state::AppState;

/// A member row.
pub struct MemberRow {
    pub user_id: String,
    pub name: String,
    pub role: String,
    pub since: String,
}

/// An invitation row.
pub struct InvitationRow {
    pub id: String,
    pub role: String,
    pub status: String,
    pub until: String,
    pub open: bool,
}

/// A signing key row.
pub struct KeyRow {
    pub kid: String,
    pub from: String,
    pub until: Option<String>,
}

/// Something shown once: an invitation link or a secret.
pub struct Secret {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "portal/administration.html")]
struct OrganisationAdminPage {
    page: Page,
    name: String,
    action: String,
    csrf_field: &'static str,
    csrf: String,
    members: Vec<MemberRow>,
    roles: Vec<(&'static str, String)>,
    invitations: Vec<InvitationRow>,
    webhook: Option<String>,
    keys: Vec<KeyRow>,
    secret: Option<Secret>,
    notice: Option<String>,
    error: Option<String>,
}

fn roles(page: &Page) -> Vec<(&'static str, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), page.t(&format!("role-{}", r.as_str()))))
        .collect()
}

async fn organisation_page(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    slug: &str,
    secret: Option<Secret>,
    error: Option<String>,
) -> HttpResponse {
    if visitor.require().is_none() {
        return resume_redirect(req);
    }
    let caller = &visitor.caller;
    let loaded = tokio::try_join!(
        service::organisation(state, slug),
        service::members(state, caller, slug),
        service::invitations(state, caller, slug),
        crate::documents::service::webhook(state, caller, slug),
        crate::documents::service::signing_keys(state, slug),
    );
    let (organisation, members, invitations, webhook, keys) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return failure(state, req, error),
    };
    let locale = super::locale_of(req);
    let page = frame(state, req, organisation.name.clone());
    let date = |at: chrono::NaiveDateTime| format::date(locale, at.date());
    let done = req
        .query_string()
        .split('&')
        .any(|p| p.starts_with("done="));
    render(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &OrganisationAdminPage {
            name: organisation.name.clone(),
            action: page.href(&format!("/workspace/organisations/{slug}")),
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            members: members
                .into_iter()
                .map(|m| MemberRow {
                    since: date(m.since),
                    role: m.role.as_str().to_owned(),
                    user_id: m.user_id,
                    name: m.display_name,
                })
                .collect(),
            roles: roles(&page),
            invitations: invitations
                .into_iter()
                .map(|i| InvitationRow {
                    role: i
                        .role
                        .map(|r| page.t(&format!("role-{}", r.as_str())))
                        .unwrap_or_default(),
                    status: page.t(&format!("invitation-status-{}", i.status.as_str())),
                    until: date(i.expires_at),
                    open: i.status == crate::identity::invitations::InvitationStatus::Open,
                    id: i.id,
                })
                .collect(),
            webhook: webhook.map(|w| w.url),
            keys: keys
                .into_iter()
                .map(|k| KeyRow {
                    kid: k.kid,
                    from: date(k.valid_from),
                    until: k.valid_until.map(date),
                })
                .collect(),
            secret,
            notice: done.then(|| page.t("admin-done")),
            error,
            page,
        },
    )
}

/// `GET /{locale}/workspace/organisations/{slug}` (the organisation's admins).
pub async fn organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, slug) = path.into_inner();
    organisation_page(&req, &state, &visitor, &slug, None, None).await
}

/// What an organisation form did: a redirect, or something to show once.
enum Done {
    Redirect(&'static str),
    Show(Secret),
}

async fn organisation_action(
    state: &AppState,
    visitor: &Visitor,
    locale: Locale,
    slug: &str,
    posted: &Posted,
) -> ApiResult<Done> {
    let caller = &visitor.caller;
    let t = |key: &str| i18n::text(locale, key);
    let role = || -> ApiResult<Role> {
        posted
            .text("role")
            .parse()
            .map_err(|e: String| ApiError::invalid_parameter(e))
    };
    match posted.text("action").as_str() {
        "set-role" => {
            service::set_membership(state, caller, slug, &posted.text("user"), role()?).await?;
            Ok(Done::Redirect("role"))
        }
        "remove" => {
            service::remove_membership(state, caller, slug, &posted.text("user")).await?;
            Ok(Done::Redirect("remove"))
        }
        "invite" => {
            let days = posted.text("days").parse().ok();
            let input = NewInvitationInput {
                role: role()?,
                expires_in_days: days,
            };
            let created = service::invite(state, caller, slug, input).await?;
            let link = format!(
                "{}/invite/{}",
                state.config.public_url.trim_end_matches('/'),
                created.token
            );
            Ok(Done::Show(Secret {
                label: t("admin-invitation-link"),
                value: link,
            }))
        }
        "revoke-invitation" => {
            service::revoke_invitation(state, caller, &posted.text("invitation")).await?;
            Ok(Done::Redirect("revoke"))
        }
        "set-webhook" => {
            let input = WebhookInput {
                url: posted.text("url"),
            };
            let set = crate::documents::service::set_webhook(state, caller, slug, input).await?;
            let secret = set.secret.unwrap_or_default();
            Ok(Done::Show(Secret {
                label: t("admin-webhook-secret"),
                value: secret,
            }))
        }
        "delete-webhook" => {
            crate::documents::service::delete_webhook(state, caller, slug).await?;
            Ok(Done::Redirect("webhook"))
        }
        "rotate-key" => {
            crate::documents::service::rotate_signing_key(state, caller, slug).await?;
            Ok(Done::Redirect("key"))
        }
        other => Err(ApiError::invalid_parameter(format!(
            "unknown action `{other}`"
        ))),
    }
}

/// The refusal or field problem of an admin form, in the page's language; `None` for errors
/// that get their own page (not found, forbidden).
fn shown_error(locale: Locale, error: &ApiError) -> Option<String> {
    match error.code {
        ErrorCode::ValidationFailed | ErrorCode::InvalidParameter | ErrorCode::Conflict => {
            let fields = forms::field_errors(locale, error);
            let first = fields.values().next().cloned();
            Some(first.unwrap_or_else(|| i18n::text(locale, "admin-error")))
        }
        _ => None,
    }
}

/// `POST /{locale}/workspace/organisations/{slug}`: `action` names the form.
pub async fn organisation_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, slug) = path.into_inner();
    if visitor.user().is_none() {
        return see_other(&format!("/{locale}/sign-in"));
    }
    let posted = Posted::parse(&body);
    if let Err(refused) = forms::check(&state, &req, &posted) {
        return failure(&state, &req, refused);
    }
    let page_locale = super::locale_of(&req);
    match organisation_action(&state, &visitor, page_locale, &slug, &posted).await {
        Ok(Done::Redirect(what)) => see_other(&format!(
            "/{locale}/workspace/organisations/{slug}?done={what}"
        )),
        Ok(Done::Show(secret)) => {
            organisation_page(&req, &state, &visitor, &slug, Some(secret), None).await
        }
        Err(error) => match shown_error(page_locale, &error) {
            Some(text) => organisation_page(&req, &state, &visitor, &slug, None, Some(text)).await,
            None => failure(&state, &req, error),
        },
    }
}

/// A partner row.
pub struct PartnerRow {
    pub id: String,
    pub name: String,
    pub client_id: String,
    pub scopes: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "portal/partners.html")]
struct PartnersPage {
    page: Page,
    action: String,
    csrf_field: &'static str,
    csrf: String,
    partners: Vec<PartnerRow>,
    scopes: Vec<&'static str>,
    secret: Option<Secret>,
    notice: Option<String>,
    error: Option<String>,
}

async fn partners_page(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    secret: Option<Secret>,
    error: Option<String>,
) -> HttpResponse {
    if visitor.require().is_none() {
        return resume_redirect(req);
    }
    let partners = match service::partners(state, &visitor.caller).await {
        Ok(partners) => partners,
        Err(error) => return failure(state, req, error),
    };
    let locale = super::locale_of(req);
    let page = frame(state, req, i18n::text(locale, "admin-partners"));
    let done = req
        .query_string()
        .split('&')
        .any(|p| p.starts_with("done="));
    render(
        if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &PartnersPage {
            action: page.href("/workspace/partners"),
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            partners: partners
                .into_iter()
                .map(|p| PartnerRow {
                    revoked: p.revoked_at.is_some(),
                    scopes: p.scopes.join(" "),
                    id: p.id,
                    name: p.name,
                    client_id: p.client_id,
                })
                .collect(),
            scopes: SCOPES.to_vec(),
            secret,
            notice: done.then(|| page.t("admin-done")),
            error,
            page,
        },
    )
}

/// `GET /{locale}/workspace/partners` (platform administrators).
pub async fn partners(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> HttpResponse {
    partners_page(&req, &state, &visitor, None, None).await
}

/// `POST /{locale}/workspace/partners`: `action` is create, rotate or revoke.
pub async fn partners_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Bytes,
) -> HttpResponse {
    let locale = super::locale_of(&req);
    if visitor.user().is_none() {
        return see_other(&format!("/{}/sign-in", locale.tag()));
    }
    let posted = Posted::parse(&body);
    if let Err(refused) = forms::check(&state, &req, &posted) {
        return failure(&state, &req, refused);
    }
    let caller = &visitor.caller;
    let secret_label = i18n::text(locale, "admin-client-secret");
    let result = match posted.text("action").as_str() {
        "create" => {
            let input = NewPartnerInput {
                name: posted.text("name"),
                organisation: posted.optional("organisation"),
                scopes: posted.all("scopes"),
                rate_limit_per_minute: posted.text("rate").parse().ok(),
            };
            service::create_partner(&state, caller, input)
                .await
                .map(Some)
        }
        "rotate" => service::rotate_partner_secret(&state, caller, &posted.text("partner"))
            .await
            .map(Some),
        "revoke" => service::revoke_partner(&state, caller, &posted.text("partner"))
            .await
            .map(|_| None),
        other => Err(ApiError::invalid_parameter(format!(
            "unknown action `{other}`"
        ))),
    };
    match result {
        Ok(Some(credentials)) => {
            let secret = Secret {
                label: format!("{secret_label} ({})", credentials.partner.client_id),
                value: credentials.client_secret,
            };
            partners_page(&req, &state, &visitor, Some(secret), None).await
        }
        Ok(None) => see_other(&format!("/{}/workspace/partners?done=1", locale.tag())),
        Err(error) => match shown_error(locale, &error) {
            Some(text) => partners_page(&req, &state, &visitor, None, Some(text)).await,
            None => failure(&state, &req, error),
        },
    }
}
