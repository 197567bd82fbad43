//! `/{locale}/workspace/moderation`: the marketplace's review queue for moderators — each
//! listing awaiting review with its text, its revision history, and approve / reject (with a
//! reason) forms that make the API's `decide` call.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{failure, frame, render, see_other};
use crate::error::ErrorCode;
use crate::marketplace::input::DecisionInput;
use crate::portal::chrome::Page;
use crate::portal::forms::{self, Posted};
use crate::portal::session::{Visitor, resume_redirect};
use crate::portal::{csrf, format, i18n};
use crate::state::AppState;

/// One revision of a listing's history.
pub struct RevisionRow {
    pub revision: i32,
    pub title: String,
    pub submitted: String,
    pub decision: String,
    pub reason: Option<String>,
}

/// A listing awaiting review.
pub struct QueueItem {
    pub id: String,
    pub title: String,
    pub description: String,
    pub organisation: String,
    pub kind: String,
    pub href: String,
    pub history: Vec<RevisionRow>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/moderation.html")]
struct ModerationPage {
    page: Page,
    items: Vec<QueueItem>,
    action: String,
    csrf_field: &'static str,
    csrf: String,
    notice: Option<String>,
}

async fn render_queue(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> HttpResponse {
    if visitor.require().is_none() {
        return resume_redirect(req);
    }
    let caller = &visitor.caller;
    let queue = match crate::marketplace::service::review_queue(state, caller).await {
        Ok(queue) => queue,
        Err(error) => return failure(state, req, error),
    };
    let locale = super::locale_of(req);
    let page = frame(state, req, i18n::text(locale, "moderation-title"));
    let mut items = Vec::new();
    for listing in queue {
        let history = match crate::marketplace::service::history(state, caller, &listing.id).await {
            Ok(history) => history,
            Err(error) => return failure(state, req, error),
        };
        items.push(QueueItem {
            history: history
                .into_iter()
                .map(|r| RevisionRow {
                    revision: r.revision,
                    title: r.title,
                    submitted: format::date(locale, r.submitted_at.date()),
                    decision: page.t(&format!(
                        "decision-{}",
                        r.decision.as_deref().unwrap_or("pending")
                    )),
                    reason: r.reason,
                })
                .collect(),
            error: errors.get(&listing.id).cloned(),
            href: page.href(&format!("/marketplace/{}", listing.id)),
            kind: page.t(&format!("market-kind-{}", listing.kind)),
            organisation: listing.organisation.name,
            title: listing.title,
            description: listing.description,
            id: listing.id,
        });
    }
    let done = req.query_string().split('&').any(|p| p == "done=1");
    render(
        status,
        &ModerationPage {
            action: page.href("/workspace/moderation"),
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            notice: done.then(|| page.t("moderation-done")),
            items,
            page,
        },
    )
}

/// `GET /{locale}/workspace/moderation` (moderators; 403 for anyone else, as the API).
pub async fn page(req: HttpRequest, state: web::Data<AppState>, visitor: Visitor) -> HttpResponse {
    render_queue(&req, &state, &visitor, BTreeMap::new(), StatusCode::OK).await
}

/// `POST /{locale}/workspace/moderation`: `listing`, `decision` (approve or reject), `reason`.
pub async fn decide(
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
    let listing = posted.text("listing");
    let input = DecisionInput {
        decision: posted.text("decision"),
        reason: posted.optional("reason"),
    };
    match crate::marketplace::service::decide(&state, &visitor.caller, &listing, input).await {
        Ok(_) => see_other(&format!("/{}/workspace/moderation?done=1", locale.tag())),
        Err(error)
            if matches!(
                error.code,
                ErrorCode::ValidationFailed | ErrorCode::InvalidTransition
            ) =>
        {
            let mut errors = BTreeMap::new();
            errors.insert(listing, i18n::text(locale, "moderation-error-reason"));
            render_queue(
                &req,
                &state,
                &visitor,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => failure(&state, &req, error),
    }
}
