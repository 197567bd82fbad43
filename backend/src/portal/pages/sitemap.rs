//! `sitemap.xml` for search engines: an index of one sitemap per kind, each listing every
//! public page in Uzbek with its four other languages as `hreflang` alternates. What is listed
//! is what an anonymous visitor may see, read through the same service calls.

use actix_web::{HttpResponse, web};

use crate::datasets::input::DatasetQuery;
use crate::error::ApiResult;
use crate::http::pagination::PageParams;
use crate::identity::caller::Caller;
use crate::identity::input::OrganisationQuery;
use crate::marketplace::input::ListingQuery;
use crate::portal::locale::Locale;
use crate::research::input::PublicationQuery;
use crate::state::AppState;

/// Most URLs one sitemap may hold (sitemaps.org).
const MAX_URLS: usize = 50_000;
const KINDS: [&str; 5] = [
    "pages",
    "organisations",
    "publications",
    "datasets",
    "listings",
];

fn base(state: &AppState) -> String {
    state.config.public_url.trim_end_matches('/').to_owned()
}

fn xml(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(body)
}

/// `GET /sitemap.xml`: the index.
pub async fn index(state: web::Data<AppState>) -> HttpResponse {
    let base = base(&state);
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for kind in KINDS {
        body.push_str(&format!(
            "<sitemap><loc>{base}/sitemap-{kind}.xml</loc></sitemap>\n"
        ));
    }
    body.push_str("</sitemapindex>\n");
    xml(body)
}

/// Every page of a paged service list, up to the sitemap's limit.
async fn all<T, F, Fut>(mut next: F) -> ApiResult<Vec<T>>
where
    F: FnMut(PageParams) -> Fut,
    Fut: std::future::Future<Output = ApiResult<crate::http::pagination::Page<T>>>,
{
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = next(PageParams {
            limit: Some(100),
            cursor,
        })
        .await?;
        items.extend(page.items);
        match page.next_cursor {
            Some(more) if items.len() < MAX_URLS => cursor = Some(more),
            _ => break,
        }
    }
    items.truncate(MAX_URLS);
    Ok(items)
}

/// `GET /sitemap-{kind}.xml`.
pub async fn kind(
    state: web::Data<AppState>,
    kind: web::Path<String>,
) -> Result<HttpResponse, crate::error::ApiError> {
    let anyone = Caller::Anonymous;
    let paths: Vec<String> = match kind.as_str() {
        "pages" => ["/", "/search", "/marketplace", "/imei"]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        "organisations" => all(|page| {
            crate::identity::service::list_organisations(&state, OrganisationQuery::default(), page)
        })
        .await?
        .into_iter()
        .map(|o| format!("/organisations/{}", o.slug))
        .collect(),
        "publications" => all(|page| {
            crate::research::service::list(&state, &anyone, PublicationQuery::default(), page)
        })
        .await?
        .into_iter()
        .map(|p| format!("/publications/{}", p.id))
        .collect(),
        "datasets" => all(|page| {
            crate::datasets::service::list(&state, &anyone, DatasetQuery::default(), page)
        })
        .await?
        .into_iter()
        .map(|d| format!("/datasets/{}", d.name))
        .collect(),
        "listings" => all(|page| {
            crate::marketplace::service::list_published(&state, ListingQuery::default(), page)
        })
        .await?
        .into_iter()
        .map(|l| format!("/marketplace/{}", l.id))
        .collect(),
        other => {
            return Err(crate::error::ApiError::not_found(format_args!(
                "sitemap `{other}`"
            )));
        }
    };
    let base = base(&state);
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for path in paths {
        let path = quick_xml::escape::escape(path.as_str());
        body.push_str(&format!(
            "<url><loc>{base}/{}{path}</loc>",
            Locale::Uz.tag()
        ));
        for locale in Locale::ALL {
            body.push_str(&format!(
                "<xhtml:link rel=\"alternate\" hreflang=\"{tag}\" href=\"{base}/{tag}{path}\"/>",
                tag = locale.tag()
            ));
        }
        body.push_str("</url>\n");
    }
    body.push_str("</urlset>\n");
    Ok(xml(body))
}
