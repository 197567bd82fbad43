//! Listings in search: only published listings are searchable, by everyone.

use std::collections::BTreeMap;

use silkbridge_schema::DbConnection;
use silkbridge_schema::models::Listing;
use silkbridge_search_index::IndexDocument;

use super::domain::ListingState;
use super::store::{self};
use crate::error::ApiResult;
use crate::identity::rules as identity;

/// The change-log and search kind of listings.
pub const LISTING_KIND: &str = "listing";

/// How search reads listings.
pub const SOURCE: crate::search_source::SearchSource = crate::search_source::SearchSource {
    kind: LISTING_KIND,
    document: index_document,
    documents_after: index_documents_after,
    count,
};

pub(super) fn document(conn: &mut DbConnection, row: &Listing) -> ApiResult<Option<IndexDocument>> {
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
        access: vec![crate::identity::policy::PUBLIC_ACCESS.to_owned()],
        updated_at: row.updated_at.and_utc().timestamp(),
        languages: translations.keys().cloned().collect(),
        tags: categories,
        ..IndexDocument::default()
    }))
}

/// The search document of a listing: only published listings are searchable.
pub(crate) fn index_document(
    conn: &mut DbConnection,
    id: &str,
) -> ApiResult<Option<IndexDocument>> {
    match store::listing(conn, id)? {
        Some(row) => document(conn, &row),
        None => Ok(None),
    }
}

/// The rebuild scan: documents of published listings after `after_id`, and the last id seen.
pub(crate) fn index_documents_after(
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

/// How many listings there are (the rebuild's progress).
pub(crate) fn count(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count_listings(conn)?)
}
