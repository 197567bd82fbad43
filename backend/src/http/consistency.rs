//! Read-your-writes across nodes. Every write a request makes answers with the change-log
//! position it reached (`Silkbridge-Position: TXID:ID`); a request that carries such a header
//! — to any node — is served only after that node's index has applied the log up to there
//! (it applies what is pending itself rather than waiting for its poll), for at most
//! `WAIT`. A client that writes on one node and searches on another thus sees its write.
//! Positions the log has not reached are refused (400): nobody can make a node wait for
//! nothing.

use std::cell::Cell;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use silkbridge_schema::change_log::{self, Position};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The header, in requests and in answers to writes.
pub const HEADER: &str = "silkbridge-position";
/// The longest a read waits for this node's index.
pub const WAIT: Duration = Duration::from_secs(5);

tokio::task_local! {
    /// The newest position the request's writes reached.
    static WRITTEN: Cell<Option<Position>>;
}

/// Whether the running request wants to know where its writes reached (`AppState::write`).
pub(crate) fn wants_position() -> bool {
    WRITTEN.try_with(|_| ()).is_ok()
}

/// Notes a position the request's write reached.
pub(crate) fn wrote(position: Position) {
    let _ = WRITTEN.try_with(|cell| cell.set(cell.get().max(Some(position))));
}

fn requested(req: &ServiceRequest) -> ApiResult<Option<Position>> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(Position::decode)
        .map(Some)
        .ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "{HEADER} must be a position a write answered with (TXID:ID)"
            ))
        })
}

fn applied(state: &AppState) -> Option<Position> {
    state
        .index
        .commit_state()
        .ok()?
        .position
        .as_deref()
        .and_then(Position::decode)
}

/// Waits until this node's index has applied `wanted`, applying what is pending itself;
/// `Err` if the log never reached `wanted`.
async fn catch_up(state: &AppState, wanted: Position) -> ApiResult<()> {
    if applied(state).is_some_and(|at| at >= wanted) {
        return Ok(());
    }
    let newest = crate::db::run(&state.db, |conn| Ok(change_log::newest(conn)?)).await?;
    if wanted > newest {
        return Err(ApiError::invalid_parameter(format!(
            "{HEADER} {} is past the newest change ({})",
            wanted.encode(),
            newest.encode()
        )));
    }
    let deadline = Instant::now() + WAIT;
    loop {
        crate::search::index_now(state).await;
        if applied(state).is_some_and(|at| at >= wanted) || Instant::now() >= deadline {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn read_your_writes(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let wanted = match requested(&req) {
        Ok(wanted) => wanted,
        Err(error) => return Err(error.into()),
    };
    if let (Some(state), Some(wanted)) = (&state, wanted)
        && let Err(error) = catch_up(state, wanted).await
    {
        return Err(error.into());
    }
    let (response, written) = WRITTEN
        .scope(Cell::new(None), async move {
            let response = next.call(req).await;
            (response, WRITTEN.with(Cell::get))
        })
        .await;
    let mut response = response?.map_into_boxed_body();
    if let Some(position) = written
        && response.status().is_success()
        && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&position.encode())
    {
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static(HEADER),
            value,
        );
    }
    Ok(response)
}
