//! The home page: one search box over everything, the latest open publications and datasets,
//! what the index holds by kind and country, and the machine interfaces.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{failure, frame, render};
use crate::datasets::input::DatasetQuery;
use crate::datasets::views::DatasetView;
use crate::http::pagination::PageParams;
use crate::identity::caller::Caller;
use crate::portal::chrome::Page;
use crate::portal::i18n;
use crate::research::input::PublicationQuery;
use crate::research::views::PublicationView;
use crate::search::service::SearchParams;
use crate::state::AppState;

/// A linked line of a list on the page.
pub struct Item {
    pub href: String,
    pub title: String,
    /// The language of `title`.
    pub lang: String,
    pub detail: String,
}

/// A count of the index (`12 Datasets`).
pub struct Count {
    pub label: String,
    /// As the locale writes it.
    pub count: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    page: Page,
    publications: Vec<Item>,
    datasets: Vec<Item>,
    counts: Vec<Count>,
}

const LATEST: u32 = 5;

/// A publication as lists show it: its title in the page's language, and `detail`.
pub(super) fn publication_item(page: &Page, view: &PublicationView, detail: String) -> Item {
    let text = super::publication::text_for(view, page.locale);
    Item {
        href: page.href(&format!("/publications/{}", view.id)),
        title: text.title,
        lang: text.lang,
        detail,
    }
}

/// A dataset as lists show it.
pub(super) fn dataset_item(page: &Page, view: DatasetView, detail: String) -> Item {
    Item {
        href: page.href(&format!("/datasets/{}", view.name)),
        title: view.title,
        lang: view.language,
        detail,
    }
}

/// `GET /{locale}/`.
pub async fn page(req: HttpRequest, state: web::Data<AppState>, caller: Caller) -> HttpResponse {
    let page = frame(
        &state,
        &req,
        i18n::text(super::locale_of(&req), "home-title"),
    );
    let latest = PageParams {
        limit: Some(LATEST),
        cursor: None,
    };
    let publications = crate::research::service::list(
        &state,
        &caller,
        PublicationQuery::default(),
        latest.clone(),
    );
    let datasets = crate::datasets::service::list(
        &state,
        &caller,
        DatasetQuery {
            sort: Some("-updated".into()),
            ..DatasetQuery::default()
        },
        latest,
    );
    let everything = crate::search::service::search(
        &state,
        &caller,
        SearchParams {
            limit: Some(1),
            ..SearchParams::default()
        },
    );
    let (publications, datasets, everything) =
        match futures_util::try_join!(publications, datasets, everything) {
            Ok(found) => found,
            Err(error) => return failure(&state, &req, error),
        };
    let publications = publications
        .items
        .iter()
        .map(|p| publication_item(&page, p, format!("{} · {}", p.organisation.name, p.year)))
        .collect();
    let datasets = datasets
        .items
        .into_iter()
        .map(|d| {
            let publisher = d.organisation.name.clone();
            dataset_item(&page, d, publisher)
        })
        .collect();
    let mut counts: Vec<Count> = everything
        .facets
        .kind
        .into_iter()
        .filter(|k| k.count > 0 && k.value != "document")
        .map(|k| Count {
            label: page.t(&format!("kind-{}", k.value)),
            count: crate::portal::format::number(page.locale, k.count as i64),
            href: page.href(&format!("/search?kind={}", k.value)),
        })
        .collect();
    counts.extend(
        everything
            .facets
            .country
            .into_iter()
            .filter(|c| c.count > 0)
            .map(|c| Count {
                label: page.t(&format!("country-{}", c.value)),
                count: crate::portal::format::number(page.locale, c.count as i64),
                href: page.href(&format!("/search?country={}", c.value)),
            }),
    );
    render(
        StatusCode::OK,
        &HomePage {
            page,
            publications,
            datasets,
            counts,
        },
    )
}
