//! Which modules feed the index. Each module declares its `SearchSource` in its own
//! `index.rs` (its documents, its rebuild scan, its count) and keeps ownership of its
//! tables; a module joins search by adding its source here.

use silkbridge_schema::DbConnection;
use silkbridge_search_index::IndexDocument;

use crate::error::ApiResult;
use crate::search_source::SearchSource;

/// Every indexed kind, in rebuild order.
pub const SOURCES: &[SearchSource] = &[
    crate::identity::index::SOURCE,
    crate::marketplace::index::SOURCE,
    crate::research::index::SOURCE,
    crate::datasets::index::SOURCE,
    crate::documents::index::SOURCE,
    crate::hub::index::SOURCE,
];

/// The source of a kind, if this build indexes it.
pub fn source(kind: &str) -> Option<&'static SearchSource> {
    SOURCES.iter().find(|s| s.kind == kind)
}

/// Every indexed kind, in rebuild order.
pub fn kinds() -> impl Iterator<Item = &'static str> {
    SOURCES.iter().map(|s| s.kind)
}

/// The current search document of an item; `None` if it is gone or no longer searchable.
/// Returns `Ok(None)` for kinds this build does not index, so an entry written by a newer
/// version is skipped rather than blocking the log.
pub fn document(conn: &mut DbConnection, kind: &str, id: &str) -> ApiResult<Option<IndexDocument>> {
    match source(kind) {
        Some(source) => (source.document)(conn, id),
        None => Ok(None),
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
    match source(kind) {
        Some(source) => (source.documents_after)(conn, after_id, limit),
        None => Ok((Vec::new(), None)),
    }
}

/// How many items of one kind exist, for the rebuild's progress bar.
pub fn count(conn: &mut DbConnection, kind: &str) -> ApiResult<u64> {
    let count = match source(kind) {
        Some(source) => (source.count)(conn)?,
        None => 0,
    };
    Ok(u64::try_from(count).unwrap_or(0))
}
