//! A dataset's page: its description in the page's language where there is one, publisher,
//! licence, themes, tags and period, its resources with their previews, and links to the
//! same dataset for machines (CKAN JSON, DCAT Turtle and JSON-LD).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{failure, frame, json_ld, link, render_linked, size};
use crate::datasets::preview::Preview;
use crate::datasets::views::DatasetView;
use crate::identity::caller::Caller;
use crate::portal::chart::{self, Chart};
use crate::portal::chrome::Page;
use crate::portal::locale::Locale;
use crate::state::AppState;

pub struct ResourceRow {
    pub name: String,
    pub format: String,
    pub size: String,
    pub href: String,
    pub preview: Option<Preview>,
    /// Bar charts of the preview's numeric columns.
    pub charts: Vec<Chart>,
}

#[derive(Template)]
#[template(path = "portal/dataset.html")]
struct DatasetPage {
    page: Page,
    title: String,
    notes: String,
    lang: String,
    publisher: String,
    publisher_href: String,
    licence: String,
    licence_url: Option<String>,
    themes: Vec<String>,
    tags: Vec<String>,
    period: Option<String>,
    resources: Vec<ResourceRow>,
    machines: Vec<(&'static str, String)>,
    json_ld: String,
}

/// The dataset's title and notes in `locale` if translated into it, else as written.
fn text_for(view: &DatasetView, locale: Locale) -> (String, String, String) {
    let wanted = locale.content_tag();
    match view.translations.iter().find(|t| t.lang == wanted) {
        Some(t) if view.language != wanted => (t.title.clone(), t.notes.clone(), t.lang.clone()),
        _ => (
            view.title.clone(),
            view.notes.clone(),
            view.language.clone(),
        ),
    }
}

/// `GET /{locale}/datasets/{key}` (name or id).
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, key) = path.into_inner();
    let view = match crate::datasets::service::get(&state, &caller, &key).await {
        Ok(view) if view.state == "active" => view,
        Ok(view) => {
            let gone = crate::error::ApiError::not_found(format_args!("dataset `{}`", view.name));
            return failure(&state, &req, gone);
        }
        Err(error) => return failure(&state, &req, error),
    };
    let (title, notes, lang) = text_for(&view, super::locale_of(&req));
    let page = frame(&state, &req, title.clone());
    let day = |d: chrono::NaiveDate| crate::portal::format::date(page.locale, d);
    let period = match (view.temporal_start.map(day), view.temporal_end.map(day)) {
        (Some(start), Some(end)) => Some(format!("{start} – {end}")),
        (Some(start), None) => Some(format!("{start} –")),
        (None, Some(end)) => Some(format!("– {end}")),
        (None, None) => None,
    };
    let name = view.name.clone();
    let base = state.config.public_url.trim_end_matches('/').to_owned();
    let absolute = |url: &str| {
        if url.starts_with('/') {
            format!("{base}{url}")
        } else {
            url.to_owned()
        }
    };
    let structured = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": page.canonical,
        "url": page.canonical,
        "name": view.title,
        "description": view.notes,
        "inLanguage": view.language,
        "license": view.licence.url,
        "keywords": view.tags,
        "publisher": {"@type": "Organization", "name": view.organisation.name},
        // ISO 8601 interval, open ends as `..` (schema.org's form).
        "temporalCoverage": (view.temporal_start.is_some() || view.temporal_end.is_some()).then(|| {
            let end = |d: Option<chrono::NaiveDate>| d.map_or("..".to_owned(), |d| d.to_string());
            format!("{}/{}", end(view.temporal_start), end(view.temporal_end))
        }),
        "distribution": view.resources.iter().map(|r| serde_json::json!({
            "@type": "DataDownload",
            "name": r.name,
            "encodingFormat": r.media_type.clone().unwrap_or_else(|| r.format.clone()),
            "contentUrl": absolute(&r.url),
        })).collect::<Vec<_>>(),
    });
    let mut links = vec![
        link(&page.canonical, "cite-as", None),
        link(
            &format!("{base}/dataset/{name}.ttl"),
            "describedby",
            Some("text/turtle"),
        ),
        link(
            &format!("{base}/dataset/{name}.jsonld"),
            "describedby",
            Some("application/ld+json"),
        ),
    ];
    links.extend(
        view.licence
            .url
            .iter()
            .map(|url| link(url, "license", None)),
    );
    links.extend(
        view.resources
            .iter()
            .map(|r| link(&absolute(&r.url), "item", r.media_type.as_deref())),
    );
    let template = DatasetPage {
        json_ld: json_ld(&structured),
        title,
        notes,
        lang,
        publisher: view.organisation.name.clone(),
        publisher_href: page.href(&format!("/organisations/{}", view.organisation.slug)),
        licence: view.licence.title.clone(),
        licence_url: view.licence.url.clone(),
        themes: view.themes.clone(),
        tags: view.tags.clone(),
        period,
        resources: view
            .resources
            .into_iter()
            .enumerate()
            .map(|(key, r)| ResourceRow {
                name: r.name,
                format: r.format,
                size: r
                    .size_bytes
                    .map(|bytes| size(page.locale, bytes))
                    .unwrap_or_default(),
                href: r.url,
                charts: r
                    .preview
                    .as_ref()
                    .map(|p| chart::charts(key, p))
                    .unwrap_or_default(),
                preview: r.preview,
            })
            .collect(),
        machines: vec![
            ("CKAN JSON", format!("/api/3/action/package_show?id={name}")),
            ("DCAT Turtle", format!("/dataset/{name}.ttl")),
            ("DCAT JSON-LD", format!("/dataset/{name}.jsonld")),
        ],
        page,
    };
    render_linked(StatusCode::OK, &template, &links)
}
