//! The marketplace for visitors: published listings with filters (kind, category, country),
//! and a listing's page with its dates, prices and contacts: the same service calls as
//! `GET /api/v1/marketplace/listings`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{failure, frame, render};
use crate::http::pagination::PageParams;
use crate::identity::caller::Caller;
use crate::marketplace::input::ListingQuery;
use crate::marketplace::views::ListingView;
use crate::portal::chrome::Page;
use crate::portal::i18n;
use crate::portal::locale::Locale;
use crate::state::AppState;

const KINDS: [&str; 5] = ["service", "product", "startup", "investment_call", "event"];
const COUNTRIES: [&str; 2] = ["UZ", "AZ"];

/// The browse page's query: the API's filters, and its cursor.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BrowseQuery {
    kind: Option<String>,
    category: Option<String>,
    country: Option<String>,
    cursor: Option<String>,
}

/// A filter link.
pub struct Choice {
    pub label: String,
    pub href: String,
    pub selected: bool,
}

pub struct Filter {
    pub label: String,
    pub choices: Vec<Choice>,
}

/// A listing as lists and its page show it.
/// A day, for `<time datetime>`: machines read `iso`, people `text`.
pub struct Day {
    pub iso: String,
    pub text: String,
}

/// A period's ends, either of which may be open.
pub struct Dates {
    pub start: Option<Day>,
    pub end: Option<Day>,
}

pub struct Card {
    pub href: String,
    pub title: String,
    pub description: String,
    pub lang: String,
    pub kind: String,
    pub organisation: String,
    pub organisation_href: String,
    pub countries: String,
    pub price: String,
    /// When an event or call starts and ends, as far as it says.
    pub dates: Option<Dates>,
}

#[derive(Template)]
#[template(path = "portal/marketplace.html")]
struct BrowsePage {
    page: Page,
    filters: Vec<Filter>,
    cards: Vec<Card>,
    next_href: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/listing.html")]
struct ListingPage {
    page: Page,
    card: Card,
    categories: Vec<String>,
    contact_url: Option<String>,
    contact_email: Option<String>,
    signed_in: bool,
    /// The enquiry form, for a signed-in browser.
    enquiry: Option<super::enquiry::EnquiryForm>,
}

fn card(page: &Page, view: &ListingView) -> Card {
    let wanted = page.locale.content_tag();
    let (title, description, lang) = view.translations.iter().find(|t| t.lang == wanted).map_or(
        (view.title.clone(), view.description.clone(), String::new()),
        |t| (t.title.clone(), t.description.clone(), t.lang.clone()),
    );
    let price = match (view.price_model.as_str(), view.price_min, view.price_max) {
        ("free", _, _) => page.t("market-price-free"),
        ("on_request", _, _) => page.t("market-price-on-request"),
        (_, Some(min), Some(max)) if min != max => {
            format!("{min}–{max} {}", view.currency.clone().unwrap_or_default())
        }
        (_, Some(amount), _) | (_, None, Some(amount)) => {
            format!("{amount} {}", view.currency.clone().unwrap_or_default())
        }
        _ => page.t("market-price-on-request"),
    };
    let day = |at: &chrono::NaiveDateTime| Day {
        iso: at.date().to_string(),
        text: crate::portal::format::date(page.locale, at.date()),
    };
    let dates = (view.starts_at.is_some() || view.ends_at.is_some()).then(|| Dates {
        start: view.starts_at.as_ref().map(day),
        end: view.ends_at.as_ref().map(day),
    });
    Card {
        href: page.href(&format!("/marketplace/{}", view.id)),
        title,
        description,
        lang,
        kind: page.t(&format!("market-kind-{}", view.kind)),
        organisation: view.organisation.name.clone(),
        organisation_href: page.href(&format!("/organisations/{}", view.organisation.slug)),
        countries: view
            .countries
            .iter()
            .map(|c| page.t(&format!("country-{c}")))
            .collect::<Vec<_>>()
            .join(", "),
        price,
        dates,
    }
}

fn browse_href(page: &Page, query: &BrowseQuery) -> String {
    page.href_with(
        "/marketplace",
        &[
            ("kind", query.kind.as_deref()),
            ("category", query.category.as_deref()),
            ("country", query.country.as_deref()),
            ("cursor", query.cursor.as_deref()),
        ],
    )
}

/// Choices of one filter: each sets its value (or unsets it when selected).
fn filter(
    page: &Page,
    query: &BrowseQuery,
    label: &str,
    values: Vec<(String, String)>,
    current: Option<&str>,
    set: fn(&mut BrowseQuery, Option<String>),
) -> Filter {
    let choices = values
        .into_iter()
        .map(|(value, text)| {
            let selected = current == Some(value.as_str());
            let mut next = query.clone();
            next.cursor = None;
            set(&mut next, (!selected).then_some(value));
            Choice {
                label: text,
                href: browse_href(page, &next),
                selected,
            }
        })
        .collect();
    Filter {
        label: page.t(label),
        choices,
    }
}

pub(super) fn category_name(
    locale: Locale,
    category: &crate::marketplace::views::CategoryView,
) -> String {
    category
        .names
        .iter()
        .find(|n| n.lang == locale.content_tag())
        .map_or_else(|| category.name.clone(), |n| n.text.clone())
}

/// `GET /{locale}/marketplace`.
pub async fn browse(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<BrowseQuery>,
) -> HttpResponse {
    let query = query.into_inner();
    let locale = super::locale_of(&req);
    let page = frame(&state, &req, i18n::text(locale, "market-title"));
    let listings = crate::marketplace::service::list_published(
        &state,
        ListingQuery {
            kind: query.kind.clone(),
            category: query.category.clone(),
            country: query.country.clone(),
            ..ListingQuery::default()
        },
        PageParams {
            limit: Some(20),
            cursor: query.cursor.clone(),
        },
    );
    let categories = crate::marketplace::service::categories(&state);
    let (listings, categories) = match futures_util::try_join!(listings, categories) {
        Ok(found) => found,
        Err(error) => return failure(&state, &req, error),
    };
    let filters = vec![
        filter(
            &page,
            &query,
            "facet-kind",
            KINDS
                .iter()
                .map(|k| ((*k).to_owned(), page.t(&format!("market-kind-{k}"))))
                .collect(),
            query.kind.as_deref(),
            |q, v| q.kind = v,
        ),
        filter(
            &page,
            &query,
            "market-category",
            categories
                .iter()
                .map(|c| (c.slug.clone(), category_name(locale, c)))
                .collect(),
            query.category.as_deref(),
            |q, v| q.category = v,
        ),
        filter(
            &page,
            &query,
            "market-countries",
            COUNTRIES
                .iter()
                .map(|c| ((*c).to_owned(), page.t(&format!("country-{c}"))))
                .collect(),
            query.country.as_deref(),
            |q, v| q.country = v,
        ),
    ];
    let cards = listings.items.iter().map(|l| card(&page, l)).collect();
    let next_href = listings.next_cursor.map(|cursor| {
        browse_href(
            &page,
            &BrowseQuery {
                cursor: Some(cursor),
                ..query.clone()
            },
        )
    });
    render(
        StatusCode::OK,
        &BrowsePage {
            page,
            filters,
            cards,
            next_href,
        },
    )
}

/// `GET /{locale}/marketplace/{id}` (`?sent=1` after an enquiry went out).
pub async fn listing(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, id) = path.into_inner();
    let sent = req.query_string().split('&').any(|pair| pair == "sent=1");
    let form = super::enquiry::EnquiryForm::blank(&state, &req, sent);
    render_listing(&req, &state, &caller, &id, form, StatusCode::OK).await
}

/// A listing's page with its enquiry form in the state given (blank, sent, or with errors).
pub(super) async fn render_listing(
    req: &HttpRequest,
    state: &AppState,
    caller: &Caller,
    id: &str,
    form: super::enquiry::EnquiryForm,
    status: StatusCode,
) -> HttpResponse {
    let listing = crate::marketplace::service::get(state, caller, id);
    let categories = crate::marketplace::service::categories(state);
    let (view, categories) = match futures_util::try_join!(listing, categories) {
        Ok(found) => found,
        Err(error) => return failure(state, req, error),
    };
    let locale = super::locale_of(req);
    let page = frame(state, req, String::new());
    let card = card(&page, &view);
    let page = Page {
        title: card.title.clone(),
        ..page
    };
    let names = view
        .categories
        .iter()
        .map(|slug| {
            categories
                .iter()
                .find(|c| &c.slug == slug)
                .map_or_else(|| slug.clone(), |c| category_name(locale, c))
        })
        .collect();
    let signed_in = !matches!(caller, Caller::Anonymous);
    render(
        status,
        &ListingPage {
            enquiry: form.for_listing(&page, &view.id, signed_in),
            signed_in,
            page,
            card,
            categories: names,
            contact_url: view.contact_url.clone(),
            contact_email: view.contact_email.clone(),
        },
    )
}
