//! One connection type over both backends.

/// A live connection to whichever backend the URL chose.
///
/// SQLite is the last variant on purpose: diesel's derive tries variants in order and SQLite
/// accepts any string as a file name, so it would swallow `postgres://` URLs if listed first.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl DbConnection {
    /// Which backend this connection talks to, for the rare statement that must differ.
    pub fn backend(&self) -> crate::Backend {
        match self {
            Self::Postgresql(_) => crate::Backend::Postgres,
            Self::Sqlite(_) => crate::Backend::Sqlite,
        }
    }
}
