//! The enquiry form on a listing's page: a signed-in person writes to the listing's
//! organisation. The form posts to `/{locale}/marketplace/{id}/enquiries`; the post is checked
//! against cross-site forgery (`portal::csrf`), then makes the same service call as
//! `POST /api/v1/marketplace/listings/{id}/enquiries`, and answers with the listing's page:
//! a redirect to it saying the enquiry went out, or the form again with what to correct.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::failure;
use crate::error::{ApiError, ErrorCode};
use crate::identity::caller::Caller;
use crate::marketplace::input::EnquiryInput;
use crate::portal::chrome::Page;
use crate::portal::csrf;
use crate::state::AppState;

/// What the form posts.
#[derive(Debug, Deserialize)]
pub struct EnquiryPost {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub reply_to: String,
}

/// The form as the page shows it.
pub struct EnquiryForm {
    pub action: String,
    pub csrf_field: &'static str,
    pub csrf: String,
    pub message: String,
    pub reply_to: String,
    /// What to correct, in the page's language, per field.
    pub message_error: Option<String>,
    pub reply_to_error: Option<String>,
    /// The enquiry just went out.
    pub sent: bool,
}

impl EnquiryForm {
    /// An empty form for this browser's session (`sent` after a successful post).
    pub fn blank(state: &AppState, req: &HttpRequest, sent: bool) -> Self {
        Self {
            action: String::new(),
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            message: String::new(),
            reply_to: String::new(),
            message_error: None,
            reply_to_error: None,
            sent,
        }
    }

    /// The form for listing `id`, shown only to a signed-in browser (one with a session
    /// cookie: a bearer-token client has no use for an HTML form).
    pub fn for_listing(mut self, page: &Page, id: &str, signed_in: bool) -> Option<Self> {
        if !signed_in || self.csrf.is_empty() {
            return None;
        }
        self.action = page.href(&format!("/marketplace/{id}/enquiries"));
        Some(self)
    }
}

/// `POST /{locale}/marketplace/{id}/enquiries`.
pub async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    form: web::Form<EnquiryPost>,
) -> HttpResponse {
    let (_, id) = path.into_inner();
    let form = form.into_inner();
    if !csrf::verify(&state, &req, &form.csrf) {
        let refused = ApiError::new(
            ErrorCode::Forbidden,
            "a form of this site, from this browser session, is needed",
        );
        return failure(&state, &req, refused);
    }
    let locale = super::locale_of(&req);
    let listing_href = format!("/{}/marketplace/{id}", locale.tag());
    if matches!(caller, Caller::Anonymous) {
        return super::see_other(&listing_href);
    }
    let reply_to = Some(form.reply_to.trim().to_owned()).filter(|r| !r.is_empty());
    let input = EnquiryInput {
        message: form.message.clone(),
        reply_to,
    };
    match crate::marketplace::service::send_enquiry(&state, &caller, &id, input).await {
        Ok(_) => super::see_other(&format!("{listing_href}?sent=1")),
        Err(error) if error.code == ErrorCode::ValidationFailed => {
            let t = |key: &str| crate::portal::i18n::text(locale, key);
            let mut shown = EnquiryForm::blank(&state, &req, false);
            shown.message = form.message;
            shown.reply_to = form.reply_to;
            for field in &error.errors {
                match field.field.as_str() {
                    "reply_to" => shown.reply_to_error = Some(t("enquiry-error-reply-to")),
                    _ => shown.message_error = Some(t("enquiry-error-message")),
                }
            }
            super::marketplace::render_listing(
                &req,
                &state,
                &caller,
                &id,
                shown,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => failure(&state, &req, error),
    }
}
