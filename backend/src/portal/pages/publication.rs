//! A publication's landing page: its text in the page's language where there is one (each
//! field marked with the language it is in), its metadata, files and citations, and the
//! Highwire `citation_*` tags scholarly search engines read.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{failure, frame, json_ld, link, render_linked, size};
use crate::error::ErrorCode;
use crate::identity::caller::Caller;
use crate::portal::chrome::Page;
use crate::portal::format;
use crate::portal::i18n;
use crate::portal::locale::Locale;
use crate::research::citation_style::{self, CitationStyle, Span};
use crate::research::views::{PublicationView, Tombstone};
use crate::state::AppState;

/// A title and abstract, and the language they are in.
pub struct Text {
    pub title: String,
    pub abstract_text: String,
    pub lang: String,
}

/// The publication's text in `locale` if it has a translation into it, else as written.
pub fn text_for(view: &PublicationView, locale: Locale) -> Text {
    let wanted = locale.content_tag();
    view.translations
        .iter()
        .find(|t| t.lang == wanted)
        .map(|t| Text {
            title: t.title.clone(),
            abstract_text: t.abstract_text.clone(),
            lang: t.lang.clone(),
        })
        .filter(|_| view.language != wanted)
        .unwrap_or_else(|| Text {
            title: view.title.clone(),
            abstract_text: view.abstract_text.clone(),
            lang: view.language.clone(),
        })
}

pub struct Author {
    pub name: String,
    pub orcid: Option<String>,
}

pub struct FileRow {
    pub name: String,
    pub format: String,
    pub size: String,
    pub sha256: String,
    pub href: String,
}

/// A `<meta name="citation_…">` tag.
pub struct Meta {
    pub name: &'static str,
    pub content: String,
}

#[derive(Template)]
#[template(path = "portal/publication.html")]
struct PublicationPage {
    page: Page,
    text: Text,
    authors: Vec<Author>,
    organisation_name: String,
    organisation_href: String,
    issued: String,
    kind: String,
    doi: Option<String>,
    licence: String,
    keywords: Vec<String>,
    embargo: Option<String>,
    files: Vec<FileRow>,
    citations: Vec<(&'static str, String)>,
    /// The formatted references: the style's name and the reference's runs of text.
    references: Vec<(&'static str, Vec<Span>)>,
    versions: String,
    meta: Vec<Meta>,
    json_ld: String,
}

#[derive(Template)]
#[template(path = "portal/withdrawn.html")]
struct WithdrawnPage {
    page: Page,
    title: String,
    lang: String,
    authors: String,
    issued: String,
    doi: Option<String>,
    notice: String,
}

/// 410 for a publication withdrawn after it was public: what it was, so a citation of it
/// still lands somewhere that says what happened.
fn gone(state: &AppState, req: &HttpRequest, tombstone: Tombstone) -> HttpResponse {
    let content = tombstone.content;
    let page = frame(state, req, content.title.clone());
    let notice = i18n::text_with(
        page.locale,
        "publication-withdrawn",
        &[(
            "date",
            format::date(page.locale, tombstone.withdrawn_at.date()).into(),
        )],
    );
    render_linked(
        StatusCode::GONE,
        &WithdrawnPage {
            title: content.title,
            lang: content.language,
            authors: content
                .authors
                .into_iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
                .join("; "),
            issued: format::issued(page.locale, &content.issued),
            doi: content.doi,
            notice,
            page,
        },
        &[],
    )
}

/// `GET /{locale}/publications/{id}`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (view, versions) = match futures_util::try_join!(
        crate::research::service::get(&state, &caller, &id),
        crate::research::service::versions(&state, &caller, &id),
    ) {
        Ok(found) => found,
        Err(error) if error.code == ErrorCode::NotFound => {
            return match crate::research::service::tombstone(&state, &id).await {
                Ok(Some(tombstone)) => gone(&state, &req, tombstone),
                Ok(None) => failure(&state, &req, error),
                Err(other) => failure(&state, &req, other),
            };
        }
        Err(error) => return failure(&state, &req, error),
    };
    let text = text_for(&view, super::locale_of(&req));
    let page = frame(&state, &req, text.title.clone());
    let api = format!("/api/v1/research/publications/{}", view.id);
    let today = chrono::Utc::now().date_naive();
    let embargo = match (view.access_level.as_str(), view.embargo_until) {
        ("embargoed", Some(until)) if until > today => Some(i18n::text_with(
            page.locale,
            "publication-embargo",
            &[("date", format::date(page.locale, until).into())],
        )),
        _ => None,
    };
    let mut meta = vec![
        Meta {
            name: "citation_title",
            content: view.title.clone(),
        },
        Meta {
            name: "citation_publication_date",
            content: view.issued.replace('-', "/"),
        },
        Meta {
            name: "citation_publisher",
            content: view.organisation.name.clone(),
        },
    ];
    meta.extend(view.authors.iter().map(|a| Meta {
        name: "citation_author",
        content: a.name.clone(),
    }));
    meta.extend(view.doi.iter().map(|doi| Meta {
        name: "citation_doi",
        content: doi.clone(),
    }));
    let base = state.config.public_url.trim_end_matches('/');
    meta.extend(
        view.files
            .iter()
            .filter(|f| f.content_type == "application/pdf")
            .take(1)
            .map(|f| Meta {
                name: "citation_pdf_url",
                content: format!("{base}{}", f.url),
            }),
    );
    let doi_url = view
        .doi
        .as_ref()
        .map(|doi| format!("https://doi.org/{doi}"));
    let licence_url = format!("https://spdx.org/licenses/{}.html", view.licence);
    let structured = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "@id": page.canonical,
        "url": page.canonical,
        "headline": view.title,
        "name": view.title,
        "abstract": view.abstract_text,
        "inLanguage": view.language,
        "datePublished": view.issued,
        "author": view.authors.iter().map(|a| {
            let mut person = serde_json::json!({"@type": "Person", "name": a.name});
            if let Some(orcid) = &a.orcid {
                person["identifier"] = format!("https://orcid.org/{orcid}").into();
            }
            person
        }).collect::<Vec<_>>(),
        "publisher": {"@type": "Organization", "name": view.organisation.name},
        "license": licence_url,
        "keywords": view.keywords,
        "identifier": doi_url,
    });
    let mut links = vec![
        link(
            doi_url.as_deref().unwrap_or(&page.canonical),
            "cite-as",
            None,
        ),
        link(
            &format!("{base}{api}"),
            "describedby",
            Some("application/json"),
        ),
        link(
            &format!("{base}{api}/citation?format=bibtex"),
            "describedby",
            Some("application/x-bibtex"),
        ),
        link(&licence_url, "license", None),
    ];
    links.extend(view.authors.iter().filter_map(|a| {
        a.orcid
            .as_ref()
            .map(|orcid| link(&format!("https://orcid.org/{orcid}"), "author", None))
    }));
    links.extend(
        view.files
            .iter()
            .map(|f| link(&format!("{base}{}", f.url), "item", Some(&f.content_type))),
    );
    let references = CitationStyle::ALL
        .into_iter()
        .filter_map(|style| {
            citation_style::reference(&view, base, style).map(|spans| (style.label(), spans))
        })
        .collect();
    let template = PublicationPage {
        references,
        json_ld: json_ld(&structured),
        authors: view
            .authors
            .iter()
            .map(|a| Author {
                name: a.name.clone(),
                orcid: a.orcid.clone(),
            })
            .collect(),
        organisation_name: view.organisation.name.clone(),
        organisation_href: page.href(&format!("/organisations/{}", view.organisation.slug)),
        issued: format::issued(page.locale, &view.issued),
        kind: page.t(&format!("pubtype-{}", view.publication_type)),
        doi: view.doi.clone(),
        licence: view.licence.clone(),
        keywords: view.keywords.clone(),
        embargo,
        files: view
            .files
            .iter()
            .map(|f| FileRow {
                name: f.file_name.clone(),
                format: f.content_type.clone(),
                size: size(page.locale, f.size_bytes),
                sha256: f.sha256.clone(),
                href: f.url.clone(),
            })
            .collect(),
        citations: [
            ("BibTeX", "bibtex"),
            ("RIS", "ris"),
            ("CSL-JSON", "csl-json"),
        ]
        .into_iter()
        .map(|(label, format)| (label, format!("{api}/citation?format={format}")))
        .collect(),
        versions: i18n::counted(page.locale, "publication-versions", versions.len() as u64),
        meta,
        text,
        page,
    };
    render_linked(StatusCode::OK, &template, &links)
}
