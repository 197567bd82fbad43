//! Embedded migrations, one folder per backend, run on start.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{DbConnection, DbError};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The PostgreSQL advisory lock nodes take to migrate one at a time.
const MIGRATION_LOCK: i64 = 7_426_110_003;

/// Applies every pending migration of the connection's backend; returns how many ran. On
/// PostgreSQL under a session advisory lock, so nodes starting together migrate one after the
/// other (the later ones find nothing pending) instead of racing on the same `CREATE TABLE`.
pub fn run_pending(conn: &mut DbConnection) -> Result<usize, DbError> {
    use diesel::connection::SimpleConnection;
    let applied = match conn {
        DbConnection::Sqlite(conn) => conn.run_pending_migrations(SQLITE).map(|v| v.len()),
        DbConnection::Postgresql(conn) => {
            conn.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
                .map_err(|e| DbError::Migration(e.to_string()))?;
            let applied = conn.run_pending_migrations(POSTGRES).map(|v| v.len());
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
                .map_err(|e| DbError::Migration(e.to_string()))?;
            applied
        }
    };
    applied.map_err(|e| DbError::Migration(e.to_string()))
}

/// Names of migrations embedded in this binary but not yet applied.
pub fn pending(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    let names = match conn {
        DbConnection::Sqlite(conn) => conn
            .pending_migrations(SQLITE)
            .map(|v| v.iter().map(|m| m.name().to_string()).collect()),
        DbConnection::Postgresql(conn) => conn
            .pending_migrations(POSTGRES)
            .map(|v| v.iter().map(|m| m.name().to_string()).collect()),
    };
    names.map_err(|e| DbError::Migration(e.to_string()))
}
