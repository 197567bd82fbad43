//! An isolated database per test, on whichever backend the test run targets.
//!
//! `SILKBRIDGE_TEST_DATABASE_URL` unset: a SQLite file in a fresh temporary folder.
//! Set to a `postgres://` URL: a fresh schema in that database, made the connection's
//! `search_path` through libpq's `options`, and dropped when the value is dropped. A schema is
//! far cheaper than a database and isolates just as well, since every table lives in it.

use diesel::Connection;
use diesel::connection::SimpleConnection;

use crate::DbConnection;

/// The environment variable that points the test suite at PostgreSQL.
pub const TEST_DATABASE_URL_VAR: &str = "SILKBRIDGE_TEST_DATABASE_URL";

/// A database that exists for one test.
pub struct TestDatabase {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Folder(#[allow(dead_code)] tempfile::TempDir),
    Schema { admin_url: String, schema: String },
}

impl TestDatabase {
    /// Creates the database; panics with the reason if it cannot (this is test code).
    #[allow(clippy::expect_used)]
    pub fn new() -> Self {
        match std::env::var(TEST_DATABASE_URL_VAR) {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
                let mut conn = DbConnection::establish(&admin_url)
                    .expect("cannot reach SILKBRIDGE_TEST_DATABASE_URL");
                conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
                    .expect("cannot create a test schema");
                let separator = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{separator}options=-csearch_path%3D{schema}");
                Self {
                    url,
                    cleanup: Cleanup::Schema { admin_url, schema },
                }
            }
            _ => {
                let folder = tempfile::tempdir().expect("cannot create a temporary folder");
                let url = format!("sqlite://{}", folder.path().join("test.db").display());
                Self {
                    url,
                    cleanup: Cleanup::Folder(folder),
                }
            }
        }
    }

    /// The URL to hand to `Database::open` or the server's configuration.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Default for TestDatabase {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Schema { admin_url, schema } = &self.cleanup
            && let Ok(mut conn) = DbConnection::establish(admin_url)
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}
