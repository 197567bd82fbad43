//! Publications in search: each one's document, and who may find it.

use silkbridge_schema::DbConnection;
use silkbridge_schema::models::Publication;
use silkbridge_search_index::IndexDocument;

use super::rules::{open_on, today};
use super::store;
use super::views::content_of;
use crate::error::ApiResult;
use crate::identity::rules as identity;

/// The change-log and search kind of publications.
pub const PUBLICATION_KIND: &str = "publication";

/// How search reads publications.
pub const SOURCE: crate::search_source::SearchSource = crate::search_source::SearchSource {
    kind: PUBLICATION_KIND,
    document: index_document,
    documents_after: index_documents_after,
    count,
};

/// The index form of a publication (`country` is its organisation's): the access tokens say
/// who may find it.
fn document(row: &Publication, country: &str) -> ApiResult<Option<IndexDocument>> {
    if row.deleted_at.is_some() {
        return Ok(None);
    }
    let content = content_of(row)?;
    let mut languages = vec![content.language.clone()];
    languages.extend(content.translations.iter().map(|t| t.lang.clone()));
    let tags = content.keywords.clone();
    let mut body = vec![content.abstract_text];
    for text in content.translations {
        body.push(text.title);
        body.push(text.abstract_text);
    }
    body.extend(content.authors.into_iter().map(|a| a.name));
    body.extend(content.keywords);
    body.extend(content.subjects);
    body.extend(content.venue);
    body.extend(content.doi);
    let access =
        crate::identity::policy::search_access(open_on(row, today()), &row.organisation_id);
    Ok(Some(IndexDocument {
        kind: PUBLICATION_KIND.into(),
        entity_id: row.id.clone(),
        title: row.title.clone(),
        body: body.join("\n"),
        organisation_id: Some(row.organisation_id.clone()),
        country: Some(country.to_owned()),
        access,
        updated_at: row.updated_at.and_utc().timestamp(),
        year: Some(row.year),
        languages,
        licence: Some(row.licence.clone()),
        tags,
    }))
}

/// Search documents of publications, with their organisations' countries read in one query.
fn documents(conn: &mut DbConnection, rows: &[Publication]) -> ApiResult<Vec<IndexDocument>> {
    let owners =
        identity::organisations_by_ids(conn, rows.iter().map(|r| r.organisation_id.as_str()))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let country = owners
            .get(&row.organisation_id)
            .map(|o| o.country.as_str())
            .unwrap_or_default();
        out.extend(document(row, country)?);
    }
    Ok(out)
}

pub fn index_document(conn: &mut DbConnection, id: &str) -> ApiResult<Option<IndexDocument>> {
    match store::publication(conn, id)? {
        Some(row) => Ok(documents(conn, &[row])?.pop()),
        None => Ok(None),
    }
}

/// The rebuild scan: documents of the publications after `after_id`, and the last id seen.
pub fn index_documents_after(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> ApiResult<(Vec<IndexDocument>, Option<String>)> {
    let rows = store::publications_after_id(conn, after_id, limit)?;
    let last = rows.last().map(|r| r.id.clone());
    Ok((documents(conn, &rows)?, last))
}

/// How many publications there are (the rebuild's progress).
pub fn count(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count_publications(conn)?)
}
