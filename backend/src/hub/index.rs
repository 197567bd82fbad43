//! Programmes in search: published programmes are searchable by everyone, in every language
//! they are written in. Applications never are.

use std::collections::BTreeMap;

use silkbridge_schema::DbConnection;
use silkbridge_schema::hub_models::HubProgramme;
use silkbridge_search_index::IndexDocument;

use super::domain::ProgrammeState;
use super::store;
use crate::error::ApiResult;

/// The change-log and search kind of programmes.
pub const PROGRAMME_KIND: &str = "programme";

/// How search reads programmes.
pub const SOURCE: crate::search_source::SearchSource = crate::search_source::SearchSource {
    kind: PROGRAMME_KIND,
    document: index_document,
    documents_after: index_documents_after,
    count,
};

fn document(conn: &mut DbConnection, row: &HubProgramme) -> ApiResult<Option<IndexDocument>> {
    if row.state != ProgrammeState::Published.as_str() {
        return Ok(None);
    }
    let organisers = store::organisers(conn, &row.id)?;
    let lead = organisers.iter().find(|o| o.confirmed_at.is_some());
    let translations: BTreeMap<String, (String, String)> =
        serde_json::from_str(&row.translations_json).unwrap_or_default();
    let mut body = vec![row.description.clone(), row.location.clone()];
    for (title, description) in translations.values() {
        body.push(title.clone());
        body.push(description.clone());
    }
    let sectors: Vec<String> = serde_json::from_str(&row.sectors_json).unwrap_or_default();
    let mut tags = vec![row.kind.clone()];
    tags.extend(sectors);
    Ok(Some(IndexDocument {
        kind: PROGRAMME_KIND.into(),
        entity_id: row.id.clone(),
        title: row.title.clone(),
        body: body.join("\n"),
        organisation_id: lead.map(|o| o.organisation_id.clone()),
        access: vec![crate::identity::policy::PUBLIC_ACCESS.to_owned()],
        updated_at: row.updated_at.and_utc().timestamp(),
        languages: translations.keys().cloned().collect(),
        tags,
        ..IndexDocument::default()
    }))
}

/// The search document of a programme: only published ones are searchable.
pub(crate) fn index_document(
    conn: &mut DbConnection,
    id: &str,
) -> ApiResult<Option<IndexDocument>> {
    match store::programme(conn, id)? {
        Some(row) => document(conn, &row),
        None => Ok(None),
    }
}

/// The rebuild scan.
pub(crate) fn index_documents_after(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> ApiResult<(Vec<IndexDocument>, Option<String>)> {
    let rows = store::programmes_after_id(conn, after_id, limit)?;
    let last = rows.last().map(|r| r.id.clone());
    let mut documents = Vec::new();
    for row in &rows {
        documents.extend(document(conn, row)?);
    }
    Ok((documents, last))
}

/// How many programmes there are (the rebuild's progress).
pub(crate) fn count(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count_programmes(conn)?)
}
