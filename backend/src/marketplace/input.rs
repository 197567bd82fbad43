//! What editors, moderators and enquirers send, and every rule it must follow. A failed check
//! stores nothing and names each broken field.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use silkbridge_schema::DbConnection;
use utoipa::ToSchema;

use super::domain::{Currency, ListingKind, PriceModel};
use super::store::{self, ListingFilter};
use crate::error::{ApiResult, ErrorCode};
use crate::identity::domain::{Country, LANGUAGE_TAGS};
use crate::validate::Validator;

/// A listing's title and description in one language.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Serialize,
    Deserialize,
    ToSchema,
    async_graphql::SimpleObject,
    async_graphql::InputObject,
)]
#[graphql(input_name = "ListingTextInput")]
pub struct ListingText {
    /// `uz-Latn`, `uz-Cyrl`, `az`, `ru` or `en`.
    pub lang: String,
    pub title: String,
    pub description: String,
}

/// What an organisation says about its offer: the editable content of a listing.
#[derive(
    Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, async_graphql::InputObject,
)]
pub struct ListingInput {
    /// service, product, startup, investment_call or event.
    pub kind: String,
    pub title: String,
    pub description: String,
    /// The title and description in other languages.
    #[serde(default)]
    #[graphql(default)]
    pub translations: Vec<ListingText>,
    /// Category slugs from `GET /api/v1/marketplace/categories`; at least one.
    #[serde(default)]
    #[graphql(default)]
    pub categories: Vec<String>,
    /// Countries served: `UZ`, `AZ`; at least one.
    #[serde(default)]
    #[graphql(default)]
    pub countries: Vec<String>,
    /// free, fixed, hourly, subscription, on_request or range.
    pub price_model: String,
    /// Whole currency units; required for fixed, hourly, subscription and range.
    pub price_min: Option<i64>,
    /// Upper bound, for `range` (and optional for the others).
    pub price_max: Option<i64>,
    /// UZS, AZN, USD or EUR; required with an amount.
    pub currency: Option<String>,
    /// Required for events: when it starts and ends (UTC).
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub contact_email: Option<String>,
    pub contact_url: Option<String>,
}

/// Checks every rule of a listing's content; returns it normalised.
pub(super) fn check(conn: &mut DbConnection, mut input: ListingInput) -> ApiResult<ListingInput> {
    let mut check = Validator::default();
    let kind = check.parse::<ListingKind>("kind", &input.kind);
    check.text("title", &input.title, 200);
    check.text("description", &input.description, 20_000);
    let mut seen_langs = BTreeSet::new();
    for (i, text) in input.translations.iter().enumerate() {
        if !LANGUAGE_TAGS.contains(&text.lang.as_str()) {
            check.fail(
                format!("translations[{i}].lang"),
                "unknown_value",
                format!("language must be one of {}", LANGUAGE_TAGS.join(", ")),
            );
        }
        if !seen_langs.insert(text.lang.clone()) {
            check.fail(
                format!("translations[{i}].lang"),
                "duplicate",
                "one translation per language",
            );
        }
        check.text(&format!("translations[{i}].title"), &text.title, 200);
        check.text(
            &format!("translations[{i}].description"),
            &text.description,
            20_000,
        );
    }
    let known: BTreeSet<String> = store::categories(conn)?
        .into_iter()
        .map(|c| c.slug)
        .collect();
    if input.categories.is_empty() {
        check.fail("categories", "required", "choose at least one category");
    }
    for category in &input.categories {
        if !known.contains(category) {
            check.fail(
                "categories",
                "unknown_value",
                format!("unknown category `{category}`; see GET /api/v1/marketplace/categories"),
            );
        }
    }
    if input.countries.is_empty() {
        check.fail("countries", "required", "name at least one country served");
    }
    for country in &input.countries {
        check.parse::<Country>("countries", country);
    }
    let price_model = check.parse::<PriceModel>("price_model", &input.price_model);
    for (field, value) in [
        ("price_min", input.price_min),
        ("price_max", input.price_max),
    ] {
        if value.is_some_and(|v| v < 0) {
            check.fail(field, "out_of_range", "a price cannot be negative");
        }
    }
    if let (Some(min), Some(max)) = (input.price_min, input.price_max)
        && max < min
    {
        check.fail(
            "price_max",
            "invalid_range",
            "the upper price is below the lower one",
        );
    }
    if let Some(currency) = &input.currency {
        check.parse::<Currency>("currency", currency);
    }
    match price_model {
        Some(model) if model.has_amount() => {
            if input.price_min.is_none() {
                check.fail(
                    "price_min",
                    "required",
                    format!("a `{model}` price needs an amount"),
                );
            }
            if input.currency.is_none() {
                check.fail("currency", "required", "an amount needs a currency");
            }
            if model == PriceModel::Range && input.price_max.is_none() {
                check.fail("price_max", "required", "a range needs an upper price");
            }
        }
        Some(model)
            if input.price_min.is_some()
                || input.price_max.is_some()
                || input.currency.is_some() =>
        {
            check.fail(
                "price_model",
                "conflict",
                format!("a `{model}` listing carries no amount or currency"),
            );
        }
        Some(_) => {}
        None => {}
    }
    if kind == Some(ListingKind::Event) {
        if input.starts_at.is_none() {
            check.fail("starts_at", "required", "an event needs its start");
        }
        if input.ends_at.is_none() {
            check.fail("ends_at", "required", "an event needs its end");
        }
    }
    if let (Some(start), Some(end)) = (input.starts_at, input.ends_at)
        && end < start
    {
        check.fail("ends_at", "invalid_range", "the end is before the start");
    }
    if let Some(email) = &input.contact_email {
        check.email("contact_email", email);
    }
    if let Some(url) = &input.contact_url {
        check.http_url("contact_url", url);
    }
    check.finish()?;
    input.title = input.title.trim().to_owned();
    input.categories = input
        .categories
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    input.countries = input
        .countries
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(input)
}

/// A moderator's decision.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
pub struct DecisionInput {
    /// `approve` or `reject`.
    pub decision: String,
    /// Required when rejecting: what to fix.
    pub reason: Option<String>,
}

/// Filters and order of a listing search, as received.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, async_graphql::InputObject)]
#[into_params(parameter_in = Query)]
pub struct ListingQuery {
    /// service, product, startup, investment_call or event.
    pub kind: Option<String>,
    /// A category slug.
    pub category: Option<String>,
    /// A country served: UZ or AZ.
    pub country: Option<String>,
    /// Required with a price range: UZS, AZN, USD or EUR.
    pub currency: Option<String>,
    /// Listings whose price range reaches at least this (whole units).
    pub price_from: Option<i64>,
    /// Listings whose price starts at most at this.
    pub price_to: Option<i64>,
    /// Events still running at or after this time (ISO 8601).
    pub from: Option<NaiveDateTime>,
    /// Events starting at or before this time.
    pub to: Option<NaiveDateTime>,
    /// `newest` (default) or `title`.
    pub sort: Option<String>,
}

pub(super) fn filter_of(query: &ListingQuery) -> ApiResult<(ListingFilter, bool)> {
    let mut check = Validator::default();
    let mut filter = ListingFilter::default();
    if let Some(kind) = &query.kind {
        filter.kind = check
            .parse::<ListingKind>("kind", kind)
            .map(|k| k.as_str().to_owned());
    }
    if let Some(country) = &query.country {
        filter.country = check
            .parse::<Country>("country", country)
            .map(|c| c.as_str().to_owned());
    }
    if let Some(currency) = &query.currency {
        filter.currency = check
            .parse::<Currency>("currency", currency)
            .map(|c| c.as_str().to_owned());
    }
    filter.category = query.category.clone();
    filter.price_from = query.price_from;
    filter.price_to = query.price_to;
    if (query.price_from.is_some() || query.price_to.is_some()) && query.currency.is_none() {
        check.fail(
            "currency",
            "required",
            "prices compare only within one currency",
        );
    }
    if query.price_from.is_some_and(|p| p < 0) || query.price_to.is_some_and(|p| p < 0) {
        check.fail("price_from", "out_of_range", "a price cannot be negative");
    }
    if let (Some(from), Some(to)) = (query.from, query.to)
        && to < from
    {
        check.fail("to", "invalid_range", "the end is before the start");
    }
    filter.ends_after = query.from;
    filter.starts_before = query.to;
    let by_title = match query.sort.as_deref() {
        None | Some("newest") => false,
        Some("title") => true,
        Some(other) => {
            check.fail(
                "sort",
                "unknown_value",
                format!("unknown sort `{other}`; expected newest or title"),
            );
            false
        }
    };
    check
        .finish()
        .map_err(|e| e.with_code(ErrorCode::InvalidParameter))?;
    Ok((filter, by_title))
}

/// A signed-in person's message to a listing's organisation.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
pub struct EnquiryInput {
    pub message: String,
    /// Where to answer, if not the sender's account e-mail.
    pub reply_to: Option<String>,
}
