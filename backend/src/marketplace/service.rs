//! The marketplace's rules. REST, GraphQL, the indexer and the seed all come through here.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use silkbridge_schema::change_log::{self, Operation};
use silkbridge_schema::models::{Enquiry, Listing, ListingRevision};
use silkbridge_schema::{DbConnection, ids};
use silkbridge_search_index::IndexDocument;
use utoipa::ToSchema;

use super::domain::{Currency, ListingKind, ListingState, PriceModel};
use super::store::{self, ListingFilter, ListingOrder};
use crate::audit;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::pagination::{MAX_PAGE_SIZE, Page, PageRequest, invalid_cursor};
use crate::identity::caller::Caller;
use crate::identity::domain::{Country, LANGUAGE_TAGS};
use crate::identity::policy::{Action, authorize};
use crate::identity::service as identity;
use crate::validate::Validator;

/// The change-log and search kind of listings.
pub const LISTING_KIND: &str = "listing";
const CURSOR_SCOPE: &str = "listings";

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

/// The organisation behind a listing.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct ListingOwner {
    pub slug: String,
    pub name: String,
    pub country: Country,
}

/// A listing as a client sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "Listing")]
#[schema(as = Listing)]
pub struct ListingView {
    pub id: String,
    pub organisation: ListingOwner,
    pub kind: String,
    pub state: String,
    pub title: String,
    pub description: String,
    pub translations: Vec<ListingText>,
    pub categories: Vec<String>,
    pub countries: Vec<String>,
    pub price_model: String,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub currency: Option<String>,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub contact_email: Option<String>,
    pub contact_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    /// An edit of this published listing awaits review.
    pub has_pending_edit: bool,
    /// Images and documents.
    pub media: Vec<super::media::MediaView>,
}

/// A category of the managed taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct CategoryView {
    pub slug: String,
    pub name: String,
    pub names: Vec<crate::identity::domain::LocalizedText>,
}

pub fn categories(conn: &mut DbConnection) -> ApiResult<Vec<CategoryView>> {
    store::categories(conn)?
        .into_iter()
        .map(|c| {
            let names: BTreeMap<String, String> =
                serde_json::from_str(&c.names_json).map_err(ApiError::internal)?;
            Ok(CategoryView {
                slug: c.slug,
                name: c.name,
                names: crate::identity::domain::localized_list(names),
            })
        })
        .collect()
}

/// Checks every rule of a listing's content; returns it normalised.
fn validate(conn: &mut DbConnection, mut input: ListingInput) -> ApiResult<ListingInput> {
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

/// Writes validated content into the listing row (and, with `apply_content`, its links).
fn fill(row: &mut Listing, content: &ListingInput) -> ApiResult<()> {
    let translations: BTreeMap<&str, (&str, &str)> = content
        .translations
        .iter()
        .map(|t| (t.lang.as_str(), (t.title.as_str(), t.description.as_str())))
        .collect();
    row.kind = content.kind.clone();
    row.title = content.title.clone();
    row.description = content.description.clone();
    row.translations_json = serde_json::to_string(&translations).map_err(ApiError::internal)?;
    row.price_model = content.price_model.clone();
    row.price_min = content.price_min;
    row.price_max = content.price_max;
    row.currency = content.currency.clone();
    row.starts_at = content.starts_at;
    row.ends_at = content.ends_at;
    row.contact_email = content.contact_email.clone();
    row.contact_url = content.contact_url.clone();
    Ok(())
}

/// Writes validated content into an existing listing row's fields and links.
fn apply_content(
    conn: &mut DbConnection,
    row: &mut Listing,
    content: &ListingInput,
) -> ApiResult<()> {
    fill(row, content)?;
    store::replace_links(conn, &row.id, &content.categories, &content.countries)?;
    Ok(())
}

fn record_revision(
    conn: &mut DbConnection,
    listing_id: &str,
    content: &ListingInput,
    by: &str,
) -> ApiResult<i32> {
    let revision = store::next_revision(conn, listing_id)?;
    store::insert_revision(
        conn,
        &ListingRevision {
            listing_id: listing_id.to_owned(),
            revision,
            content_json: serde_json::to_string(content).map_err(ApiError::internal)?,
            submitted_by: by.to_owned(),
            submitted_at: ids::now(),
            decision: None,
            decided_by: None,
            decided_at: None,
            reason: None,
        },
    )?;
    Ok(revision)
}

fn state_of(row: &Listing) -> ApiResult<ListingState> {
    row.state
        .parse()
        .map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))
}

fn conflict(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Conflict, detail)
}

fn view(conn: &mut DbConnection, row: Listing) -> ApiResult<ListingView> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a listing view went missing")))
}

/// Views of many listings with a fixed number of queries (owners, categories, countries,
/// media), however long the page.
fn views(conn: &mut DbConnection, rows: Vec<Listing>) -> ApiResult<Vec<ListingView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let owners =
        identity::organisations_by_ids(conn, rows.iter().map(|r| r.organisation_id.as_str()))?;
    let mut categories: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, category) in store::categories_of_many(conn, &ids)? {
        categories.entry(id).or_default().push(category);
    }
    let mut countries: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, country) in store::countries_of_many(conn, &ids)? {
        countries.entry(id).or_default().push(country);
    }
    let mut media: BTreeMap<String, Vec<super::media::MediaView>> = BTreeMap::new();
    for file in store::media_of_many(conn, &ids)? {
        media
            .entry(file.listing_id.clone())
            .or_default()
            .push(super::media::view(file));
    }
    rows.into_iter()
        .map(|row| {
            let owner = owners
                .get(&row.organisation_id)
                .map(|o| ListingOwner {
                    slug: o.slug.clone(),
                    name: o.name.clone(),
                    country: o.country,
                })
                .ok_or_else(|| {
                    ApiError::internal(anyhow::anyhow!("listing {} has no organisation", row.id))
                })?;
            let translations: BTreeMap<String, (String, String)> =
                serde_json::from_str(&row.translations_json).map_err(ApiError::internal)?;
            Ok(ListingView {
                categories: categories.remove(&row.id).unwrap_or_default(),
                countries: countries.remove(&row.id).unwrap_or_default(),
                media: media.remove(&row.id).unwrap_or_default(),
                organisation: owner,
                translations: translations
                    .into_iter()
                    .map(|(lang, (title, description))| ListingText {
                        lang,
                        title,
                        description,
                    })
                    .collect(),
                has_pending_edit: row.pending_revision.is_some(),
                id: row.id,
                kind: row.kind,
                state: row.state,
                title: row.title,
                description: row.description,
                price_model: row.price_model,
                price_min: row.price_min,
                price_max: row.price_max,
                currency: row.currency,
                starts_at: row.starts_at,
                ends_at: row.ends_at,
                contact_email: row.contact_email,
                contact_url: row.contact_url,
                created_at: row.created_at,
                updated_at: row.updated_at,
                published_at: row.published_at,
            })
        })
        .collect()
}

/// Whether moderators may see a listing: once its organisation has put it before them
/// (submitted, decided, published, or archived after publication). A draft, and a draft
/// archived unsubmitted, is its organisation's alone.
fn put_before_moderators(row: &Listing) -> bool {
    let state = row.state.as_str();
    state == ListingState::PendingReview.as_str()
        || state == ListingState::Rejected.as_str()
        || state == ListingState::Published.as_str()
        || row.published_at.is_some()
}

/// A listing the caller may see, else 404 (unpublished listings do not reveal that they exist).
pub(super) fn visible(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<Listing> {
    let row = store::listing(conn, id)?
        .ok_or_else(|| ApiError::not_found(format_args!("listing `{id}`")))?;
    let published = row.state == ListingState::Published.as_str();
    if published
        || authorize(
            caller,
            Action::ReadOwn {
                organisation_id: &row.organisation_id,
            },
        )
        .is_ok()
        || (put_before_moderators(&row) && authorize(caller, Action::Moderate).is_ok())
    {
        Ok(row)
    } else {
        Err(ApiError::not_found(format_args!("listing `{id}`")))
    }
}

/// A listing the caller may edit (its organisation's editors).
pub(super) fn editable(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<Listing> {
    let row = visible(conn, caller, id)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &row.organisation_id,
        },
    )?;
    Ok(row)
}

fn changed(conn: &mut DbConnection, id: &str) -> ApiResult<()> {
    change_log::record(conn, LISTING_KIND, id, Operation::Upsert)?;
    Ok(())
}

/// Creates a draft listing for the organisation `slug` (its editors).
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    input: ListingInput,
) -> ApiResult<ListingView> {
    let organisation = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &organisation.id,
        },
    )?;
    let content = validate(conn, input)?;
    let now = ids::now();
    let mut row = Listing {
        id: ids::new_id(),
        organisation_id: organisation.id,
        kind: String::new(),
        state: ListingState::Draft.as_str().to_owned(),
        title: String::new(),
        description: String::new(),
        translations_json: "{}".into(),
        price_model: String::new(),
        price_min: None,
        price_max: None,
        currency: None,
        starts_at: None,
        ends_at: None,
        contact_email: None,
        contact_url: None,
        created_by: caller.actor(),
        created_at: now,
        updated_at: now,
        published_at: None,
        pending_revision: None,
    };
    fill(&mut row, &content)?;
    store::insert_listing(conn, &row)?;
    store::replace_links(conn, &row.id, &content.categories, &content.countries)?;
    record_revision(conn, &row.id, &content, &caller.actor())?;
    changed(conn, &row.id)?;
    view(conn, row)
}

/// Replaces a listing's content. A published listing keeps showing its approved content
/// until a moderator approves the edit.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: ListingInput,
) -> ApiResult<ListingView> {
    let mut row = editable(conn, caller, id)?;
    let content = validate(conn, input)?;
    match state_of(&row)? {
        ListingState::Archived => return Err(conflict("an archived listing cannot be edited")),
        ListingState::Published => {
            let revision = record_revision(conn, id, &content, &caller.actor())?;
            row.pending_revision = Some(revision);
        }
        state => {
            apply_content(conn, &mut row, &content)?;
            if state == ListingState::Rejected {
                row.state = ListingState::Draft.as_str().to_owned();
            }
            row.updated_at = ids::now();
            record_revision(conn, id, &content, &caller.actor())?;
        }
    }
    store::save_listing(conn, &row)?;
    changed(conn, id)?;
    view(conn, row)
}

/// Sends a draft (or a rejected listing) to the moderators.
pub fn submit(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<ListingView> {
    let mut row = editable(conn, caller, id)?;
    match state_of(&row)? {
        ListingState::Draft | ListingState::Rejected => {}
        state => {
            return Err(conflict(format!(
                "a listing in state `{state}` cannot be submitted for review"
            )));
        }
    }
    row.state = ListingState::PendingReview.as_str().to_owned();
    row.updated_at = ids::now();
    store::save_listing(conn, &row)?;
    changed(conn, id)?;
    view(conn, row)
}

/// A moderator's decision.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
pub struct DecisionInput {
    /// `approve` or `reject`.
    pub decision: String,
    /// Required when rejecting: what to fix.
    pub reason: Option<String>,
}

/// Approves or rejects what awaits review: a submitted listing, or an edit of a published one.
pub fn decide(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: DecisionInput,
) -> ApiResult<ListingView> {
    authorize(caller, Action::Moderate)?;
    let approve = match input.decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(ApiError::validation(vec![crate::error::FieldError {
                field: "decision".into(),
                code: "unknown_value".into(),
                message: format!("unknown decision `{other}`; expected approve or reject"),
            }]));
        }
    };
    let reason = input.reason.filter(|r| !r.trim().is_empty());
    if !approve && reason.is_none() {
        let mut check = Validator::default();
        check.fail("reason", "required", "say why the listing is rejected");
        check.finish()?;
    }
    let mut row = visible(conn, caller, id)?;
    let now = ids::now();
    let decision = if approve { "approved" } else { "rejected" };
    match (state_of(&row)?, row.pending_revision) {
        (ListingState::PendingReview, _) => {
            let latest = store::next_revision(conn, id)? - 1;
            store::decide_revision(
                conn,
                id,
                latest,
                decision,
                &caller.actor(),
                reason.as_deref(),
                now,
            )?;
            if approve {
                row.state = ListingState::Published.as_str().to_owned();
                row.published_at = Some(now);
            } else {
                row.state = ListingState::Rejected.as_str().to_owned();
            }
        }
        (ListingState::Published, Some(pending)) => {
            store::decide_revision(
                conn,
                id,
                pending,
                decision,
                &caller.actor(),
                reason.as_deref(),
                now,
            )?;
            if approve {
                let revision = store::revision(conn, id, pending)?.ok_or_else(|| {
                    ApiError::internal(anyhow::anyhow!(
                        "pending revision {pending} of {id} is missing"
                    ))
                })?;
                let content: ListingInput =
                    serde_json::from_str(&revision.content_json).map_err(ApiError::internal)?;
                apply_content(conn, &mut row, &content)?;
            }
            row.pending_revision = None;
        }
        _ => return Err(conflict("nothing of this listing awaits review")),
    }
    row.updated_at = now;
    store::save_listing(conn, &row)?;
    changed(conn, id)?;
    audit::record(
        conn,
        &caller.actor(),
        &format!("listing.{decision}"),
        &format!("listing:{id}"),
        serde_json::json!({"reason": reason}),
    )?;
    view(conn, row)
}

/// Takes a listing off the marketplace for good.
pub fn archive(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<ListingView> {
    let mut row = editable(conn, caller, id)?;
    if state_of(&row)? == ListingState::Archived {
        return Err(conflict("the listing is archived already"));
    }
    row.state = ListingState::Archived.as_str().to_owned();
    row.pending_revision = None;
    row.updated_at = ids::now();
    store::save_listing(conn, &row)?;
    changed(conn, id)?;
    view(conn, row)
}

pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<ListingView> {
    let row = visible(conn, caller, id)?;
    view(conn, row)
}

/// One version of a listing and what the moderators decided.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct RevisionView {
    pub revision: i32,
    pub title: String,
    pub submitted_by: String,
    pub submitted_at: NaiveDateTime,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
}

/// Every version of a listing (its organisation and moderators).
pub fn history(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<Vec<RevisionView>> {
    let row = visible(conn, caller, id)?;
    if authorize(
        caller,
        Action::ReadOwn {
            organisation_id: &row.organisation_id,
        },
    )
    .is_err()
    {
        authorize(caller, Action::Moderate)?;
    }
    store::revisions(conn, id)?
        .into_iter()
        .map(|r| {
            let content: ListingInput =
                serde_json::from_str(&r.content_json).map_err(ApiError::internal)?;
            Ok(RevisionView {
                revision: r.revision,
                title: content.title,
                submitted_by: r.submitted_by,
                submitted_at: r.submitted_at,
                decision: r.decision,
                decided_by: r.decided_by,
                decided_at: r.decided_at,
                reason: r.reason,
            })
        })
        .collect()
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

fn filter_of(query: &ListingQuery) -> ApiResult<(ListingFilter, bool)> {
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

fn search(
    conn: &mut DbConnection,
    mut filter: ListingFilter,
    by_title: bool,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<ListingView>> {
    let page = PageRequest::parse(limit, cursor, CURSOR_SCOPE)?;
    let order = match (&page.after, by_title) {
        (None, false) => ListingOrder::Newest { after: None },
        (None, true) => ListingOrder::Title { after: None },
        (Some(key), false) => {
            let (micros, id) = key.split_once('|').ok_or_else(invalid_cursor)?;
            let at = micros
                .strip_prefix('n')
                .and_then(|m| m.parse::<i64>().ok())
                .and_then(chrono::DateTime::from_timestamp_micros)
                .ok_or_else(invalid_cursor)?;
            ListingOrder::Newest {
                after: Some((at.naive_utc(), id.to_owned())),
            }
        }
        (Some(key), true) => {
            let (title, id) = key
                .strip_prefix('t')
                .and_then(|k| k.rsplit_once('|'))
                .ok_or_else(invalid_cursor)?;
            ListingOrder::Title {
                after: Some((title.to_owned(), id.to_owned())),
            }
        }
    };
    filter.states.dedup();
    let rows = store::search(conn, &filter, &order, page.fetch_limit())?;
    let (rows, next_cursor) = page.split(rows, CURSOR_SCOPE, |row| {
        if by_title {
            format!("t{}|{}", row.title, row.id)
        } else {
            format!(
                "n{}|{}",
                row.updated_at.and_utc().timestamp_micros(),
                row.id
            )
        }
    });
    Ok(Page {
        items: views(conn, rows)?,
        next_cursor,
    })
}

/// Published listings, for everyone.
pub fn list_published(
    conn: &mut DbConnection,
    query: &ListingQuery,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<ListingView>> {
    let (mut filter, by_title) = filter_of(query)?;
    filter.states = vec![ListingState::Published.as_str().to_owned()];
    search(conn, filter, by_title, limit, cursor)
}

/// All listings of an organisation, whatever their state (its members).
pub fn list_for_organisation(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    query: &ListingQuery,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<ListingView>> {
    let organisation = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::ReadOwn {
            organisation_id: &organisation.id,
        },
    )?;
    let (mut filter, by_title) = filter_of(query)?;
    filter.organisation_id = Some(organisation.id);
    search(conn, filter, by_title, limit, cursor)
}

/// What awaits the moderators: submitted listings and edits of published ones.
pub fn review_queue(conn: &mut DbConnection, caller: &Caller) -> ApiResult<Vec<ListingView>> {
    authorize(caller, Action::Moderate)?;
    let limit = i64::from(MAX_PAGE_SIZE);
    let order = ListingOrder::Newest { after: None };
    let submitted = ListingFilter {
        states: vec![ListingState::PendingReview.as_str().to_owned()],
        ..ListingFilter::default()
    };
    let edits = ListingFilter {
        states: vec![ListingState::Published.as_str().to_owned()],
        with_pending_edit: true,
        ..ListingFilter::default()
    };
    let mut rows = store::search(conn, &submitted, &order, limit)?;
    rows.extend(store::search(conn, &edits, &order, limit)?);
    views(conn, rows)
}

/// An enquiry as the receiving organisation sees it.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct EnquiryView {
    pub id: String,
    pub listing_id: String,
    pub listing_title: String,
    pub sender_name: String,
    pub message: String,
    pub reply_to: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A signed-in person's message to a listing's organisation.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
pub struct EnquiryInput {
    pub message: String,
    /// Where to answer, if not the sender's account e-mail.
    pub reply_to: Option<String>,
}

/// Sends an enquiry about a published listing; at most `per_hour` per person per hour.
pub fn send_enquiry(
    conn: &mut DbConnection,
    caller: &Caller,
    listing_id: &str,
    input: EnquiryInput,
    per_hour: u32,
) -> ApiResult<EnquiryView> {
    authorize(caller, Action::ActAsPerson)?;
    let sender = caller
        .user_id()
        .ok_or_else(|| ApiError::new(ErrorCode::Forbidden, "only people send enquiries"))?
        .to_owned();
    let listing = store::listing(conn, listing_id)?
        .filter(|l| l.state == ListingState::Published.as_str())
        .ok_or_else(|| ApiError::not_found(format_args!("listing `{listing_id}`")))?;
    let mut check = Validator::default();
    check.text("message", &input.message, 5_000);
    if let Some(reply_to) = &input.reply_to {
        check.email("reply_to", reply_to);
    }
    check.finish()?;
    let now = ids::now();
    let window = chrono::Duration::hours(1);
    let recent = store::enquiries_sent_since(conn, &sender, now - window)?;
    if recent.len() >= per_hour as usize {
        let oldest = recent.first().copied().unwrap_or(now);
        let wait = (oldest + window - now).num_seconds().max(1);
        let mut error = ApiError::new(
            ErrorCode::RateLimited,
            format!("at most {per_hour} enquiries an hour"),
        );
        error.retry_after = Some(u64::try_from(wait).unwrap_or(60));
        return Err(error);
    }
    let enquiry = Enquiry {
        id: ids::new_id(),
        listing_id: listing.id.clone(),
        organisation_id: listing.organisation_id.clone(),
        sender_id: sender,
        message: input.message.trim().to_owned(),
        reply_to: input.reply_to,
        created_at: now,
    };
    store::insert_enquiry(conn, &enquiry)?;
    enquiry_view(conn, enquiry, listing.title)
}

fn enquiry_view(
    conn: &mut DbConnection,
    enquiry: Enquiry,
    listing_title: String,
) -> ApiResult<EnquiryView> {
    Ok(EnquiryView {
        sender_name: identity::display_name(conn, &enquiry.sender_id)?,
        id: enquiry.id,
        listing_id: enquiry.listing_id,
        listing_title,
        message: enquiry.message,
        reply_to: enquiry.reply_to,
        created_at: enquiry.created_at,
    })
}

/// The organisation's enquiry inbox, newest first (its members).
pub fn inbox(conn: &mut DbConnection, caller: &Caller, slug: &str) -> ApiResult<Vec<EnquiryView>> {
    let organisation = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::ReadOwn {
            organisation_id: &organisation.id,
        },
    )?;
    store::inbox(conn, &organisation.id, 200)?
        .into_iter()
        .map(|enquiry| {
            let title = store::listing(conn, &enquiry.listing_id)?
                .map(|l| l.title)
                .unwrap_or_default();
            enquiry_view(conn, enquiry, title)
        })
        .collect()
}

fn document(conn: &mut DbConnection, row: &Listing) -> ApiResult<Option<IndexDocument>> {
    if row.state != ListingState::Published.as_str() {
        return Ok(None);
    }
    let owner = identity::organisation_by_id(conn, &row.organisation_id)?;
    let translations: BTreeMap<String, (String, String)> =
        serde_json::from_str(&row.translations_json).unwrap_or_default();
    let mut body = vec![row.description.clone()];
    for (title, description) in translations.values() {
        body.push(title.clone());
        body.push(description.clone());
    }
    let categories = store::listing_categories_of(conn, &row.id)?;
    body.extend(categories.iter().cloned());
    Ok(Some(IndexDocument {
        kind: LISTING_KIND.into(),
        entity_id: row.id.clone(),
        title: row.title.clone(),
        body: body.join("\n"),
        organisation_id: Some(row.organisation_id.clone()),
        country: Some(owner.country.as_str().to_owned()),
        access: vec!["public".into()],
        updated_at: row.updated_at.and_utc().timestamp(),
        languages: translations.keys().cloned().collect(),
        tags: categories,
        ..IndexDocument::default()
    }))
}

/// The search document of a listing: only published listings are searchable.
pub fn index_document(conn: &mut DbConnection, id: &str) -> ApiResult<Option<IndexDocument>> {
    match store::listing(conn, id)? {
        Some(row) => document(conn, &row),
        None => Ok(None),
    }
}

/// The rebuild scan: documents of published listings after `after_id`, and the last id seen.
pub fn index_documents_after(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> ApiResult<(Vec<IndexDocument>, Option<String>)> {
    let rows = store::listings_after_id(conn, after_id, limit)?;
    let last = rows.last().map(|r| r.id.clone());
    let mut documents = Vec::new();
    for row in &rows {
        documents.extend(document(conn, row)?);
    }
    Ok((documents, last))
}

pub fn count(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count_listings(conn)?)
}
