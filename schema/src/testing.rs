//! An isolated database per test, on whichever backend the test run targets.
//!
//! `SILKBRIDGE_TEST_DATABASE_URL` unset: a SQLite file in a fresh temporary folder.
//! Set to a `postgres://` URL: a fresh schema in that database, made the connection's
//! `search_path` through libpq's `options`, and dropped when the value is dropped. A schema is
//! far cheaper than a database and isolates just as well, since every table lives in it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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
                let file = folder.path().join("test.db");
                // Without a template the server migrates the empty file itself.
                if let Some(template) = sqlite_template() {
                    std::fs::copy(template, &file).expect("cannot copy the template database");
                }
                let url = format!("sqlite://{}", file.display());
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

/// The migrated SQLite template of this test process, made on first use; `None` if it could
/// not be made (each test then migrates its own file, which is slower but as correct).
fn sqlite_template() -> Option<&'static Path> {
    static TEMPLATE: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let folder = tempfile::tempdir().ok()?;
            let file = folder.path().join("template.db");
            let mut conn = DbConnection::establish(&format!("sqlite://{}", file.display())).ok()?;
            crate::migrations::run_pending(&mut conn).ok()?;
            // Everything into the main file, so a plain copy is the whole database.
            conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);")
                .ok()?;
            drop(conn);
            Some((folder, file))
        })
        .as_ref()
        .map(|(_, file)| file.as_path())
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
