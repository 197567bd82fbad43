//! Editors publish in the browser: `/{locale}/workspace/publications/new` and
//! `/{locale}/workspace/publications/{id}` are one form (title and abstract in the main
//! language and any of the other four, authors with ORCID iDs, keywords, date, venue, DOI,
//! licence, access level and embargo) that makes the API's create or update call, plus a
//! file upload on an existing publication. Field errors come back next to their fields, in the
//! page's language, from the API's own error codes.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::editing::{
    Choice, LANGUAGES, TextRow, accept_form, accept_upload, check_editor, done_notice,
    editor_organisations, language_rows, options, posted_texts, upload_of,
};
use super::{failure, frame, render, see_other};
use crate::error::ErrorCode;
use crate::identity::caller::UserCaller;
use crate::portal::chrome::Page;
use crate::portal::forms::{self, Posted};
use crate::portal::session::{Visitor, resume_redirect};
use crate::portal::{csrf, i18n};
use crate::research::input::{Author, PublicationInput, PublicationText};
use crate::research::views::PublicationView;
use crate::state::AppState;

const TYPES: [&str; 8] = [
    "article",
    "conference_paper",
    "report",
    "thesis",
    "book",
    "book_chapter",
    "dataset_paper",
    "preprint",
];
const ACCESS: [&str; 3] = ["open", "organisation", "embargoed"];
/// Author rows the form offers (empty ones are ignored).
const AUTHOR_ROWS: usize = 4;

/// One author row.
pub struct AuthorRow {
    pub index: usize,
    pub name: String,
    pub orcid: String,
    pub affiliation: String,
}

#[derive(Template)]
#[template(path = "portal/publication_form.html")]
struct PublicationFormPage {
    page: Page,
    action: String,
    csrf_field: &'static str,
    csrf: String,
    editing: Option<String>,
    public_href: Option<String>,
    upload_action: Option<String>,
    files: Vec<String>,
    organisations: Vec<Choice>,
    types: Vec<Choice>,
    languages: Vec<Choice>,
    access: Vec<Choice>,
    title: String,
    abstract_text: String,
    translations: Vec<TextRow>,
    authors: Vec<AuthorRow>,
    keywords: String,
    issued: String,
    venue: String,
    doi: String,
    licence: String,
    embargo_until: String,
    errors: BTreeMap<String, String>,
    notice: Option<String>,
}

/// What the form holds: the posted values, or those of the publication being edited.
struct Values {
    organisation: String,
    publication_type: String,
    language: String,
    title: String,
    abstract_text: String,
    translations: BTreeMap<String, (String, String)>,
    authors: Vec<(String, String, String)>,
    keywords: String,
    issued: String,
    venue: String,
    doi: String,
    licence: String,
    access_level: String,
    embargo_until: String,
}

impl Values {
    fn blank() -> Self {
        Self::from_posted(&Posted::parse(b""))
    }

    fn from_posted(posted: &Posted) -> Self {
        let translations = posted_texts(posted, "abstract");
        Self {
            organisation: posted.text("organisation"),
            publication_type: posted
                .optional("publication_type")
                .unwrap_or("article".into()),
            language: posted.optional("language").unwrap_or("uz-Latn".into()),
            title: posted.text("title"),
            abstract_text: posted.text("abstract"),
            translations,
            authors: (0..AUTHOR_ROWS)
                .map(|i| {
                    (
                        posted.text(&format!("author-{i}-name")),
                        posted.text(&format!("author-{i}-orcid")),
                        posted.text(&format!("author-{i}-affiliation")),
                    )
                })
                .collect(),
            keywords: posted.text("keywords"),
            issued: posted.text("issued"),
            venue: posted.text("venue"),
            doi: posted.text("doi"),
            licence: posted.optional("licence").unwrap_or("CC-BY-4.0".into()),
            access_level: posted.optional("access_level").unwrap_or("open".into()),
            embargo_until: posted.text("embargo_until"),
        }
    }

    fn from_view(view: &PublicationView) -> Self {
        let mut authors: Vec<(String, String, String)> = view
            .authors
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    a.orcid.clone().unwrap_or_default(),
                    a.affiliation.clone().unwrap_or_default(),
                )
            })
            .collect();
        authors.resize(AUTHOR_ROWS.max(authors.len()), Default::default());
        Self {
            organisation: view.organisation.slug.clone(),
            publication_type: view.publication_type.clone(),
            language: view.language.clone(),
            title: view.title.clone(),
            abstract_text: view.abstract_text.clone(),
            translations: view
                .translations
                .iter()
                .map(|t| (t.lang.clone(), (t.title.clone(), t.abstract_text.clone())))
                .collect(),
            authors,
            keywords: view.keywords.join(", "),
            issued: view.issued.clone(),
            venue: view.venue.clone().unwrap_or_default(),
            doi: view.doi.clone().unwrap_or_default(),
            licence: view.licence.clone(),
            access_level: view.access_level.clone(),
            embargo_until: view
                .embargo_until
                .map(|d| d.to_string())
                .unwrap_or_default(),
        }
    }

    /// The API's input; an unreadable date is passed on as none, and the API names the
    /// field (`embargo_until` is required for an embargo).
    fn input(&self) -> PublicationInput {
        let some = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
        PublicationInput {
            publication_type: self.publication_type.clone(),
            language: self.language.clone(),
            title: self.title.clone(),
            abstract_text: self.abstract_text.clone(),
            translations: self
                .translations
                .iter()
                .filter(|(lang, (title, _))| **lang != self.language && !title.is_empty())
                .map(|(lang, (title, abstract_text))| PublicationText {
                    lang: lang.clone(),
                    title: title.clone(),
                    abstract_text: abstract_text.clone(),
                })
                .collect(),
            authors: self
                .authors
                .iter()
                .filter(|(name, ..)| !name.is_empty())
                .map(|(name, orcid, affiliation)| Author {
                    name: name.clone(),
                    orcid: some(orcid),
                    affiliation: some(affiliation),
                    organisation: None,
                })
                .collect(),
            keywords: self
                .keywords
                .split([',', ';'])
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_owned)
                .collect(),
            subjects: Vec::new(),
            issued: self.issued.clone(),
            venue: some(&self.venue),
            doi: some(&self.doi),
            licence: self.licence.clone(),
            access_level: self.access_level.clone(),
            embargo_until: self.embargo_until.parse().ok(),
        }
    }
}

struct Shown<'a> {
    user: &'a UserCaller,
    values: Values,
    existing: Option<&'a PublicationView>,
    errors: BTreeMap<String, String>,
    notice: Option<String>,
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    shown: Shown<'_>,
    status: StatusCode,
) -> HttpResponse {
    let organisations =
        match editor_organisations(state, shown.user, &shown.values.organisation).await {
            Ok(choices) => choices,
            Err(error) => return failure(state, req, error),
        };
    let locale = super::locale_of(req);
    let heading = if shown.existing.is_some() {
        "publishing-edit"
    } else {
        "publishing-new"
    };
    let page = frame(state, req, i18n::text(locale, heading));
    let values = shown.values;
    let id = shown.existing.map(|p| p.id.clone());
    let action = match &id {
        Some(id) => page.href(&format!("/workspace/publications/{id}")),
        None => page.href("/workspace/publications"),
    };
    render(
        status,
        &PublicationFormPage {
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            public_href: id
                .as_ref()
                .map(|id| page.href(&format!("/publications/{id}"))),
            upload_action: id
                .as_ref()
                .map(|id| page.href(&format!("/workspace/publications/{id}/files"))),
            files: shown
                .existing
                .map(|p| p.files.iter().map(|f| f.file_name.clone()).collect())
                .unwrap_or_default(),
            editing: id,
            organisations,
            types: options(
                &page,
                &TYPES,
                "pubtype-",
                std::slice::from_ref(&values.publication_type),
            ),
            languages: options(
                &page,
                &LANGUAGES,
                "lang-",
                std::slice::from_ref(&values.language),
            ),
            access: options(
                &page,
                &ACCESS,
                "access-",
                std::slice::from_ref(&values.access_level),
            ),
            translations: language_rows(&page, &values.translations),
            authors: values
                .authors
                .iter()
                .enumerate()
                .map(|(index, (name, orcid, affiliation))| AuthorRow {
                    index,
                    name: name.clone(),
                    orcid: orcid.clone(),
                    affiliation: affiliation.clone(),
                })
                .collect(),
            title: values.title,
            abstract_text: values.abstract_text,
            keywords: values.keywords,
            issued: values.issued,
            venue: values.venue,
            doi: values.doi,
            licence: values.licence,
            embargo_until: values.embargo_until,
            errors: shown.errors,
            notice: shown.notice,
            action,
            page,
        },
    )
}

/// `GET /{locale}/workspace/publications/new`.
pub async fn new(req: HttpRequest, state: web::Data<AppState>, visitor: Visitor) -> HttpResponse {
    let Some(user) = visitor.require() else {
        return resume_redirect(&req);
    };
    let shown = Shown {
        user,
        values: Values::blank(),
        existing: None,
        errors: BTreeMap::new(),
        notice: None,
    };
    show(&req, &state, shown, StatusCode::OK).await
}

/// `GET /{locale}/workspace/publications/{id}`: the form of an existing publication (its
/// editors; anyone else gets the API's refusal).
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let Some(user) = visitor.require() else {
        return resume_redirect(&req);
    };
    let (_, id) = path.into_inner();
    let existing = match crate::research::service::get(&state, &visitor.caller, &id).await {
        Ok(found) => found,
        Err(error) => return failure(&state, &req, error),
    };
    if let Err(refused) = check_editor(&state, &req, user, &existing.organisation.slug).await {
        return refused;
    }
    let shown = Shown {
        user,
        values: Values::from_view(&existing),
        existing: Some(&existing),
        errors: BTreeMap::new(),
        notice: done_notice(&req),
    };
    show(&req, &state, shown, StatusCode::OK).await
}

/// `POST /{locale}/workspace/publications` (create) and `…/{id}` (update).
pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Bytes,
) -> HttpResponse {
    let locale = super::locale_of(&req);
    let (user, posted) = match accept_form(&state, &req, &visitor, &body) {
        Ok(accepted) => accepted,
        Err(refused) => return *refused,
    };
    let id = req.match_info().get("id").map(str::to_owned);
    let values = Values::from_posted(&posted);
    let result = match &id {
        Some(id) => {
            crate::research::service::update(&state, &visitor.caller, id, values.input()).await
        }
        None => {
            crate::research::service::create(
                &state,
                &visitor.caller,
                &values.organisation,
                values.input(),
            )
            .await
        }
    };
    match result {
        Ok(saved) => see_other(&format!(
            "/{}/workspace/publications/{}?done=saved",
            locale.tag(),
            saved.id
        )),
        Err(error) if error.code == ErrorCode::ValidationFailed => {
            let existing = match &id {
                Some(id) => crate::research::service::get(&state, &visitor.caller, id)
                    .await
                    .ok(),
                None => None,
            };
            let shown = Shown {
                user,
                values,
                existing: existing.as_ref(),
                errors: forms::field_errors(locale, &error),
                notice: None,
            };
            show(&req, &state, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => failure(&state, &req, error),
    }
}

/// `POST /{locale}/workspace/publications/{id}/files`: one file (the API's upload call).
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> HttpResponse {
    let (locale, id) = path.into_inner();
    let mut file = match accept_upload(&state, &req, &visitor, payload).await {
        Ok(file) => file,
        Err(refused) => return refused,
    };
    let upload = upload_of(&mut file);
    match crate::research::service::upload_file(&state, &visitor.caller, &id, upload).await {
        Ok(_) => see_other(&format!("/{locale}/workspace/publications/{id}?done=file")),
        Err(error) => failure(&state, &req, error),
    }
}
