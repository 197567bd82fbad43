//! Datasets in search: each active one's document, and who may find it.

use silkbridge_schema::DbConnection;
use silkbridge_search_index::IndexDocument;

use super::store::{self};
use super::views::{DatasetView, views};
use crate::error::ApiResult;

/// The change-log and search kind of datasets.
pub const DATASET_KIND: &str = "dataset";

/// How search reads datasets.
pub const SOURCE: crate::search_source::SearchSource = crate::search_source::SearchSource {
    kind: DATASET_KIND,
    document: index_document,
    documents_after: index_documents_after,
    count,
};

pub(super) fn document(view: DatasetView) -> Option<IndexDocument> {
    if view.state != "active" {
        return None;
    }
    let access = crate::identity::policy::search_access(!view.private, &view.organisation.id);
    let mut languages = vec![view.language.clone()];
    let mut body = vec![view.notes.clone(), view.name.clone()];
    for text in &view.translations {
        languages.push(text.lang.clone());
        body.push(text.title.clone());
        body.push(text.notes.clone());
    }
    for resource in &view.resources {
        body.push(resource.name.clone());
        body.push(resource.description.clone());
        body.push(resource.format.clone());
    }
    body.extend(view.tags.iter().cloned());
    body.extend(view.spatial.iter().cloned());
    body.push(view.organisation.name.clone());
    Some(IndexDocument {
        kind: DATASET_KIND.into(),
        entity_id: view.id,
        title: view.title,
        body: body.join("\n"),
        organisation_id: Some(view.organisation.id),
        country: Some(view.organisation.country.as_str().to_owned()),
        access,
        updated_at: view.updated_at.and_utc().timestamp(),
        year: view
            .temporal_end
            .or(view.temporal_start)
            .map(|d| chrono::Datelike::year(&d)),
        languages,
        licence: Some(view.licence.id),
        tags: view.tags,
    })
}

pub(crate) fn index_document(
    conn: &mut DbConnection,
    id: &str,
) -> ApiResult<Option<IndexDocument>> {
    match store::dataset(conn, id)? {
        Some(row) => Ok(views(conn, vec![row])?.into_iter().find_map(document)),
        None => Ok(None),
    }
}

/// The rebuild scan: documents of the datasets after `after_id`, and the last id seen.
pub(crate) fn index_documents_after(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> ApiResult<(Vec<IndexDocument>, Option<String>)> {
    let rows = store::datasets_after_id(conn, after_id, limit)?;
    let last = rows.last().map(|r| r.id.clone());
    Ok((
        views(conn, rows)?
            .into_iter()
            .filter_map(document)
            .collect(),
        last,
    ))
}

/// How many datasets there are (the rebuild's progress).
pub fn count(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count(conn)?)
}
