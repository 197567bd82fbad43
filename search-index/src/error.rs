/// Failures of the search index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("cannot use the index folder {path}: {reason}")]
    Folder { path: String, reason: String },
    #[error("the index at {path} is unreadable and must be rebuilt: {reason}")]
    Corrupt { path: String, reason: String },
    #[error(
        "the index at {path} has schema version {found}, this build needs {expected}; run `silkbridge reindex`"
    )]
    SchemaMismatch {
        path: String,
        found: u32,
        expected: u32,
    },
    #[error("the index is locked by another process (is a silkbridge server running on it?)")]
    Locked,
    #[error("malformed query: {0}")]
    Query(String),
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
}
