//! The exchange's forms: compose a draft, attach files to it, take a step (send, recall,
//! receive, accept, reject with a reason, sign), verify a receipt. Each POST passes the
//! cross-site check first, makes the one service call the API makes, and answers with the new
//! state: a redirect to the document's page, or the page again with what went wrong.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::documents::{Outcome, render_document};
use super::workspace::exchanges_for;
use super::{failure, frame, render, see_other};
use crate::documents::domain::Step;
use crate::documents::input::DocumentInput;
use crate::documents::service;
use crate::error::{ApiError, ErrorCode};
use crate::identity::caller::UserCaller;
use crate::portal::chrome::Page;
use crate::portal::forms::{self, FileFormError, Posted};
use crate::portal::session::{Visitor, resume_redirect};
use crate::portal::{csrf, i18n};
use crate::state::AppState;

/// An organisation to choose.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "portal/compose.html")]
struct ComposePage {
    page: Page,
    action: String,
    csrf_field: &'static str,
    csrf: String,
    senders: Vec<Choice>,
    recipients: Vec<Choice>,
    levels: Vec<Choice>,
    text_fields: Vec<TextField>,
    errors: BTreeMap<String, String>,
}

/// A text input with its label, value and what to correct.
pub struct TextField {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
}

async fn compose_page(
    req: &HttpRequest,
    state: &AppState,
    user: &UserCaller,
    posted: Option<&Posted>,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> HttpResponse {
    let organisations = match crate::identity::service::all_organisations(state).await {
        Ok(all) => all,
        Err(error) => return failure(state, req, error),
    };
    let locale = super::locale_of(req);
    let page = frame(state, req, i18n::text(locale, "compose-title"));
    let text = |name: &str| posted.map(|p| p.text(name)).unwrap_or_default();
    let chosen = posted.map(|p| p.all("recipients")).unwrap_or_default();
    let sender = text("sender");
    let senders = organisations
        .iter()
        .filter(|o| exchanges_for(user, &o.id))
        .map(|o| Choice {
            checked: o.slug == sender,
            value: o.slug.clone(),
            label: o.name.clone(),
        })
        .collect();
    let recipients = organisations
        .iter()
        .map(|o| Choice {
            checked: chosen.contains(&o.slug),
            value: o.slug.clone(),
            label: format!(
                "{} ({})",
                o.name,
                page.t(&format!("country-{}", o.country.as_str()))
            ),
        })
        .collect();
    let level = Some(text("confidentiality"))
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "internal".into());
    let levels = crate::documents::domain::CONFIDENTIALITY
        .iter()
        .map(|l| Choice {
            value: (*l).to_owned(),
            label: page.t(&format!("confidentiality-{l}")),
            checked: *l == level,
        })
        .collect();
    render(
        status,
        &ComposePage {
            action: page.href("/workspace/documents"),
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            senders,
            recipients,
            levels,
            text_fields: ["subject", "document_type", "reference_number"]
                .into_iter()
                .map(|name| TextField {
                    name,
                    label: page.t(&format!("document-field-{name}")),
                    value: text(name),
                    error: errors.get(name).cloned(),
                })
                .collect(),
            errors,
            page,
        },
    )
}

/// `GET /{locale}/workspace/documents/new`.
pub async fn compose(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> HttpResponse {
    match visitor.require() {
        Some(user) => compose_page(&req, &state, user, None, BTreeMap::new(), StatusCode::OK).await,
        None => resume_redirect(&req),
    }
}

/// The session is over: sign in again, then back to `back`.
fn signed_out(req: &HttpRequest, back: &str) -> HttpResponse {
    let locale = super::locale_of(req);
    let encoded: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
    see_other(&format!("/{}/sign-in?return_to={encoded}", locale.tag()))
}

/// `POST /{locale}/workspace/documents`: creates the draft, then shows it (to attach files
/// and send).
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Bytes,
) -> HttpResponse {
    let locale = super::locale_of(&req);
    let Some(user) = visitor.user() else {
        return signed_out(&req, &format!("/{}/workspace/documents/new", locale.tag()));
    };
    let posted = Posted::parse(&body);
    if let Err(refused) = forms::check(&state, &req, &posted) {
        return failure(&state, &req, refused);
    }
    let input = DocumentInput {
        sender: posted.text("sender"),
        subject: posted.text("subject"),
        document_type: posted.text("document_type"),
        reference_number: posted.text("reference_number"),
        confidentiality: posted.optional("confidentiality"),
        recipients: posted.all("recipients"),
    };
    match service::create(&state, &visitor.caller, input).await {
        Ok(draft) => see_other(&format!(
            "/{}/workspace/documents/{}",
            locale.tag(),
            draft.id
        )),
        Err(error) if error.code == ErrorCode::ValidationFailed => {
            let errors = forms::field_errors(locale, &error);
            compose_page(
                &req,
                &state,
                user,
                Some(&posted),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => failure(&state, &req, error),
    }
}

/// An error of an action, in the page's language.
fn action_error(req: &HttpRequest, error: &ApiError) -> Option<String> {
    let locale = super::locale_of(req);
    let key = match error.code {
        ErrorCode::InvalidTransition | ErrorCode::Conflict => "doc-error-transition",
        ErrorCode::ValidationFailed | ErrorCode::InvalidParameter => "doc-error-input",
        ErrorCode::PayloadTooLarge => "doc-error-too-large",
        ErrorCode::UnsupportedMediaType => "doc-error-file-type",
        _ => return None,
    };
    Some(i18n::text(locale, key))
}

/// The document page after an action: back to it on success, or it again with the error.
async fn after(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    id: &str,
    result: Result<&str, ApiError>,
) -> HttpResponse {
    let locale = super::locale_of(req);
    match result {
        // Each action's page has its own address, so a reload repeats nothing and the
        // browser's history shows what was done.
        Ok(done) => see_other(&format!(
            "/{}/workspace/documents/{id}?done={done}",
            locale.tag()
        )),
        Err(error) => match action_error(req, &error) {
            Some(text) => {
                let outcome = Outcome {
                    error: Some(text),
                    ..Outcome::default()
                };
                let status = error.code.status();
                render_document(req, state, visitor, id, status, outcome).await
            }
            None => failure(state, req, error),
        },
    }
}

/// `POST /{locale}/workspace/documents/{id}/steps`.
pub async fn step(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, id) = path.into_inner();
    if visitor.user().is_none() {
        return signed_out(&req, &format!("/{locale}/workspace/documents/{id}"));
    }
    let posted = Posted::parse(&body);
    if let Err(refused) = forms::check(&state, &req, &posted) {
        return failure(&state, &req, refused);
    }
    let step: Step = match posted.text("step").parse() {
        Ok(step) => step,
        Err(detail) => {
            let error = ApiError::invalid_parameter(detail);
            return after(&req, &state, &visitor, &id, Err(error)).await;
        }
    };
    let organisation = posted.optional("organisation");
    let reason = posted.optional("reason");
    let result = service::take_step(
        &state,
        &visitor.caller,
        &id,
        step,
        organisation.as_deref().filter(|_| step.by_recipient()),
        reason.as_deref(),
        // People sign in the portal with the platform-held key; an organisation holding its
        // own key is told (as the API says) to sign with `silkbridge documents sign-step`.
        crate::documents::step_signing::StepSignature::Platform,
    )
    .await
    .map(|_| step.as_str());
    after(&req, &state, &visitor, &id, result).await
}

/// `POST /{locale}/workspace/documents/{id}/files`: one file, from a `multipart/form-data`
/// form whose first field is the form token (checked before a byte of the file is stored).
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> HttpResponse {
    let (locale, id) = path.into_inner();
    if visitor.user().is_none() {
        return signed_out(&req, &format!("/{locale}/workspace/documents/{id}"));
    }
    let mut file = match forms::file_field(&state, &req, payload).await {
        Ok(file) => file,
        Err(FileFormError::Forged) => return failure(&state, &req, forms::forged()),
        Err(FileFormError::Invalid(error)) => {
            return after(&req, &state, &visitor, &id, Err(error)).await;
        }
    };
    let upload = super::editing::upload_of(&mut file);
    let result = service::upload_file(&state, &visitor.caller, &id, upload)
        .await
        .map(|_| "upload");
    after(&req, &state, &visitor, &id, result).await
}

/// `POST /{locale}/workspace/documents/{id}/receipts/{seq}/verify`: checks the receipt of
/// that step as anyone holding it would (`POST /api/v1/documents/receipts/verify`) and shows
/// the outcome on the document's page.
pub async fn verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String, i32)>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, id, seq) = path.into_inner();
    if visitor.user().is_none() {
        return signed_out(&req, &format!("/{locale}/workspace/documents/{id}"));
    }
    let posted = Posted::parse(&body);
    if let Err(refused) = forms::check(&state, &req, &posted) {
        return failure(&state, &req, refused);
    }
    let check = match service::receipt(&state, &visitor.caller, &id, seq).await {
        Ok(receipt) => service::verify_receipt(&state, receipt).await,
        Err(error) => Err(error),
    };
    match check {
        Ok(check) => {
            let outcome = Outcome {
                verification: Some((seq, check)),
                ..Outcome::default()
            };
            render_document(&req, &state, &visitor, &id, StatusCode::OK, outcome).await
        }
        Err(error) => failure(&state, &req, error),
    }
}
