//! Documents in search: found only by the members of their parties.

use silkbridge_schema::DbConnection;
use silkbridge_search_index::IndexDocument;

use super::store;
use super::views::{DocumentView, views};
use crate::error::ApiResult;
use crate::identity::policy::{self};

/// The change-log and search kind of documents.
pub const DOCUMENT_KIND: &str = "document";

/// How search reads documents.
pub const SOURCE: crate::search_source::SearchSource = crate::search_source::SearchSource {
    kind: DOCUMENT_KIND,
    document: index_document,
    documents_after: index_documents_after,
    count,
};

pub(super) fn document(views: DocumentView) -> IndexDocument {
    // Exchange tokens, not organisation tokens: the policy's exchange scope (members and the
    // organisation's own partner systems; no platform-wide token) decides, as for a read.
    let mut access = vec![policy::exchange_token(&views.sender.id)];
    if views.state == "sent" {
        access.extend(
            views
                .recipients
                .iter()
                .map(|r| policy::exchange_token(&r.organisation.id)),
        );
    }
    let mut body = vec![
        views.reference_number.clone(),
        views.document_type.clone(),
        views.sender.name.clone(),
    ];
    body.extend(views.recipients.iter().map(|r| r.organisation.name.clone()));
    body.extend(views.files.iter().map(|f| f.file_name.clone()));
    IndexDocument {
        kind: DOCUMENT_KIND.into(),
        entity_id: views.id,
        title: views.subject,
        body: body.join("\n"),
        organisation_id: Some(views.sender.id),
        country: Some(views.sender.country.as_str().to_owned()),
        access,
        updated_at: views.updated_at.and_utc().timestamp(),
        ..IndexDocument::default()
    }
}

pub(crate) fn index_document(
    conn: &mut DbConnection,
    id: &str,
) -> ApiResult<Option<IndexDocument>> {
    match store::document(conn, id)? {
        Some(row) => Ok(views(conn, vec![row])?.pop().map(document)),
        None => Ok(None),
    }
}

pub(crate) fn index_documents_after(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> ApiResult<(Vec<IndexDocument>, Option<String>)> {
    let rows = store::after_id(conn, after_id, limit)?;
    let last = rows.last().map(|r| r.id.clone());
    Ok((views(conn, rows)?.into_iter().map(document).collect(), last))
}

/// How many documents there are (the rebuild's progress).
pub(crate) fn count(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count(conn)?)
}
