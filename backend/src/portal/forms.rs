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

/// What to correct, per field (the part of the API's field path before any `/`, `[` or `.`:
/// `recipients/0` and `authors[1].orcid` are shown at their group), in the
/// page's language: the message for the API's machine-readable code.
pub fn field_errors(locale: Locale, error: &ApiError) -> BTreeMap<String, String> {
    let mut shown = BTreeMap::new();
    for field in &error.errors {
        let name = field
            .field
            .split(['/', '[', '.'])
            .next()
            .unwrap_or_default()
            .to_owned();
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

/// The file of a `multipart/form-data` upload form whose first field is the form token.
pub struct FileField {
    /// Keeps the body's reader alive while the field is read.
    _form: actix_multipart::Multipart,
    pub field: actix_multipart::Field,
    /// Already checked by `http::files::checked_file_name`.
    pub file_name: String,
    pub declared: Option<String>,
}

/// Why an upload form was not read.
pub enum FileFormError {
    /// Not this site's form, or not this session's token: nothing is stored.
    Forged,
    /// No file, a bad file name, or a broken body.
    Invalid(ApiError),
}

/// Reads an upload form up to its file: the token first (checked before a byte of the file
/// is read), then the file field, left unread for the caller to stream into storage.
pub async fn file_field(
    state: &AppState,
    req: &HttpRequest,
    payload: actix_web::web::Payload,
) -> Result<FileField, FileFormError> {
    use futures_util::StreamExt;

    let malformed = || {
        FileFormError::Invalid(ApiError::invalid_parameter(
            "a form with the token, then one file",
        ))
    };
    let mut form = actix_multipart::Multipart::new(req.headers(), payload);
    let Some(Ok(mut token_field)) = form.next().await else {
        return Err(FileFormError::Forged);
    };
    let mut value = Vec::new();
    while let Some(Ok(chunk)) = token_field.next().await {
        if value.len() + chunk.len() > 200 {
            return Err(FileFormError::Forged);
        }
        value.extend_from_slice(&chunk);
    }
    let presented = String::from_utf8_lossy(&value).into_owned();
    if token_field.name() != Some(csrf::FIELD) || !csrf::verify(state, req, &presented) {
        return Err(FileFormError::Forged);
    }
    drop(token_field);
    let Some(Ok(field)) = form.next().await else {
        return Err(malformed());
    };
    let Some(name) = field
        .content_disposition()
        .and_then(|d| d.get_filename())
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
    else {
        return Err(malformed());
    };
    let file_name = crate::http::files::checked_file_name(&name).map_err(FileFormError::Invalid)?;
    let declared = field.content_type().map(|m| m.essence_str().to_owned());
    Ok(FileField {
        _form: form,
        field,
        file_name,
        declared,
    })
}
