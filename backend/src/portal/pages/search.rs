//! The search page: results of every kind the visitor may see (the same access-filtered
//! index and call as `GET /api/v1/search`), facets with counts, sort and pagination, every
//! state a stable URL built from the API's own parameters.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{failure, frame, render};
use crate::identity::caller::Caller;
use crate::portal::chrome::Page;
use crate::portal::{format, i18n};
use crate::search::service::{self, FacetValue, SearchParams};
use crate::state::AppState;

/// One result as the page lists it.
pub struct Hit {
    pub kind: String,
    pub href: String,
    pub title: String,
    /// HTML-escaped by the search service, with `<mark>` around the matched words.
    pub snippet: String,
}

/// A facet value: its label, count and the URL that toggles it.
pub struct FacetLink {
    pub label: String,
    /// The count as the locale writes it.
    pub count: String,
    pub href: String,
    pub selected: bool,
}

pub struct Facet {
    pub label: String,
    pub values: Vec<FacetLink>,
}

#[derive(Template)]
#[template(path = "portal/search.html")]
struct SearchPage {
    page: Page,
    q: String,
    count: String,
    hits: Vec<Hit>,
    facets: Vec<Facet>,
    newest: bool,
    relevance_href: String,
    newest_href: String,
    next_href: Option<String>,
    clear_href: Option<String>,
}

/// The page of a hit, in the page's locale.
pub(super) fn hit_href(page: &Page, kind: &str, id: &str) -> String {
    match kind {
        "publication" => page.href(&format!("/publications/{id}")),
        "dataset" => page.href(&format!("/datasets/{id}")),
        "organisation" => page.href(&format!("/organisations/{id}")),
        "listing" => page.href(&format!("/marketplace/{id}")),
        "programme" => page.href(&format!("/programmes/{id}")),
        _ => page.href(&format!("/search?kind={kind}")),
    }
}

/// The search URL for `params` (empty ones left out), in the page's locale.
fn search_href(page: &Page, params: &SearchParams) -> String {
    page.href_with(
        "/search",
        &[
            ("q", params.q.as_deref()),
            ("kind", params.kind.as_deref()),
            ("country", params.country.as_deref()),
            ("language", params.language.as_deref()),
            ("organisation", params.organisation.as_deref()),
            (
                "year_from",
                params.year_from.map(|y| y.to_string()).as_deref(),
            ),
            ("year_to", params.year_to.map(|y| y.to_string()).as_deref()),
            ("licence", params.licence.as_deref()),
            ("tag", params.tag.as_deref()),
            ("sort", params.sort.as_deref()),
            ("cursor", params.cursor.as_deref()),
        ],
    )
}

/// A facet's values, each linking to the search with that value set (or unset when it is).
fn facet(
    page: &Page,
    params: &SearchParams,
    label_key: &str,
    values: Vec<FacetValue>,
    current: Option<&str>,
    set: fn(&mut SearchParams, Option<String>),
    label_of: impl Fn(&str) -> String,
) -> Facet {
    let values = values
        .into_iter()
        .filter(|v| v.count > 0)
        .map(|v| {
            let selected = current == Some(v.value.as_str());
            let mut next = params.clone();
            next.cursor = None;
            set(&mut next, (!selected).then(|| v.value.clone()));
            FacetLink {
                label: v.label.clone().unwrap_or_else(|| label_of(&v.value)),
                count: format::number(page.locale, v.count as i64),
                href: search_href(page, &next),
                selected,
            }
        })
        .collect();
    Facet {
        label: page.t(label_key),
        values,
    }
}

/// `GET /{locale}/search`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<SearchParams>,
) -> HttpResponse {
    let params = params.into_inner();
    let page = frame(
        &state,
        &req,
        i18n::text(super::locale_of(&req), "search-title"),
    );
    let found = match service::search(&state, &caller, params.clone()).await {
        Ok(found) => found,
        Err(error) => return failure(&state, &req, error),
    };
    let count = i18n::counted(page.locale, "search-count", found.total);
    let hits = found
        .items
        .into_iter()
        .map(|hit| Hit {
            kind: page.t(&format!("kind-{}", hit.kind)),
            href: hit_href(&page, &hit.kind, &hit.id),
            title: hit.title,
            snippet: hit.snippet,
        })
        .collect();
    let locale = page.locale;
    // The year facet selects one year: both ends of the range set to it.
    let year = match (params.year_from, params.year_to) {
        (Some(from), Some(to)) if from == to => Some(from.to_string()),
        _ => None,
    };
    let facets = vec![
        facet(
            &page,
            &params,
            "facet-kind",
            found.facets.kind,
            params.kind.as_deref(),
            |p, v| p.kind = v,
            |v| i18n::text(locale, &format!("kind-{v}")),
        ),
        facet(
            &page,
            &params,
            "facet-country",
            found.facets.country,
            params.country.as_deref(),
            |p, v| p.country = v,
            |v| i18n::text(locale, &format!("country-{v}")),
        ),
        facet(
            &page,
            &params,
            "facet-language",
            found.facets.language,
            params.language.as_deref(),
            |p, v| p.language = v,
            |v| i18n::text(locale, &format!("lang-{v}")),
        ),
        facet(
            &page,
            &params,
            "facet-organisation",
            found.facets.organisation,
            params.organisation.as_deref(),
            |p, v| p.organisation = v,
            str::to_owned,
        ),
        facet(
            &page,
            &params,
            "facet-year",
            found.facets.year,
            year.as_deref(),
            |p, v| {
                let year = v.and_then(|v| v.parse().ok());
                p.year_from = year;
                p.year_to = year;
            },
            str::to_owned,
        ),
        facet(
            &page,
            &params,
            "facet-licence",
            found.facets.licence,
            params.licence.as_deref(),
            |p, v| p.licence = v,
            str::to_owned,
        ),
        facet(
            &page,
            &params,
            "facet-tag",
            found.facets.tag,
            params.tag.as_deref(),
            |p, v| p.tag = v,
            str::to_owned,
        ),
    ];
    let newest = params.sort.as_deref() == Some("newest");
    let with_sort = |sort: Option<&str>| {
        let mut next = params.clone();
        next.cursor = None;
        next.sort = sort.map(str::to_owned);
        search_href(&page, &next)
    };
    let next_href = found.next_cursor.map(|cursor| {
        let mut next = params.clone();
        next.cursor = Some(cursor);
        search_href(&page, &next)
    });
    let filtered = params.kind.is_some()
        || params.country.is_some()
        || params.language.is_some()
        || params.organisation.is_some()
        || params.year_from.is_some()
        || params.year_to.is_some()
        || params.licence.is_some()
        || params.tag.is_some();
    let clear_href = filtered.then(|| {
        search_href(
            &page,
            &SearchParams {
                q: params.q.clone(),
                ..SearchParams::default()
            },
        )
    });
    let template = SearchPage {
        q: params.q.clone().unwrap_or_default(),
        count,
        hits,
        facets,
        newest,
        relevance_href: with_sort(None),
        newest_href: with_sort(Some("newest")),
        next_href,
        clear_href,
        page,
    };
    render(StatusCode::OK, &template)
}
