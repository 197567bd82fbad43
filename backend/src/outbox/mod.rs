//! The organisations' outbox: what the platform tells an organisation's own systems. A module
//! that has news for an organisation (a document delivered to it, its lost phone seen abroad)
//! calls `notify` inside the transaction that made the news, so the event exists exactly
//! when the change does and none is lost; `dispatch` pushes events to the organisation's
//! webhook (`documents::webhooks` manages it), and modules offer polling feeds of their own
//! event types (`GET /api/v1/documents/events`).

pub mod dispatch;
pub(crate) mod store;

use silkbridge_schema::models::OrganisationEventRow;
use silkbridge_schema::{DbConnection, ids};

use crate::error::ApiResult;

pub use dispatch::{signature, spawn};

/// Events waiting for delivery to organisations' webhooks (for metrics).
pub fn backlog(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::backlog(conn)?)
}

/// The associated data a webhook secret is sealed under: bound to its organisation.
pub(crate) fn secret_context(organisation_id: &str) -> Vec<u8> {
    format!("silkbridge-webhook-secret|{organisation_id}").into_bytes()
}

/// Records an event of `event_type` about `subject` (a document's or case's id) for an
/// organisation, in the caller's transaction. The delivered body is `fields` with the event's
/// `id` and `type` added; returns the id (the receiver's idempotency key).
pub fn notify(
    conn: &mut DbConnection,
    organisation_id: &str,
    event_type: &str,
    subject: &str,
    fields: serde_json::Value,
) -> ApiResult<String> {
    let id = ids::new_id();
    let mut body = serde_json::json!({ "id": id, "type": event_type });
    if let (Some(body), serde_json::Value::Object(fields)) = (body.as_object_mut(), fields) {
        body.extend(fields);
    }
    let now = ids::now();
    store::insert(
        conn,
        &OrganisationEventRow {
            id: id.clone(),
            organisation_id: organisation_id.to_owned(),
            event_type: event_type.to_owned(),
            subject: subject.to_owned(),
            payload: body.to_string(),
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            delivered_at: None,
            last_error: None,
        },
    )?;
    Ok(id)
}
