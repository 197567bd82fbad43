//! The document exchange in the browser: the inbox and outbox, a document's page (its
//! confidentiality first, metadata, files with their SHA-256, recipients, the signed history
//! with receipts, and the actions the person's role allows), and the compose form. The
//! actions themselves are `document_forms.rs`.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::workspace::{awaits, exchanges_for, mailbox};
use super::{failure, frame, render};
use crate::documents::input::Mailbox;
use crate::documents::receipts::ReceiptCheck;
use crate::documents::views::{DocumentView, StepView};
use crate::identity::caller::UserCaller;
use crate::portal::chrome::Page;
use crate::portal::session::{Visitor, resume_redirect};
use crate::portal::{csrf, format, i18n};
use crate::state::AppState;

/// A document in a list.
pub struct DocumentRow {
    pub href: String,
    pub subject: String,
    pub reference: String,
    pub counterpart: String,
    pub state: String,
    pub confidentiality: String,
    pub confidentiality_class: String,
    pub date: String,
    pub date_iso: String,
    pub unread: bool,
    pub waiting: bool,
}

#[derive(Template)]
#[template(path = "portal/documents.html")]
struct DocumentsPage {
    page: Page,
    inbox: bool,
    tab: &'static str,
    show: String,
    rows: Vec<DocumentRow>,
    compose: String,
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    /// `inbox` (default), `outbox` or `drafts`.
    #[serde(rename = "box")]
    pub mailbox: Option<String>,
    /// `waiting`: only what awaits the person's organisation (inbox), `unread`: only what
    /// it has not yet received.
    pub show: Option<String>,
}

fn date_of(page: &Page, at: chrono::NaiveDateTime) -> (String, String) {
    (
        format::date(page.locale, at.date()),
        at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

fn row(page: &Page, user: &UserCaller, document: &DocumentView, inbox: bool) -> DocumentRow {
    let mine = document
        .recipients
        .iter()
        .find(|r| user.role_in(&r.organisation.id).is_some());
    let (counterpart, state) = if inbox {
        let state = mine.map_or("sent", |r| r.state.as_str());
        (
            document.sender.name.clone(),
            page.t(&format!("copy-state-{state}")),
        )
    } else {
        let names: Vec<&str> = document
            .recipients
            .iter()
            .map(|r| r.organisation.name.as_str())
            .collect();
        (
            names.join(", "),
            page.t(&format!("doc-state-{}", document.state)),
        )
    };
    let (date, date_iso) = date_of(page, document.updated_at);
    DocumentRow {
        href: page.href(&format!("/workspace/documents/{}", document.id)),
        subject: document.subject.clone(),
        reference: document.reference_number.clone(),
        counterpart,
        state,
        confidentiality: page.t(&format!("confidentiality-{}", document.confidentiality)),
        confidentiality_class: document.confidentiality.clone(),
        date,
        date_iso,
        unread: inbox && mine.is_some_and(|r| r.state == "sent"),
        waiting: inbox && awaits(user, document),
    }
}

/// `GET /{locale}/workspace/documents?box=inbox|outbox|drafts&show=waiting|unread`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    params: web::Query<ListParams>,
) -> HttpResponse {
    let Some(user) = visitor.require().cloned() else {
        return resume_redirect(&req);
    };
    let tab = match params.mailbox.as_deref() {
        Some("outbox") => "outbox",
        Some("drafts") => "drafts",
        _ => "inbox",
    };
    let inbox = tab == "inbox";
    let which = if inbox {
        Mailbox::Inbox
    } else {
        Mailbox::Outbox
    };
    let documents = match mailbox(&state, &visitor.caller, which).await {
        Ok(documents) => documents,
        Err(error) => return failure(&state, &req, error),
    };
    let locale = super::locale_of(&req);
    let page = frame(
        &state,
        &req,
        i18n::text(locale, &format!("documents-{tab}")),
    );
    let show = params.show.as_deref().unwrap_or_default();
    let rows = documents
        .iter()
        .filter(|d| tab != "drafts" || d.state == "draft")
        .map(|d| row(&page, &user, d, inbox))
        .filter(|r| match show {
            "waiting" => r.waiting,
            "unread" => r.unread,
            _ => true,
        })
        .collect();
    render(
        StatusCode::OK,
        &DocumentsPage {
            compose: page.href("/workspace/documents/new"),
            show: show.to_owned(),
            page,
            inbox,
            tab,
            rows,
        },
    )
}

/// A file of the document.
pub struct FileRow {
    pub name: String,
    pub href: String,
    pub size: String,
    pub sha256: String,
}

/// A recipient and where its copy stands.
pub struct RecipientRow {
    pub name: String,
    pub country: String,
    pub state: String,
    pub reason: Option<String>,
}

/// A signed step of the history.
pub struct StepRow {
    pub seq: i32,
    pub what: String,
    pub actor: String,
    pub at: String,
    /// The receipt of a recipient's step.
    pub receipt: Option<String>,
    pub verify_action: String,
}

/// A step the person may take, as a button (a rejection also asks for a reason).
pub struct ActionButton {
    pub step: &'static str,
    pub label: String,
    pub organisation: String,
    pub with_reason: bool,
}

/// The outcome of "verify" on a receipt.
pub struct Verification {
    pub seq: i32,
    pub valid: bool,
    pub text: String,
}

#[derive(Template)]
#[template(path = "portal/document.html")]
struct DocumentPage {
    page: Page,
    document_id: String,
    subject: String,
    reference: String,
    document_type: String,
    sender: String,
    state: String,
    confidentiality: String,
    confidentiality_class: String,
    digest: Option<String>,
    files: Vec<FileRow>,
    recipients: Vec<RecipientRow>,
    history: Vec<StepRow>,
    actions: Vec<ActionButton>,
    step_action: String,
    upload_action: Option<String>,
    csrf_field: &'static str,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    verification: Option<Verification>,
}

/// What the document page shows beyond the document: the outcome of the last action.
#[derive(Default)]
pub struct Outcome {
    pub notice: Option<String>,
    pub error: Option<String>,
    pub verification: Option<(i32, ReceiptCheck)>,
}

fn actions(page: &Page, user: &UserCaller, document: &DocumentView) -> Vec<ActionButton> {
    let button = |step: &'static str, organisation: &str, with_reason| ActionButton {
        step,
        label: page.t(&format!("step-do-{step}")),
        organisation: organisation.to_owned(),
        with_reason,
    };
    let mut buttons = Vec::new();
    if exchanges_for(user, &document.sender.id) {
        let received = document
            .recipients
            .iter()
            .any(|r| !matches!(r.state.as_str(), "pending" | "sent"));
        match document.state.as_str() {
            "draft" => buttons.push(button("send", &document.sender.slug, false)),
            "sent" if !received => buttons.push(button("recall", &document.sender.slug, false)),
            _ => {}
        }
    }
    if document.state == "sent" {
        for copy in &document.recipients {
            if !exchanges_for(user, &copy.organisation.id) {
                continue;
            }
            let slug = &copy.organisation.slug;
            match copy.state.as_str() {
                "sent" => buttons.push(button("deliver", slug, false)),
                "delivered" => {
                    buttons.push(button("accept", slug, false));
                    buttons.push(button("reject", slug, true));
                }
                "accepted" => buttons.push(button("sign", slug, false)),
                _ => {}
            }
        }
    }
    buttons
}

fn history_rows(
    page: &Page,
    document: &DocumentView,
    history: Vec<StepView>,
    names: &BTreeMap<String, String>,
) -> Vec<StepRow> {
    history
        .into_iter()
        .map(|step| {
            let at = chrono::DateTime::parse_from_rfc3339(&step.at)
                .map(|t| {
                    format!(
                        "{} {}",
                        format::date(page.locale, t.date_naive()),
                        t.format("%H:%M UTC")
                    )
                })
                .unwrap_or(step.at.clone());
            let by_recipient =
                matches!(step.step.as_str(), "deliver" | "accept" | "reject" | "sign");
            StepRow {
                seq: step.seq,
                what: page.t(&format!("step-{}", step.step)),
                actor: names
                    .get(&step.actor)
                    .cloned()
                    .unwrap_or(step.actor.clone()),
                at,
                receipt: by_recipient
                    .then(|| format!("/api/v1/documents/{}/receipts/{}", document.id, step.seq)),
                verify_action: page.href(&format!(
                    "/workspace/documents/{}/receipts/{}/verify",
                    document.id, step.seq
                )),
            }
        })
        .collect()
}

/// The document's page for the person, with `outcome` of what they just did.
pub async fn render_document(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    id: &str,
    status: StatusCode,
    outcome: Outcome,
) -> HttpResponse {
    let Some(user) = visitor.require().cloned() else {
        return resume_redirect(req);
    };
    let caller = &visitor.caller;
    let (document, history) = match tokio::try_join!(
        crate::documents::service::get(state, caller, id),
        crate::documents::service::history(state, caller, id)
    ) {
        Ok(found) => found,
        Err(error) => return failure(state, req, error),
    };
    let page = frame(state, req, document.subject.clone());
    let mut names = BTreeMap::new();
    names.insert(document.sender.id.clone(), document.sender.name.clone());
    for r in &document.recipients {
        names.insert(r.organisation.id.clone(), r.organisation.name.clone());
    }
    let files = document
        .files
        .iter()
        .map(|f| FileRow {
            name: f.file_name.clone(),
            href: f.url.clone(),
            size: super::size(page.locale, f.size_bytes),
            sha256: f.sha256.clone(),
        })
        .collect();
    let recipients = document
        .recipients
        .iter()
        .map(|r| RecipientRow {
            name: r.organisation.name.clone(),
            country: page.t(&format!("country-{}", r.organisation.country.as_str())),
            state: page.t(&format!("copy-state-{}", r.state)),
            reason: r.reason.clone(),
        })
        .collect();
    let verification = outcome.verification.map(|(seq, check)| Verification {
        seq,
        valid: check.valid,
        text: if check.valid {
            page.t("receipt-valid")
        } else {
            format!(
                "{} {}",
                page.t("receipt-invalid"),
                check.problem.unwrap_or_default()
            )
        },
    });
    let upload_action = (document.state == "draft" && exchanges_for(&user, &document.sender.id))
        .then(|| page.href(&format!("/workspace/documents/{}/files", document.id)));
    render(
        status,
        &DocumentPage {
            document_id: document.id.clone(),
            actions: actions(&page, &user, &document),
            history: history_rows(&page, &document, history, &names),
            step_action: page.href(&format!("/workspace/documents/{}/steps", document.id)),
            upload_action,
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            subject: document.subject.clone(),
            reference: document.reference_number.clone(),
            document_type: document.document_type.clone(),
            sender: document.sender.name.clone(),
            state: page.t(&format!("doc-state-{}", document.state)),
            confidentiality: page.t(&format!("confidentiality-{}", document.confidentiality)),
            confidentiality_class: document.confidentiality.clone(),
            digest: document.content_digest.clone(),
            files,
            recipients,
            notice: outcome.notice,
            error: outcome.error,
            verification,
            page,
        },
    )
}

/// `GET /{locale}/workspace/documents/{id}`: 404 for anyone not a party, as the API answers.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, id) = path.into_inner();
    let done = req
        .query_string()
        .split('&')
        .any(|pair| pair.starts_with("done="));
    let outcome = Outcome {
        notice: done.then(|| i18n::text(super::locale_of(&req), "doc-done")),
        ..Outcome::default()
    };
    render_document(&req, &state, &visitor, &id, StatusCode::OK, outcome).await
}
