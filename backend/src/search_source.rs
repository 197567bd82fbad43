//! What a module gives search: one `SearchSource` per indexed kind, declared in the module's
//! own `index.rs`. `search/sources.rs` only lists them, so the search module knows no
//! module's tables and a module joins search with one line there.

use silkbridge_schema::DbConnection;
use silkbridge_search_index::IndexDocument;

use crate::error::ApiResult;

/// A batch of the rebuild scan: documents, and the last id scanned (`None` at the end).
pub type ScanBatch = (Vec<IndexDocument>, Option<String>);

/// How the indexer and the rebuild read one kind of item.
#[derive(Clone, Copy)]
pub struct SearchSource {
    /// The change-log and search kind.
    pub kind: &'static str,
    /// The current search document of an item; `None` if it is gone or not searchable.
    pub document: fn(&mut DbConnection, &str) -> ApiResult<Option<IndexDocument>>,
    /// Documents of up to `limit` items after an id, in id order, and the last id scanned
    /// (`None` at the end). Items that are not searchable are scanned but yield nothing.
    pub documents_after: fn(&mut DbConnection, &str, i64) -> ApiResult<ScanBatch>,
    /// How many items of the kind exist, for the rebuild's progress bar.
    pub count: fn(&mut DbConnection) -> ApiResult<i64>,
}
