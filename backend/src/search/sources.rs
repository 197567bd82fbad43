//! Which modules feed the index, and how to get an item's search document from each. A
//! module joins search by adding its kind here; it keeps ownership of its tables.

use silkbridge_schema::DbConnection;
use silkbridge_search_index::IndexDocument;

use crate::datasets::service as datasets;
use crate::documents::service as documents;
use crate::error::ApiResult;
use crate::identity::service as identity;
use crate::marketplace::service as marketplace;
use crate::research::service as research;

/// Every indexed kind, in rebuild order.
pub const KINDS: &[&str] = &[
    identity::ORGANISATION_KIND,
    marketplace::LISTING_KIND,
    research::PUBLICATION_KIND,
    datasets::DATASET_KIND,
    documents::DOCUMENT_KIND,
];

/// The current search document of an item; `None` if it is gone or no longer searchable.
/// Returns `Ok(None)` for kinds this build does not index, so an entry written by a newer
/// version is skipped rather than blocking the log.
pub fn document(conn: &mut DbConnection, kind: &str, id: &str) -> ApiResult<Option<IndexDocument>> {
    match kind {
        identity::ORGANISATION_KIND => identity::organisation_index_document(conn, id),
        marketplace::LISTING_KIND => marketplace::index_document(conn, id),
        research::PUBLICATION_KIND => research::index_document(conn, id),
        datasets::DATASET_KIND => datasets::index_document(conn, id),
        documents::DOCUMENT_KIND => documents::index_document(conn, id),
        _ => Ok(None),
    }
}

/// Documents of up to `limit` items of one kind after `after_id`, in id order, and the last
/// id scanned (`None` at the end). Items that are not searchable (unpublished) are scanned
/// but yield no document, so a batch may be empty without being the last.
pub fn documents_after(
    conn: &mut DbConnection,
    kind: &str,
    after_id: &str,
    limit: i64,
) -> ApiResult<(Vec<IndexDocument>, Option<String>)> {
    match kind {
        identity::ORGANISATION_KIND => {
            identity::organisation_index_documents_after(conn, after_id, limit)
        }
        marketplace::LISTING_KIND => marketplace::index_documents_after(conn, after_id, limit),
        research::PUBLICATION_KIND => research::index_documents_after(conn, after_id, limit),
        datasets::DATASET_KIND => datasets::index_documents_after(conn, after_id, limit),
        documents::DOCUMENT_KIND => documents::index_documents_after(conn, after_id, limit),
        _ => Ok((Vec::new(), None)),
    }
}

/// How many items of one kind exist, for the rebuild's progress bar.
pub fn count(conn: &mut DbConnection, kind: &str) -> ApiResult<u64> {
    let count = match kind {
        identity::ORGANISATION_KIND => identity::count_organisations(conn)?,
        marketplace::LISTING_KIND => marketplace::count(conn)?,
        research::PUBLICATION_KIND => research::count(conn)?,
        datasets::DATASET_KIND => datasets::count(conn)?,
        documents::DOCUMENT_KIND => documents::count(conn)?,
        _ => 0,
    };
    Ok(u64::try_from(count).unwrap_or(0))
}
