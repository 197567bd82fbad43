//! Rate limits one cluster shares. On PostgreSQL every node charges the same budget: one
//! statement per charge implements GCRA (the generic cell rate algorithm) on the `rate_limits`
//! table with the database's clock, atomically (the upsert's row lock orders concurrent
//! charges), so N nodes allow what one would. On SQLite — one embedded node by definition —
//! budgets stay in memory (`governor`), which costs no write per request.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use silkbridge_schema::DbConnection;

use crate::error::{ApiError, ApiResult};

/// Every budget is a minute's worth.
const WINDOW_MICROS: i64 = 60_000_000;

#[derive(QueryableByName)]
struct Tat {
    #[diesel(sql_type = BigInt)]
    tat: i64,
}

/// Charges `cost` against `key`'s budget of `per_minute`: `Ok(None)` if allowed, `Ok(Some(wait))`
/// (how long until it would be) if not. `Err` only when the database fails. PostgreSQL only:
/// on SQLite answers `None` (the caller's in-memory limiter decides).
pub fn charge(
    conn: &mut DbConnection,
    key: &str,
    per_minute: u32,
    cost: u32,
) -> ApiResult<Option<Duration>> {
    let DbConnection::Postgresql(pg) = conn else {
        return Ok(None);
    };
    if per_minute == 0 || cost > per_minute {
        return Ok(Some(Duration::from_secs(60)));
    }
    let interval = WINDOW_MICROS / i64::from(per_minute);
    let cost_micros = interval * i64::from(cost);
    // `EXCLUDED.tat - cost` is now, on the database's clock: one clock for every node.
    let charged = diesel::sql_query(
        "WITH now AS (SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT AS us) \
         INSERT INTO rate_limits AS r (key, tat) SELECT $1, now.us + $2 FROM now \
         ON CONFLICT (key) DO UPDATE SET tat = GREATEST(r.tat, EXCLUDED.tat - $2) + $2 \
         WHERE GREATEST(r.tat, EXCLUDED.tat - $2) + $2 - (EXCLUDED.tat - $2) <= $3 \
         RETURNING tat",
    )
    .bind::<Text, _>(key)
    .bind::<BigInt, _>(cost_micros)
    .bind::<BigInt, _>(WINDOW_MICROS)
    .get_result::<Tat>(pg)
    .optional()?;
    if charged.is_some() {
        return Ok(None);
    }
    let ahead = diesel::sql_query(
        "SELECT tat - (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT AS tat \
         FROM rate_limits WHERE key = $1",
    )
    .bind::<Text, _>(key)
    .get_result::<Tat>(pg)
    .optional()?
    .map_or(0, |t| t.tat);
    let wait = (ahead + cost_micros - WINDOW_MICROS).max(1_000_000);
    Ok(Some(Duration::from_micros(
        u64::try_from(wait).unwrap_or(60_000_000),
    )))
}

/// Charges `key`'s budget for the cluster on PostgreSQL; on SQLite asks `here`, the node's
/// in-memory limiter. `Some(wait)` when refused.
pub async fn charge_cluster_or_here(
    db: &silkbridge_schema::Database,
    key: String,
    per_minute: u32,
    cost: u32,
    here: impl FnOnce() -> Option<Duration>,
) -> ApiResult<Option<Duration>> {
    if db.backend() == silkbridge_schema::Backend::Postgres {
        crate::db::run(db, move |conn| charge(conn, &key, per_minute, cost)).await
    } else {
        Ok(here())
    }
}

/// Forgets budgets that are full again (their arrival time has passed), so addresses seen
/// once do not stay in the table. Any node may run it; it is idempotent.
pub fn forget_full(conn: &mut DbConnection) -> ApiResult<usize> {
    let DbConnection::Postgresql(pg) = conn else {
        return Ok(0);
    };
    Ok(diesel::sql_query(
        "DELETE FROM rate_limits \
         WHERE tat < (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT",
    )
    .execute(pg)?)
}

/// The 429 a refused charge answers.
pub fn refused(detail: String, wait: Duration) -> ApiError {
    let mut error = ApiError::new(crate::error::ErrorCode::RateLimited, detail);
    error.retry_after = Some(wait.as_secs().max(1));
    error
}
