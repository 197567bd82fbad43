//! `sitemap.xml` for search engines: an index of one sitemap per kind, each listing every
//! public page in Uzbek with its four other languages as `hreflang` alternates. What is listed
//! is what an anonymous visitor may see, read through the same service calls. A kind with more
//! than 50,000 pages (the protocol's limit per file) is split into numbered files
//! (`sitemap-publications-2.xml`), as many as the search index counts public items of it.

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
/// The sitemaps, each with the search index's kind of its items (none for fixed pages).
const KINDS: [(&str, Option<&str>); 6] = [
    ("pages", None),
    ("organisations", Some("organisation")),
    ("publications", Some("publication")),
    ("datasets", Some("dataset")),
    ("listings", Some("listing")),
    // A few hundred at most: one file.
    ("programmes", None),
];

fn base(state: &AppState) -> String {
    state.config.public_url.trim_end_matches('/').to_owned()
}

fn xml(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(body)
}

/// How many public items of a search kind there are, by the index's count for anyone.
async fn public_count(state: &AppState, kind: &str) -> ApiResult<u64> {
    let found = crate::search::service::search(
        state,
        &Caller::Anonymous,
        crate::search::service::SearchParams {
            kind: Some(kind.to_owned()),
            limit: Some(1),
            ..Default::default()
        },
    )
    .await?;
    Ok(found.total)
}

/// `GET /sitemap.xml`: the index.
pub async fn index(state: web::Data<AppState>) -> Result<HttpResponse, crate::error::ApiError> {
    let base = base(&state);
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (name, search_kind) in KINDS {
        let files = match search_kind {
            Some(kind) => public_count(&state, kind)
                .await?
                .div_ceil(MAX_URLS as u64)
                .max(1),
            None => 1,
        };
        body.push_str(&format!(
            "<sitemap><loc>{base}/sitemap-{name}.xml</loc></sitemap>\n"
        ));
        for number in 2..=files {
            body.push_str(&format!(
                "<sitemap><loc>{base}/sitemap-{name}-{number}.xml</loc></sitemap>\n"
            ));
        }
    }
    body.push_str("</sitemapindex>\n");
    Ok(xml(body))
}

/// The items of sitemap file `number` (from 1) of a paged service list: the list's
/// `MAX_URLS` items from `(number - 1) * MAX_URLS` on. Keyset pages cannot jump, so the
/// earlier items are walked past (a crawler reads these files rarely).
async fn all<T, F, Fut>(number: usize, mut next: F) -> ApiResult<Vec<T>>
where
    F: FnMut(PageParams) -> Fut,
    Fut: std::future::Future<Output = ApiResult<crate::http::pagination::Page<T>>>,
{
    let skip = (number - 1) * MAX_URLS;
    let mut seen = 0;
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = next(PageParams {
            limit: Some(100),
            cursor,
        })
        .await?;
        for item in page.items {
            if seen >= skip {
                items.push(item);
            }
            seen += 1;
        }
        match page.next_cursor {
            Some(more) if items.len() < MAX_URLS => cursor = Some(more),
            _ => break,
        }
    }
    items.truncate(MAX_URLS);
    Ok(items)
}

/// `publications` → (`publications`, 1); `publications-2` → (`publications`, 2).
fn file_of(name: &str) -> Option<(&str, usize)> {
    match name.rsplit_once('-') {
        Some((kind, number)) => match number.parse::<usize>() {
            Ok(number) if (2..=1_000).contains(&number) => Some((kind, number)),
            _ => None,
        },
        None => Some((name, 1)),
    }
}

/// `GET /sitemap-{kind}.xml`.
pub async fn kind(
    state: web::Data<AppState>,
    kind: web::Path<String>,
) -> Result<HttpResponse, crate::error::ApiError> {
    let anyone = Caller::Anonymous;
    let not_found = || crate::error::ApiError::not_found(format_args!("sitemap `{kind}`"));
    let (name, number) = file_of(kind.as_str()).ok_or_else(not_found)?;
    let paths: Vec<String> = match name {
        "pages" if number > 1 => return Err(not_found()),
        "pages" => ["/", "/search", "/marketplace", "/programmes", "/imei"]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        "organisations" => all(number, |page| {
            crate::identity::service::list_organisations(&state, OrganisationQuery::default(), page)
        })
        .await?
        .into_iter()
        .map(|o| format!("/organisations/{}", o.slug))
        .collect(),
        "publications" => all(number, |page| {
            crate::research::service::list(&state, &anyone, PublicationQuery::default(), page)
        })
        .await?
        .into_iter()
        .map(|p| format!("/publications/{}", p.id))
        .collect(),
        "datasets" => all(number, |page| {
            crate::datasets::service::list(&state, &anyone, DatasetQuery::default(), page)
        })
        .await?
        .into_iter()
        .map(|d| format!("/datasets/{}", d.name))
        .collect(),
        "listings" => all(number, |page| {
            crate::marketplace::service::list_published(&state, ListingQuery::default(), page)
        })
        .await?
        .into_iter()
        .map(|l| format!("/marketplace/{}", l.id))
        .collect(),
        "programmes" if number > 1 => return Err(not_found()),
        "programmes" => crate::hub::service::programmes(&state, &anyone, None)
            .await?
            .into_iter()
            .map(|p| format!("/programmes/{}", p.slug))
            .collect(),
        _ => return Err(not_found()),
    };
    if number > 1 && paths.is_empty() {
        return Err(not_found());
    }
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

#[cfg(test)]
mod tests {
    use super::file_of;

    #[test]
    fn numbered_files_start_at_two_and_the_first_has_no_number() {
        assert_eq!(file_of("publications"), Some(("publications", 1)));
        assert_eq!(file_of("publications-2"), Some(("publications", 2)));
        assert_eq!(file_of("publications-1"), None, "file 1 has one name");
        assert_eq!(file_of("publications-x"), None);
        assert_eq!(file_of("publications-99999999999999999999"), None);
    }
}
