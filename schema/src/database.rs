//! The connection pool and what it takes to open one safely on either backend.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};

use crate::{Backend, DatabaseUrl, DbConnection, DbError, migrations};

/// A pooled connection.
pub type PooledConnection = diesel::r2d2::PooledConnection<ConnectionManager<DbConnection>>;

/// Pool sizing; the defaults suit the embedded setup.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_connections: u32,
    pub connect_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// The database: a pool plus the backend it speaks to. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: Pool<ConnectionManager<DbConnection>>,
    url: DatabaseUrl,
}

/// Per-connection settings SQLite needs: foreign keys are off by default, and busy_timeout
/// makes a second writer wait instead of failing. (WAL, which lets readers run beside the
/// single writer, is a property of the file, set once in `Database::open_without_migrating`.)
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConnection) -> Result<(), diesel::r2d2::Error> {
        if let DbConnection::Sqlite(conn) = conn {
            conn.batch_execute(
                // A 32 MiB page cache per connection (SQLite's default is 2 MiB): indexes of
                // large tables, such as the IMEI read audit's, stay in memory as they grow.
                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

impl Database {
    /// Opens the database named by `url`, creating a SQLite file's folder if needed, and
    /// applies pending migrations. Fails with one clear error if it cannot.
    pub fn open(url: &str, options: &PoolOptions) -> Result<Self, DbError> {
        let database = Self::open_without_migrating(url, options)?;
        let mut conn = database.connection()?;
        // SQLite has no advisory locks, and two of its migrations must run outside a
        // transaction: processes opening one file together migrate one after the other under
        // an exclusive lock on a file beside it (the later ones find nothing pending).
        let _migrating = database.sqlite_migration_lock()?;
        let applied = migrations::run_pending(&mut conn)?;
        if applied > 0 {
            tracing::info!(
                applied,
                backend = database.backend().as_str(),
                "migrations applied"
            );
        }
        Ok(database)
    }

    /// An exclusive lock on `FILE.migrations.lock` beside a SQLite database file, held until
    /// dropped; `None` for PostgreSQL (which locks in `migrations::run_pending`) and for
    /// in-memory databases (one process by definition).
    fn sqlite_migration_lock(&self) -> Result<Option<std::fs::File>, DbError> {
        let DatabaseUrl::Sqlite(path) = &self.url else {
            return Ok(None);
        };
        if path.as_os_str() == ":memory:" {
            return Ok(None);
        }
        let mut name = path.clone().into_os_string();
        name.push(".migrations.lock");
        let failed = |e: std::io::Error| DbError::Migration(format!("cannot lock {name:?}: {e}"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&name)
            .map_err(failed)?;
        file.lock().map_err(failed)?;
        Ok(Some(file))
    }

    /// Opens the pool without touching the schema (for `migrate --status`).
    pub fn open_without_migrating(url: &str, options: &PoolOptions) -> Result<Self, DbError> {
        let url = DatabaseUrl::parse(url)?;
        if let DatabaseUrl::Sqlite(path) = &url
            && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|e| DbError::Connect {
                url: url.redacted(),
                reason: format!("cannot create folder {}: {e}", parent.display()),
            })?;
        }
        if let DatabaseUrl::Sqlite(path) = &url {
            // Switching to WAL takes an exclusive lock: do it once, before the pool opens
            // connections side by side.
            use diesel::Connection;
            let mut conn = diesel::SqliteConnection::establish(&path.display().to_string())
                .map_err(|e| DbError::Connect {
                    url: url.redacted(),
                    reason: e.to_string(),
                })?;
            conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;")?;
        }
        let manager = ConnectionManager::<DbConnection>::new(url.connection_string());
        let pool = Pool::builder()
            .max_size(options.max_connections)
            // No idle minimum: r2d2 would otherwise open replacement connections on its own
            // threads whenever one is checked out, and a short CLI command could exit while
            // such a thread is inside libpq/OpenSSL or SQLite — a segfault in their exit
            // handlers (seen as `audit verify` killed by SIGSEGV in CI). Connections are
            // then opened only when asked for, and kept until idle.
            .min_idle(Some(0))
            .connection_timeout(options.connect_timeout)
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)
            .map_err(|e| DbError::Connect {
                url: url.redacted(),
                reason: e.to_string(),
            })?;
        Ok(Self { pool, url })
    }

    /// A connection from the pool; blocks up to the connect timeout. Call from blocking code.
    pub fn connection(&self) -> Result<PooledConnection, DbError> {
        Ok(self.pool.get()?)
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// The connections the pool holds and how many of them are idle (for metrics).
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }
}
