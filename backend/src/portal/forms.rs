//! What the workspace's forms share: reading an `application/x-www-form-urlencoded` body
//! with repeated fields (checkbox groups), the cross-site check every POST passes first, and
//! field errors in the page's language from the API's own error codes.

use std::collections::BTreeMap;

use actix_web::HttpRequest;

use super::csrf;
use super::i18n;
use super::locale::Locale;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// A posted form: every value of every field, in order.
pub struct Posted(Vec<(String, String)>);

impl Posted {
    pub fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The value of `name` if present and not blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty())
    }

    /// Every non-blank value of `name` (a checkbox group).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }
}

/// The refusal of a form that is not this site's, from this browser session.
pub fn forged() -> ApiError {
    ApiError::new(
        ErrorCode::Forbidden,
        "a form of this site, from this browser session, is needed",
    )
}

/// `Ok` when the POST carries this session's token and comes from this site.
pub fn check(state: &AppState, req: &HttpRequest, posted: &Posted) -> Result<(), ApiError> {
    if csrf::verify(state, req, &posted.text(csrf::FIELD)) {
        Ok(())
    } else {
        Err(forged())
    }
}

/// What to correct, per field (the part of the API's field path before any `/`), in the
/// page's language: the message for the API's machine-readable code.
pub fn field_errors(locale: Locale, error: &ApiError) -> BTreeMap<String, String> {
    let mut shown = BTreeMap::new();
    for field in &error.errors {
        let name = field.field.split('/').next().unwrap_or_default().to_owned();
        let key = match field.code.as_str() {
            code @ ("required" | "too_long" | "invalid_format" | "unknown_value"
            | "invalid_value" | "duplicate" | "too_many" | "out_of_range") => {
                format!("field-{code}")
            }
            _ => "field-invalid".to_owned(),
        };
        shown
            .entry(name)
            .or_insert_with(|| i18n::text(locale, &key));
    }
    shown
}
