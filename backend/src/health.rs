//! Liveness, readiness and metrics: what orchestrators and monitoring poll.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::search::lag::{self, IndexLag};
use crate::state::AppState;
use crate::storage;

/// The longest a readiness check waits for a dependency.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Liveness: the process answers.
#[derive(Serialize, ToSchema)]
pub struct Alive {
    pub status: &'static str,
    pub version: &'static str,
}

/// One dependency's state.
#[derive(Serialize, ToSchema)]
pub struct Check {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Readiness: every dependency and its state.
#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `unavailable`.
    pub status: &'static str,
    pub database: Check,
    /// Unready while the index rebuilds or lags more than `search.ready_max_lag_secs`.
    pub search_index: Check,
    pub object_store: Check,
    /// How far this node's index is behind the change log (absent if the database does not
    /// answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_lag: Option<IndexLag>,
}

impl Check {
    fn from_result<E: std::fmt::Display>(result: Result<(), E>) -> Self {
        match result {
            Ok(()) => Self {
                ok: true,
                error: None,
            },
            Err(e) => Self {
                ok: false,
                error: Some(e.to_string()),
            },
        }
    }
}

/// Alive as long as the process can answer.
#[utoipa::path(tag = "operations", responses((status = 200, body = Alive)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Alive> {
    web::Json(Alive {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// Ready when the database, the search index and the object store all answer, and the index
/// is neither rebuilding nor behind the change log by more than `search.ready_max_lag_secs`.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Readiness, description = "every dependency answers"),
        (status = 503, body = Readiness, description = "at least one does not, or the index is rebuilding or behind")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let probe = state.clone();
    let measured = tokio::task::spawn_blocking(move || -> ApiResult<IndexLag> {
        let mut conn = probe.db.connection()?;
        lag::measure(&mut conn, &probe.index)
    })
    .await
    .map_err(|e| e.to_string())
    .and_then(|r| r.map_err(|e| e.to_string()));
    let (database, index_lag) = match measured {
        Ok(lag) => (Ok(()), Some(lag)),
        Err(error) => (Err(error), None),
    };
    let max_lag = state.config.search.ready_max_lag_secs;
    let search_index =
        state
            .index
            .check()
            .map_err(|e| e.to_string())
            .and_then(
                |()| match index_lag.and_then(|lag| lag.unready_reason(max_lag)) {
                    Some(reason) => Err(reason),
                    None => Ok(()),
                },
            );
    // A store that retries with back-off must not make the probe hang past the orchestrator's
    // own timeout: an answer that slow is an outage.
    let objects =
        match tokio::time::timeout(PROBE_TIMEOUT, storage::probe(state.objects.as_ref())).await {
            Ok(result) => result.map_err(|e| e.to_string()),
            Err(_) => Err(format!("no answer within {} s", PROBE_TIMEOUT.as_secs())),
        };
    let readiness = Readiness {
        database: Check::from_result(database),
        search_index: Check::from_result(search_index),
        object_store: Check::from_result(objects),
        index_lag,
        status: "ready",
    };
    let ready = readiness.database.ok && readiness.search_index.ok && readiness.object_store.ok;
    if ready {
        HttpResponse::Ok().json(readiness)
    } else {
        for (name, check) in [
            ("database", &readiness.database),
            ("search_index", &readiness.search_index),
            ("object_store", &readiness.object_store),
        ] {
            if let Some(error) = &check.error {
                tracing::warn!(dependency = name, %error, "not ready");
            }
        }
        HttpResponse::ServiceUnavailable()
            .insert_header(("retry-after", "5"))
            .json(Readiness {
                status: "unavailable",
                ..readiness
            })
    }
}

/// Prometheus text exposition.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, content_type = "text/plain; version=0.0.4", body = String))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    state
        .metrics
        .index_documents
        .set(i64::try_from(state.index.num_docs()).unwrap_or(i64::MAX));
    let probe = state.clone();
    let measured = tokio::task::spawn_blocking(move || -> ApiResult<(IndexLag, i64, i64)> {
        let mut conn = probe.db.connection()?;
        let lag = lag::measure(&mut conn, &probe.index)?;
        let head = silkbridge_schema::change_log::head(&mut conn)?;
        Ok((lag, head.id, crate::outbox::backlog(&mut conn)?))
    })
    .await
    .map_err(ApiError::internal)?;
    let pool = state.db.pool_state();
    state.metrics.pool_connections.set(i64::from(pool.0));
    state.metrics.pool_idle.set(i64::from(pool.1));
    // A database that does not answer leaves these at their last values; /readyz says why.
    if let Ok((lag, head, backlog)) = measured {
        let metrics = &state.metrics;
        metrics.index_lag_entries.set(lag.entries as i64);
        metrics.index_lag_seconds.set(lag.seconds as i64);
        metrics.index_rebuilding.set(i64::from(lag.rebuilding));
        metrics.change_log_head.set(head);
        metrics.webhook_backlog.set(backlog);
    }
    let text = state.metrics.render().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
