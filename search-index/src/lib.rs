//! silkbridge's full-text index over every module's searchable items, kept in one Tantivy
//! index with a `kind` field.
//!
//! The database is the source of truth; this index is derived and can always be rebuilt. The
//! position in the database change log that the index reflects is stored in Tantivy's commit
//! payload, so the documents and the position are committed atomically: after a crash the
//! consumer resumes exactly where the last commit left it.

mod analyzers;
mod disclosure;
mod document;
mod error;
mod fields;
pub mod fold;
mod index;
mod query;

pub use analyzers::tag_key;
pub use disclosure::PUBLIC_ACCESS;
pub use document::IndexDocument;
pub use error::IndexError;
pub use fields::SCHEMA_VERSION;
pub use index::{CommitState, IndexOptions, SearchIndex, SimpleHit};
pub use query::{FacetCount, SearchHit, SearchOrder, SearchRequest, SearchResults};
