//! Write transactions that behave the same under contention on both backends.

use diesel::Connection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};

use crate::DbConnection;

/// Runs `work` in a transaction meant to write.
///
/// On SQLite a plain (deferred) transaction that reads first and writes later cannot wait for
/// the write lock: if another writer got there in between, SQLite answers "database is locked"
/// at once, whatever the busy timeout. Outermost write transactions therefore begin with
/// `BEGIN IMMEDIATE`, which takes the write lock up front and so does wait. Nested calls
/// become savepoints, as usual; PostgreSQL uses its ordinary transactions.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if let DbConnection::Sqlite(inner) = conn {
        let depth =
            AnsiTransactionManager::transaction_manager_status_mut(inner).transaction_depth()?;
        if depth.is_none() {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            return match work(conn) {
                Ok(value) => {
                    match <DbConnection as Connection>::TransactionManager::commit_transaction(conn)
                    {
                        Ok(()) => Ok(value),
                        Err(error) => {
                            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
                            Err(error.into())
                        }
                    }
                }
                Err(error) => {
                    let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(
                        conn,
                    );
                    Err(error)
                }
            };
        }
    }
    conn.transaction(work)
}
