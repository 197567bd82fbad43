//! What readers of the marketplace see: the views REST, GraphQL and the portal share.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::Serialize;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{Enquiry, Listing};
use utoipa::ToSchema;

use super::input::ListingText;
use super::store::{self};
use crate::error::{ApiError, ApiResult};
use crate::identity::domain::Country;
use crate::identity::rules as identity;

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

pub(super) fn view(conn: &mut DbConnection, row: Listing) -> ApiResult<ListingView> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a listing view went missing")))
}

/// Views of many listings with a fixed number of queries (owners, categories, countries,
/// media), however long the page.
pub(super) fn views(conn: &mut DbConnection, rows: Vec<Listing>) -> ApiResult<Vec<ListingView>> {
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

pub(super) fn enquiry_view(
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
