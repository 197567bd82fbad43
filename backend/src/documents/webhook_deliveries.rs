//! An organisation's webhook deliveries, for its admins: every attempt with its outcome,
//! status and latency (what the outbox's dispatcher logged), and the redelivery of an event —
//! one given up after too many attempts or too long, or one the receiver lost.

use chrono::NaiveDateTime;
use serde::Serialize;
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::identity::rules as identity;
use crate::outbox;

/// Most attempts one listing shows.
pub const MAX_DELIVERIES: i64 = 500;

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "WebhookDelivery")]
#[schema(as = WebhookDelivery)]
pub struct DeliveryView {
    pub event_id: String,
    pub event_type: String,
    /// 1 for the first attempt.
    pub attempt: i32,
    pub at: NaiveDateTime,
    /// delivered, failed, or dead (given up: redeliver it to try again).
    pub outcome: String,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i64,
}

fn admin_of(conn: &mut DbConnection, caller: &Caller, slug: &str) -> ApiResult<String> {
    let org = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::ManageMembers {
            organisation_id: &org.id,
        },
    )?;
    Ok(org.id)
}

/// The organisation's newest delivery attempts (its admins).
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    limit: Option<i64>,
) -> ApiResult<Vec<DeliveryView>> {
    let limit = limit.unwrap_or(100);
    if !(1..=MAX_DELIVERIES).contains(&limit) {
        return Err(ApiError::invalid_parameter(format!(
            "limit must be 1 to {MAX_DELIVERIES}"
        )));
    }
    let organisation_id = admin_of(conn, caller, slug)?;
    Ok(outbox::store::deliveries(conn, &organisation_id, limit)?
        .into_iter()
        .map(|(row, event_type)| DeliveryView {
            event_id: row.event_id,
            event_type,
            attempt: row.attempt,
            at: row.at,
            outcome: row.outcome,
            status: row.status,
            error: row.error,
            latency_ms: row.latency_ms,
        })
        .collect())
}

/// Queues one of the organisation's events for delivery again (its admins). Audited.
pub fn redeliver(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    event_id: &str,
) -> ApiResult<()> {
    let organisation_id = admin_of(conn, caller, slug)?;
    if !outbox::store::redeliver(conn, &organisation_id, event_id, ids::now())? {
        return Err(ApiError::not_found(format_args!("event `{event_id}`")));
    }
    crate::changes::audit(
        conn,
        &caller.actor(),
        "webhook.redeliver",
        &format!("organisation:{organisation_id}"),
        serde_json::json!({ "event": event_id }),
    )
}
