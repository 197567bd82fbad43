//! What the editors' forms (publications, datasets, listings) share: options and the five
//! language rows of a form, the organisations the person edits for, the check that they may
//! edit a record of an organisation, and the start of every POST (signed in, this site's form
//! of this session) and of every upload.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse};

use super::workspace::exchanges_for;
use super::{failure, see_other};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::UserCaller;
use crate::portal::chrome::Page;
use crate::portal::forms::{self, FileField, FileFormError, Posted};
use crate::portal::i18n;
use crate::portal::session::Visitor;
use crate::state::AppState;

/// The languages content is written in, as the API names them.
pub const LANGUAGES: [&str; 5] = ["uz-Latn", "uz-Cyrl", "az", "ru", "en"];

/// One option of a select, radio or checkbox group.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// A title and a longer text in one language.
pub struct TextRow {
    pub lang: &'static str,
    pub label: String,
    pub title: String,
    pub text: String,
}

/// Options labelled by the message `{prefix}{value}` (or the value itself without a prefix).
pub fn options(page: &Page, values: &[&str], prefix: &str, chosen: &[String]) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice {
            value: (*v).to_owned(),
            label: if prefix.is_empty() {
                (*v).to_owned()
            } else {
                page.t(&format!("{prefix}{v}"))
            },
            checked: chosen.iter().any(|c| c == v),
        })
        .collect()
}

/// The posted `title-{lang}` and `{text}-{lang}` of every language.
pub fn posted_texts(posted: &Posted, text: &str) -> BTreeMap<String, (String, String)> {
    LANGUAGES
        .iter()
        .map(|lang| {
            let pair = (
                posted.text(&format!("title-{lang}")),
                posted.text(&format!("{text}-{lang}")),
            );
            ((*lang).to_owned(), pair)
        })
        .collect()
}

/// A row per language, filled from `texts`.
pub fn language_rows(page: &Page, texts: &BTreeMap<String, (String, String)>) -> Vec<TextRow> {
    LANGUAGES
        .iter()
        .map(|lang| {
            let (title, text) = texts.get(*lang).cloned().unwrap_or_default();
            TextRow {
                lang,
                label: page.t(&format!("lang-{lang}")),
                title,
                text,
            }
        })
        .collect()
}

/// The organisations the person edits for (its editors and admins), `chosen` selected.
pub async fn editor_organisations(
    state: &AppState,
    user: &UserCaller,
    chosen: &str,
) -> ApiResult<Vec<Choice>> {
    Ok(crate::identity::service::all_organisations(state)
        .await?
        .into_iter()
        .filter(|o| exchanges_for(user, &o.id))
        .map(|o| Choice {
            checked: o.slug == chosen,
            value: o.slug,
            label: o.name,
        })
        .collect())
}

/// `Ok` when the person edits for the organisation `slug`; else the 403 page. Readers who
/// may not edit get this rather than a form whose save the API would refuse.
pub async fn check_editor(
    state: &AppState,
    req: &HttpRequest,
    user: &UserCaller,
    slug: &str,
) -> Result<(), HttpResponse> {
    let owner = crate::identity::service::organisation(state, slug).await;
    if owner.is_ok_and(|o| exchanges_for(user, &o.id)) {
        return Ok(());
    }
    let refused = ApiError::new(
        ErrorCode::Forbidden,
        "only the organisation's editors edit what it publishes",
    );
    Err(failure(state, req, refused))
}

/// The notice after a redirect with `?done=…`: `submit` says it went to review, anything else
/// that it was saved.
pub fn done_notice(req: &HttpRequest) -> Option<String> {
    let done = req
        .query_string()
        .split('&')
        .find_map(|p| p.strip_prefix("done="))?;
    let key = if done == "submit" {
        "listing-form-submitted"
    } else {
        "publishing-saved"
    };
    Some(i18n::text(super::locale_of(req), key))
}

/// The start of every editor's POST: a signed-in person (else the sign-in page) and this
/// site's form of this session (else the 403 page).
pub fn accept_form<'v>(
    state: &AppState,
    req: &HttpRequest,
    visitor: &'v Visitor,
    body: &[u8],
) -> Result<(&'v UserCaller, Posted), Box<HttpResponse>> {
    let Some(user) = visitor.user() else {
        let locale = super::locale_of(req);
        return Err(Box::new(see_other(&format!("/{}/sign-in", locale.tag()))));
    };
    let posted = Posted::parse(body);
    forms::check(state, req, &posted).map_err(|refused| Box::new(failure(state, req, refused)))?;
    Ok((user, posted))
}

/// The start of every upload: a signed-in person, then the form's token, then its file.
pub async fn accept_upload(
    state: &AppState,
    req: &HttpRequest,
    visitor: &Visitor,
    payload: actix_web::web::Payload,
) -> Result<FileField, HttpResponse> {
    if visitor.user().is_none() {
        let locale = super::locale_of(req);
        return Err(see_other(&format!("/{}/sign-in", locale.tag())));
    }
    match forms::file_field(state, req, payload).await {
        Ok(file) => Ok(file),
        Err(FileFormError::Forged) => Err(failure(state, req, forms::forged())),
        Err(FileFormError::Invalid(error)) => Err(failure(state, req, error)),
    }
}

/// The upload of a file field, for a service's upload call.
pub fn upload_of(file: &mut FileField) -> crate::storage::Upload<&mut actix_multipart::Field> {
    crate::storage::Upload {
        file_name: file.file_name.clone(),
        declared: file.declared.clone(),
        body: &mut file.field,
    }
}
