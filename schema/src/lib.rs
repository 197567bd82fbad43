//! silkbridge's data layer: one diesel codebase over SQLite (the embedded default) and
//! PostgreSQL (the scale setup), chosen by URL at start.
//!
//! The crate owns the tables, the row types, the migrations of both backends and the pool.
//! It knows nothing of HTTP: the backend's modules call into it from their model-access code.

pub mod case_models;
pub mod change_log;
pub mod connection;
pub mod database;
pub mod database_url;
pub mod error;
pub mod hub_models;
pub mod hub_tables;
pub mod ids;
pub mod migrations;
pub mod models;
pub mod tables;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod transaction;

pub use connection::DbConnection;
pub use database::{Database, PoolOptions, PooledConnection};
pub use database_url::{Backend, DatabaseUrl};
pub use error::DbError;
pub use transaction::write_transaction;
