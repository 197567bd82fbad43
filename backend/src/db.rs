//! Running diesel's blocking calls from async handlers.

use silkbridge_schema::{Database, DbConnection};

use crate::error::{ApiError, ApiResult};

/// Runs `work` with a pooled connection on the blocking thread pool.
pub async fn run<T, F>(db: &Database, work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
{
    let db = db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.connection()?;
        work(&mut conn)
    })
    .await
    .map_err(ApiError::internal)?
}

/// Runs `work` inside one transaction: all of it is committed, or none of it.
pub async fn transaction<T, F>(db: &Database, work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
{
    run(db, move |conn| {
        silkbridge_schema::write_transaction(conn, work)
    })
    .await
}

impl From<diesel::result::Error> for ApiError {
    #[track_caller]
    fn from(error: diesel::result::Error) -> Self {
        silkbridge_schema::DbError::from(error).into()
    }
}
