//! An organisation's page: its name in the page's language, country, kind and website, and
//! what it publishes that the visitor may see.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::home::{Item, dataset_item, publication_item};
use super::{failure, frame, json_ld, render};
use crate::datasets::input::DatasetQuery;
use crate::http::pagination::PageParams;
use crate::identity::caller::Caller;
use crate::portal::chrome::Page;
use crate::research::input::PublicationQuery;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "portal/organisation.html")]
struct OrganisationPage {
    page: Page,
    name: String,
    lang: String,
    country: String,
    kind: String,
    website: Option<String>,
    publications: Vec<Item>,
    datasets: Vec<Item>,
    json_ld: String,
}

/// How many of each the page lists.
const SHOWN: u32 = 10;

/// `GET /{locale}/organisations/{key}` (slug or id).
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, key) = path.into_inner();
    let organisation = match crate::identity::service::organisation_by_key(&state, &key).await {
        Ok(found) => found,
        Err(error) => return failure(&state, &req, error),
    };
    let locale = super::locale_of(&req);
    let (name, lang) = organisation
        .names
        .iter()
        .find(|n| n.lang == locale.content_tag())
        .map_or((organisation.name.clone(), String::new()), |n| {
            (n.text.clone(), n.lang.clone())
        });
    let shown = PageParams {
        limit: Some(SHOWN),
        cursor: None,
    };
    let publications = crate::research::service::list(
        &state,
        &caller,
        PublicationQuery {
            organisation: Some(organisation.slug.clone()),
            ..PublicationQuery::default()
        },
        shown.clone(),
    );
    let datasets = crate::datasets::service::list(
        &state,
        &caller,
        DatasetQuery {
            organisation: Some(organisation.slug.clone()),
            ..DatasetQuery::default()
        },
        shown,
    );
    let (publications, datasets) = match futures_util::try_join!(publications, datasets) {
        Ok(found) => found,
        Err(error) => return failure(&state, &req, error),
    };
    let page = frame(&state, &req, name.clone());
    let publications = publications
        .items
        .iter()
        .map(|p| publication_item(&page, p, p.year.to_string()))
        .collect();
    let datasets = datasets
        .items
        .into_iter()
        .map(|d| {
            let licence = d.licence.title.clone();
            dataset_item(&page, d, licence)
        })
        .collect();
    let structured = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": page.canonical,
        "name": organisation.name,
        "alternateName": organisation.names.iter().map(|n| n.text.clone()).collect::<Vec<_>>(),
        "url": organisation.website,
        "address": {"@type": "PostalAddress", "addressCountry": organisation.country.as_str()},
    });
    let template = OrganisationPage {
        json_ld: json_ld(&structured),
        name,
        lang,
        country: page.t(&format!("country-{}", organisation.country.as_str())),
        kind: page.t(&format!("orgkind-{}", organisation.kind.as_str())),
        website: organisation.website.clone(),
        publications,
        datasets,
        page,
    };
    render(StatusCode::OK, &template)
}
