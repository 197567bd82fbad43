//! Organisations in search: every organisation is public.

use std::collections::BTreeMap;

use silkbridge_schema::DbConnection;
use silkbridge_schema::models::Organisation;
use silkbridge_search_index::IndexDocument;

use super::store::{self};
use crate::error::ApiResult;

/// The change-log and search kind of organisations.
pub const ORGANISATION_KIND: &str = "organisation";

/// How search reads organisations.
pub const SOURCE: crate::search_source::SearchSource = crate::search_source::SearchSource {
    kind: ORGANISATION_KIND,
    document: organisation_index_document,
    documents_after: organisation_index_documents_after,
    count: super::rules::count_organisations,
};

pub(super) fn organisation_document(row: &Organisation) -> IndexDocument {
    let names: BTreeMap<String, String> = serde_json::from_str(&row.names_json).unwrap_or_default();
    let mut body: Vec<&str> = names.values().map(String::as_str).collect();
    body.push(&row.kind);
    IndexDocument {
        kind: ORGANISATION_KIND.into(),
        entity_id: row.id.clone(),
        title: row.name.clone(),
        body: body.join("\n"),
        organisation_id: Some(row.id.clone()),
        country: Some(row.country.clone()),
        access: vec![super::policy::PUBLIC_ACCESS.to_owned()],
        updated_at: row.updated_at.and_utc().timestamp(),
        languages: names.keys().cloned().collect(),
        tags: vec![row.kind.clone()],
        ..IndexDocument::default()
    }
}

/// The search document of one organisation, or `None` if it no longer exists.
pub(crate) fn organisation_index_document(
    conn: &mut DbConnection,
    id: &str,
) -> ApiResult<Option<IndexDocument>> {
    Ok(store::organisation_by_id(conn, id)?.map(|row| organisation_document(&row)))
}

/// Search documents of organisations after `after_id` in id order, and the last id seen:
/// the rebuild scan.
pub(crate) fn organisation_index_documents_after(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> ApiResult<(Vec<IndexDocument>, Option<String>)> {
    let rows = store::organisations_after_id(conn, after_id, limit)?;
    let last = rows.last().map(|r| r.id.clone());
    Ok((rows.iter().map(organisation_document).collect(), last))
}
