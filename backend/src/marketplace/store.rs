//! The marketplace's queries. Only this module touches these tables.

use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{Enquiry, Listing, ListingCategory, ListingRevision};
use silkbridge_schema::tables::{
    enquiries, listing_categories, listing_category_links, listing_countries, listing_revisions,
    listings,
};

pub fn categories(conn: &mut DbConnection) -> QueryResult<Vec<ListingCategory>> {
    listing_categories::table
        .order(listing_categories::position.asc())
        .select(ListingCategory::as_select())
        .load(conn)
}

pub fn listing(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Listing>> {
    listings::table
        .find(id)
        .select(Listing::as_select())
        .first(conn)
        .optional()
}

pub fn insert_listing(conn: &mut DbConnection, row: &Listing) -> QueryResult<()> {
    diesel::insert_into(listings::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn save_listing(conn: &mut DbConnection, row: &Listing) -> QueryResult<()> {
    diesel::update(listings::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn listing_categories_of(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<String>> {
    listing_category_links::table
        .filter(listing_category_links::listing_id.eq(id))
        .order(listing_category_links::category_slug.asc())
        .select(listing_category_links::category_slug)
        .load(conn)
}

/// Replaces a listing's categories and countries.
pub fn replace_links(
    conn: &mut DbConnection,
    id: &str,
    categories: &[String],
    countries: &[String],
) -> QueryResult<()> {
    diesel::delete(listing_category_links::table.filter(listing_category_links::listing_id.eq(id)))
        .execute(conn)?;
    diesel::delete(listing_countries::table.filter(listing_countries::listing_id.eq(id)))
        .execute(conn)?;
    for category in categories {
        diesel::insert_into(listing_category_links::table)
            .values((
                listing_category_links::listing_id.eq(id),
                listing_category_links::category_slug.eq(category),
            ))
            .execute(conn)?;
    }
    for country in countries {
        diesel::insert_into(listing_countries::table)
            .values((
                listing_countries::listing_id.eq(id),
                listing_countries::country.eq(country),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn next_revision(conn: &mut DbConnection, id: &str) -> QueryResult<i32> {
    let last: Option<i32> = listing_revisions::table
        .filter(listing_revisions::listing_id.eq(id))
        .select(diesel::dsl::max(listing_revisions::revision))
        .first(conn)?;
    Ok(last.unwrap_or(0) + 1)
}

pub fn insert_revision(conn: &mut DbConnection, row: &ListingRevision) -> QueryResult<()> {
    diesel::insert_into(listing_revisions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn revision(
    conn: &mut DbConnection,
    id: &str,
    revision: i32,
) -> QueryResult<Option<ListingRevision>> {
    listing_revisions::table
        .find((id, revision))
        .select(ListingRevision::as_select())
        .first(conn)
        .optional()
}

pub fn revisions(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<ListingRevision>> {
    listing_revisions::table
        .filter(listing_revisions::listing_id.eq(id))
        .order(listing_revisions::revision.asc())
        .select(ListingRevision::as_select())
        .load(conn)
}

pub fn decide_revision(
    conn: &mut DbConnection,
    id: &str,
    revision: i32,
    decision: &str,
    by: &str,
    reason: Option<&str>,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(listing_revisions::table.find((id, revision)))
        .set((
            listing_revisions::decision.eq(decision),
            listing_revisions::decided_by.eq(by),
            listing_revisions::decided_at.eq(at),
            listing_revisions::reason.eq(reason),
        ))
        .execute(conn)
        .map(drop)
}

/// Filters of a listing search, already validated.
#[derive(Debug, Clone, Default)]
pub struct ListingFilter {
    pub states: Vec<String>,
    pub organisation_id: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub country: Option<String>,
    pub currency: Option<String>,
    pub price_from: Option<i64>,
    pub price_to: Option<i64>,
    pub starts_before: Option<chrono::NaiveDateTime>,
    pub ends_after: Option<chrono::NaiveDateTime>,
    /// Only published listings with an edit awaiting review.
    pub with_pending_edit: bool,
}

/// The order of a listing search and the keyset position to continue after.
#[derive(Debug, Clone)]
pub enum ListingOrder {
    /// Most recently published (or created) first.
    Newest {
        after: Option<(chrono::NaiveDateTime, String)>,
    },
    /// Alphabetical by title.
    Title { after: Option<(String, String)> },
}

pub fn search(
    conn: &mut DbConnection,
    filter: &ListingFilter,
    order: &ListingOrder,
    limit: i64,
) -> QueryResult<Vec<Listing>> {
    let mut query = listings::table.select(Listing::as_select()).into_boxed();
    if !filter.states.is_empty() {
        query = query.filter(listings::state.eq_any(filter.states.clone()));
    }
    if filter.with_pending_edit {
        query = query.filter(listings::pending_revision.is_not_null());
    }
    if let Some(org) = &filter.organisation_id {
        query = query.filter(listings::organisation_id.eq(org.clone()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(listings::kind.eq(kind.clone()));
    }
    if let Some(category) = &filter.category {
        query = query.filter(
            listings::id.eq_any(
                listing_category_links::table
                    .filter(listing_category_links::category_slug.eq(category.clone()))
                    .select(listing_category_links::listing_id),
            ),
        );
    }
    if let Some(country) = &filter.country {
        query = query.filter(
            listings::id.eq_any(
                listing_countries::table
                    .filter(listing_countries::country.eq(country.clone()))
                    .select(listing_countries::listing_id),
            ),
        );
    }
    if let Some(currency) = &filter.currency {
        query = query.filter(listings::currency.eq(currency.clone()));
    }
    // A listing's price range [min, max or min] must overlap the asked range.
    if let Some(from) = filter.price_from {
        query = query.filter(
            listings::price_max.ge(from).or(listings::price_max
                .is_null()
                .and(listings::price_min.ge(from))),
        );
    }
    if let Some(to) = filter.price_to {
        query = query.filter(listings::price_min.le(to));
    }
    // Events overlapping the asked period.
    if let Some(before) = filter.starts_before {
        query = query.filter(listings::starts_at.le(before));
    }
    if let Some(after) = filter.ends_after {
        query = query.filter(listings::ends_at.ge(after));
    }
    match order {
        ListingOrder::Newest { after } => {
            query = query.order((listings::updated_at.desc(), listings::id.desc()));
            if let Some((at, id)) = after {
                // The bound first, so an index can seek to the page at any depth.
                query = query
                    .filter(listings::updated_at.le(*at))
                    .filter(listings::updated_at.lt(*at).or(listings::id.lt(id.clone())));
            }
        }
        ListingOrder::Title { after } => {
            query = query.order((listings::title.asc(), listings::id.asc()));
            if let Some((title, id)) = after {
                query = query.filter(listings::title.ge(title.clone())).filter(
                    listings::title
                        .gt(title.clone())
                        .or(listings::id.gt(id.clone())),
                );
            }
        }
    }
    query.limit(limit).load(conn)
}

pub fn listings_after_id(
    conn: &mut DbConnection,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<Listing>> {
    listings::table
        .filter(listings::id.gt(after))
        .order(listings::id.asc())
        .limit(limit)
        .select(Listing::as_select())
        .load(conn)
}

pub fn count_listings(conn: &mut DbConnection) -> QueryResult<i64> {
    listings::table.count().get_result(conn)
}

pub fn insert_enquiry(conn: &mut DbConnection, row: &Enquiry) -> QueryResult<()> {
    diesel::insert_into(enquiries::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Enquiries a person sent since `since`, oldest first (for the spam limit).
pub fn enquiries_sent_since(
    conn: &mut DbConnection,
    sender: &str,
    since: chrono::NaiveDateTime,
) -> QueryResult<Vec<chrono::NaiveDateTime>> {
    enquiries::table
        .filter(enquiries::sender_id.eq(sender))
        .filter(enquiries::created_at.gt(since))
        .order(enquiries::created_at.asc())
        .select(enquiries::created_at)
        .load(conn)
}

pub fn inbox(
    conn: &mut DbConnection,
    organisation_id: &str,
    limit: i64,
) -> QueryResult<Vec<Enquiry>> {
    enquiries::table
        .filter(enquiries::organisation_id.eq(organisation_id))
        .order(enquiries::created_at.desc())
        .limit(limit)
        .select(Enquiry::as_select())
        .load(conn)
}

use silkbridge_schema::models::ListingMedia;
use silkbridge_schema::tables::listing_media;

pub fn media_of(conn: &mut DbConnection, listing_id: &str) -> QueryResult<Vec<ListingMedia>> {
    listing_media::table
        .filter(listing_media::listing_id.eq(listing_id))
        .order(listing_media::created_at.asc())
        .select(ListingMedia::as_select())
        .load(conn)
}

pub fn media(
    conn: &mut DbConnection,
    listing_id: &str,
    id: &str,
) -> QueryResult<Option<ListingMedia>> {
    listing_media::table
        .find(id)
        .filter(listing_media::listing_id.eq(listing_id))
        .select(ListingMedia::as_select())
        .first(conn)
        .optional()
}

pub fn insert_media(conn: &mut DbConnection, row: &ListingMedia) -> QueryResult<()> {
    diesel::insert_into(listing_media::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn delete_media(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(listing_media::table.find(id)).execute(conn)
}

/// (listing id, category) pairs of many listings, ordered by category: one query per page.
pub fn categories_of_many(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    listing_category_links::table
        .filter(listing_category_links::listing_id.eq_any(ids))
        .order(listing_category_links::category_slug.asc())
        .select((
            listing_category_links::listing_id,
            listing_category_links::category_slug,
        ))
        .load(conn)
}

/// (listing id, country) pairs of many listings, ordered by country.
pub fn countries_of_many(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<(String, String)>> {
    listing_countries::table
        .filter(listing_countries::listing_id.eq_any(ids))
        .order(listing_countries::country.asc())
        .select((listing_countries::listing_id, listing_countries::country))
        .load(conn)
}

/// Media of many listings, oldest first.
pub fn media_of_many(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<ListingMedia>> {
    listing_media::table
        .filter(listing_media::listing_id.eq_any(ids))
        .order(listing_media::created_at.asc())
        .select(ListingMedia::as_select())
        .load(conn)
}

/// Which of `keys` a listing medium row refers to (for the object sweeper).
pub fn known_object_keys(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<String>> {
    listing_media::table
        .filter(listing_media::object_key.eq_any(keys))
        .select(listing_media::object_key)
        .load(conn)
}
