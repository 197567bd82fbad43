//! Editors publish open data in the browser: `/{locale}/workspace/datasets/new` and
//! `/{locale}/workspace/datasets/{name}` are one form (name, title and description in any of
//! the five languages, licence, tags, period, place, private) making the API's create or
//! update call; on an existing dataset, resources are added by link or by upload, and an
//! upload lands on the dataset's public page, where its preview (table and chart) is shown.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::editing::{
    Choice, LANGUAGES, TextRow, accept_form, accept_upload, check_editor, done_notice,
    editor_organisations, language_rows, options, posted_texts, upload_of,
};
use super::{failure, frame, render, see_other};
use crate::datasets::input::{DatasetInput, DatasetText};
use crate::datasets::resources::ResourceInput;
use crate::datasets::views::DatasetView;
use crate::error::ErrorCode;
use crate::identity::caller::UserCaller;
use crate::portal::chrome::Page;
use crate::portal::forms::{self, Posted};
use crate::portal::session::{Visitor, resume_redirect};
use crate::portal::{csrf, i18n};
use crate::state::AppState;

/// A resource of the dataset.
pub struct ResourceRow {
    pub name: String,
    pub format: String,
}

#[derive(Template)]
#[template(path = "portal/dataset_form.html")]
struct DatasetFormPage {
    page: Page,
    action: String,
    csrf_field: &'static str,
    csrf: String,
    editing: bool,
    public_href: Option<String>,
    link_action: Option<String>,
    upload_action: Option<String>,
    resources: Vec<ResourceRow>,
    organisations: Vec<Choice>,
    languages: Vec<Choice>,
    name: String,
    title: String,
    notes: String,
    translations: Vec<TextRow>,
    licence: String,
    tags: String,
    temporal_start: String,
    temporal_end: String,
    spatial: String,
    private: bool,
    errors: BTreeMap<String, String>,
    notice: Option<String>,
}

/// What the form holds.
struct Values {
    name: String,
    organisation: String,
    language: String,
    title: String,
    notes: String,
    translations: BTreeMap<String, (String, String)>,
    licence: String,
    tags: String,
    temporal_start: String,
    temporal_end: String,
    spatial: String,
    private: bool,
}

impl Values {
    fn from_posted(posted: &Posted) -> Self {
        Self {
            name: posted.text("name"),
            organisation: posted.text("organisation"),
            language: posted.optional("language").unwrap_or("uz-Latn".into()),
            title: posted.text("title"),
            notes: posted.text("notes"),
            translations: posted_texts(posted, "notes"),
            licence: posted.optional("licence").unwrap_or("CC-BY-4.0".into()),
            tags: posted.text("tags"),
            temporal_start: posted.text("temporal_start"),
            temporal_end: posted.text("temporal_end"),
            spatial: posted.text("spatial"),
            private: posted.text("private") == "on",
        }
    }

    fn from_view(view: &DatasetView) -> Self {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        Self {
            name: view.name.clone(),
            organisation: view.organisation.slug.clone(),
            language: view.language.clone(),
            title: view.title.clone(),
            notes: view.notes.clone(),
            translations: view
                .translations
                .iter()
                .map(|t| (t.lang.clone(), (t.title.clone(), t.notes.clone())))
                .collect(),
            licence: view.licence.id.clone(),
            tags: view.tags.join(", "),
            temporal_start: date(view.temporal_start),
            temporal_end: date(view.temporal_end),
            spatial: view.spatial.clone().unwrap_or_default(),
            private: view.private,
        }
    }

    fn input(&self, existing: Option<&DatasetView>) -> DatasetInput {
        let some = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
        DatasetInput {
            name: self.name.clone(),
            organisation: self.organisation.clone(),
            language: Some(self.language.clone()),
            title: self.title.clone(),
            notes: self.notes.clone(),
            translations: self
                .translations
                .iter()
                .filter(|(lang, (title, _))| **lang != self.language && !title.is_empty())
                .map(|(lang, (title, notes))| DatasetText {
                    lang: lang.clone(),
                    title: title.clone(),
                    notes: notes.clone(),
                })
                .collect(),
            licence: some(&self.licence),
            tags: self
                .tags
                .split([',', ';'])
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            // What this form does not edit is kept as it is.
            themes: existing.map(|e| e.themes.clone()).unwrap_or_default(),
            author: existing.and_then(|e| e.author.clone()),
            author_email: existing.and_then(|e| e.author_email.clone()),
            maintainer: existing.and_then(|e| e.maintainer.clone()),
            maintainer_email: existing.and_then(|e| e.maintainer_email.clone()),
            version: existing.and_then(|e| e.version.clone()),
            url: existing.and_then(|e| e.url.clone()),
            temporal_start: self.temporal_start.parse().ok(),
            temporal_end: self.temporal_end.parse().ok(),
            spatial: some(&self.spatial),
            frequency: existing.and_then(|e| e.frequency.clone()),
            private: self.private,
            extras: existing.map(|e| e.extras.clone()).unwrap_or_default(),
        }
    }
}

struct Shown<'a> {
    user: &'a UserCaller,
    values: Values,
    existing: Option<&'a DatasetView>,
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
        "dataset-form-edit"
    } else {
        "dataset-form-new"
    };
    let page = frame(state, req, i18n::text(locale, heading));
    let values = shown.values;
    let name = shown.existing.map(|d| d.name.clone());
    let action = match &name {
        Some(name) => page.href(&format!("/workspace/datasets/{name}")),
        None => page.href("/workspace/datasets"),
    };
    let own = |suffix: &str| {
        name.as_ref()
            .map(|n| page.href(&format!("/workspace/datasets/{n}/{suffix}")))
    };
    render(
        status,
        &DatasetFormPage {
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            editing: name.is_some(),
            public_href: name.as_ref().map(|n| page.href(&format!("/datasets/{n}"))),
            link_action: own("links"),
            upload_action: own("files"),
            resources: shown
                .existing
                .map(|d| {
                    d.resources
                        .iter()
                        .map(|r| ResourceRow {
                            name: r.name.clone(),
                            format: r.format.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            organisations,
            languages: options(
                &page,
                &LANGUAGES,
                "lang-",
                std::slice::from_ref(&values.language),
            ),
            translations: language_rows(&page, &values.translations),
            name: values.name,
            title: values.title,
            notes: values.notes,
            licence: values.licence,
            tags: values.tags,
            temporal_start: values.temporal_start,
            temporal_end: values.temporal_end,
            spatial: values.spatial,
            private: values.private,
            errors: shown.errors,
            notice: shown.notice,
            action,
            page,
        },
    )
}

/// The dataset `name` if the person may edit it (its organisation's editors), else the
/// refusal page the API's answer calls for.
async fn editable(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    user: &UserCaller,
    name: &str,
) -> Result<DatasetView, HttpResponse> {
    let found = crate::datasets::service::get(state, &visitor.caller, name)
        .await
        .map_err(|error| failure(state, req, error))?;
    check_editor(state, req, user, &found.organisation.slug).await?;
    Ok(found)
}

/// `GET /{locale}/workspace/datasets/new`.
pub async fn new(req: HttpRequest, state: web::Data<AppState>, visitor: Visitor) -> HttpResponse {
    let Some(user) = visitor.require() else {
        return resume_redirect(&req);
    };
    let values = Values::from_posted(&Posted::parse(b""));
    let shown = Shown {
        user,
        values,
        existing: None,
        errors: BTreeMap::new(),
        notice: None,
    };
    show(&req, &state, shown, StatusCode::OK).await
}

/// `GET /{locale}/workspace/datasets/{name}`.
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let Some(user) = visitor.require() else {
        return resume_redirect(&req);
    };
    let (_, name) = path.into_inner();
    let existing = match editable(&req, &state, &visitor, user, &name).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let shown = Shown {
        user,
        values: Values::from_view(&existing),
        existing: Some(&existing),
        errors: BTreeMap::new(),
        notice: done_notice(&req),
    };
    show(&req, &state, shown, StatusCode::OK).await
}

/// `POST /{locale}/workspace/datasets` (create) and `…/{name}` (update).
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
    let key = req.match_info().get("name").map(str::to_owned);
    let existing = match &key {
        Some(key) => match editable(&req, &state, &visitor, user, key).await {
            Ok(found) => Some(found),
            Err(page) => return page,
        },
        None => None,
    };
    let mut values = Values::from_posted(&posted);
    if let Some(existing) = &existing {
        values.organisation = existing.organisation.slug.clone();
    }
    let input = values.input(existing.as_ref());
    let result = match &key {
        Some(key) => crate::datasets::service::update(&state, &visitor.caller, key, input).await,
        None => crate::datasets::service::create(&state, &visitor.caller, input, Vec::new()).await,
    };
    match result {
        Ok(saved) => see_other(&format!(
            "/{}/workspace/datasets/{}?done=saved",
            locale.tag(),
            saved.name
        )),
        Err(error) if error.code == ErrorCode::ValidationFailed => {
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

/// `POST /{locale}/workspace/datasets/{name}/links`: a resource by link.
pub async fn add_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, name) = path.into_inner();
    let posted = match accept_form(&state, &req, &visitor, &body) {
        Ok((_, posted)) => posted,
        Err(refused) => return *refused,
    };
    let link = ResourceInput {
        name: posted.optional("link-name"),
        description: posted.text("description"),
        format: posted.optional("format"),
        url: posted.optional("url"),
    };
    match crate::datasets::service::add_link(&state, &visitor.caller, &name, link).await {
        Ok(_) => see_other(&format!("/{locale}/workspace/datasets/{name}?done=link")),
        Err(error) => failure(&state, &req, error),
    }
}

/// `POST /{locale}/workspace/datasets/{name}/files`: a resource by upload, checked and
/// previewed as it streams in; then the dataset's page, which shows the preview.
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> HttpResponse {
    let (locale, name) = path.into_inner();
    let mut file = match accept_upload(&state, &req, &visitor, payload).await {
        Ok(file) => file,
        Err(refused) => return refused,
    };
    let meta = ResourceInput {
        name: None,
        description: String::new(),
        format: None,
        url: None,
    };
    let upload = upload_of(&mut file);
    match crate::datasets::service::upload_resource(&state, &visitor.caller, &name, meta, upload)
        .await
    {
        Ok(_) => see_other(&format!("/{locale}/datasets/{name}")),
        Err(error) => failure(&state, &req, error),
    }
}
