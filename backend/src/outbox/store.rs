//! The outbox's queries. Only `outbox` touches these tables.

use diesel::prelude::*;
use silkbridge_schema::models::{OrganisationEventRow, WebhookRow};
use silkbridge_schema::tables::{
    organisation_event_deliveries, organisation_events, organisation_webhooks,
};
use silkbridge_schema::{DbConnection, change_log};

pub fn insert(conn: &mut DbConnection, row: &OrganisationEventRow) -> QueryResult<()> {
    diesel::insert_into(organisation_events::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Events of these organisations whose type starts with `kind` (`document.`) after the event
/// `after`, in commit-safe order: by (txid, seq), and on PostgreSQL only events of
/// transactions older than every one still running, so an event committed late can never sort
/// below a position already handed out. `None` when `after` is not an event of these
/// organisations.
pub fn events(
    conn: &mut DbConnection,
    organisations: &[String],
    kind: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Option<Vec<OrganisationEventRow>>> {
    let is_postgres = matches!(conn, DbConnection::Postgresql(_));
    let mut query = organisation_events::table
        .filter(organisation_events::organisation_id.eq_any(organisations.to_vec()))
        .filter(organisation_events::event_type.like(format!("{kind}%")))
        .select(OrganisationEventRow::as_select())
        .order((
            organisation_events::txid.asc(),
            organisation_events::seq.asc(),
        ))
        .into_boxed();
    if let Some(after) = after {
        let position: Option<(i64, i64)> = organisation_events::table
            .filter(organisation_events::id.eq(after))
            .filter(organisation_events::organisation_id.eq_any(organisations.to_vec()))
            .select((organisation_events::txid, organisation_events::seq))
            .first(conn)
            .optional()?;
        let Some((txid, seq)) = position else {
            return Ok(None);
        };
        query = query.filter(
            organisation_events::txid
                .gt(txid)
                .or(organisation_events::txid
                    .eq(txid)
                    .and(organisation_events::seq.gt(seq))),
        );
    }
    if is_postgres {
        query = query.filter(organisation_events::txid.lt(change_log::commit_horizon()));
    }
    query.limit(limit).load(conn).map(Some)
}

/// Events waiting for an organisation's webhook (undelivered, not given up).
pub fn backlog(conn: &mut DbConnection) -> QueryResult<i64> {
    organisation_events::table
        .inner_join(
            organisation_webhooks::table
                .on(organisation_webhooks::organisation_id.eq(organisation_events::organisation_id)),
        )
        .filter(organisation_events::delivered_at.is_null())
        .filter(organisation_events::dead_at.is_null())
        .count()
        .get_result(conn)
}

/// Organisations with a webhook whose oldest waiting event (undelivered, not given up) is due.
pub fn due_organisations(
    conn: &mut DbConnection,
    now: chrono::NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<String>> {
    organisation_events::table
        .inner_join(
            organisation_webhooks::table
                .on(organisation_webhooks::organisation_id.eq(organisation_events::organisation_id)),
        )
        .filter(organisation_events::delivered_at.is_null())
        .filter(organisation_events::dead_at.is_null())
        .filter(organisation_events::next_attempt_at.le(now))
        .select(organisation_events::organisation_id)
        .distinct()
        .limit(limit)
        .load(conn)
}

/// An organisation's oldest waiting event (undelivered, not given up), with its webhook: the
/// one it must receive next, so its events arrive in order.
pub fn head_of(
    conn: &mut DbConnection,
    organisation_id: &str,
) -> QueryResult<Option<(OrganisationEventRow, WebhookRow)>> {
    organisation_events::table
        .inner_join(
            organisation_webhooks::table
                .on(organisation_webhooks::organisation_id.eq(organisation_events::organisation_id)),
        )
        .filter(organisation_events::organisation_id.eq(organisation_id))
        .filter(organisation_events::delivered_at.is_null())
        .filter(organisation_events::dead_at.is_null())
        .order((
            organisation_events::txid.asc(),
            organisation_events::seq.asc(),
        ))
        .select((
            OrganisationEventRow::as_select(),
            WebhookRow::as_select(),
        ))
        .first(conn)
        .optional()
}

/// Gives an event up, keeping why.
pub fn dead(
    conn: &mut DbConnection,
    id: &str,
    at: chrono::NaiveDateTime,
    reason: &str,
) -> QueryResult<()> {
    diesel::update(organisation_events::table.find(id))
        .set((
            organisation_events::dead_at.eq(Some(at)),
            organisation_events::last_error.eq(Some(reason.to_owned())),
        ))
        .execute(conn)
        .map(drop)
}

/// Queues an event of `organisation_id` for delivery again from its first attempt (a given
/// up or a delivered one); false if it is not that organisation's.
pub fn redeliver(
    conn: &mut DbConnection,
    organisation_id: &str,
    id: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        organisation_events::table
            .filter(organisation_events::id.eq(id))
            .filter(organisation_events::organisation_id.eq(organisation_id)),
    )
    .set((
        organisation_events::dead_at.eq(None::<chrono::NaiveDateTime>),
        organisation_events::delivered_at.eq(None::<chrono::NaiveDateTime>),
        organisation_events::attempts.eq(0),
        organisation_events::next_attempt_at.eq(now),
        // Its age counts from now, or an old event would be given up again at once.
        organisation_events::created_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// One delivery attempt, as the log keeps it.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisation_event_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub event_id: String,
    pub organisation_id: String,
    pub attempt: i32,
    pub at: chrono::NaiveDateTime,
    pub outcome: String,
    pub status: Option<i32>,
    pub error: Option<String>,
    pub latency_ms: i64,
}

pub fn log_delivery(conn: &mut DbConnection, row: &DeliveryRow) -> QueryResult<()> {
    diesel::insert_into(organisation_event_deliveries::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// An organisation's newest delivery attempts with their events' types.
pub fn deliveries(
    conn: &mut DbConnection,
    organisation_id: &str,
    limit: i64,
) -> QueryResult<Vec<(DeliveryRow, String)>> {
    organisation_event_deliveries::table
        .inner_join(
            organisation_events::table
                .on(organisation_events::id.eq(organisation_event_deliveries::event_id)),
        )
        .filter(organisation_event_deliveries::organisation_id.eq(organisation_id))
        .order((
            organisation_event_deliveries::at.desc(),
            organisation_event_deliveries::id.desc(),
        ))
        .select((DeliveryRow::as_select(), organisation_events::event_type))
        .limit(limit)
        .load(conn)
}

/// Takes an event for one delivery attempt (pushing its next attempt out by `lease`); false
/// if another dispatcher took it first.
pub fn claim(
    conn: &mut DbConnection,
    id: &str,
    seen_next: chrono::NaiveDateTime,
    lease_until: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        organisation_events::table
            .filter(organisation_events::id.eq(id))
            .filter(organisation_events::next_attempt_at.eq(seen_next))
            .filter(organisation_events::delivered_at.is_null()),
    )
    .set(organisation_events::next_attempt_at.eq(lease_until))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn delivered(
    conn: &mut DbConnection,
    id: &str,
    at: chrono::NaiveDateTime,
    attempts: i32,
) -> QueryResult<()> {
    diesel::update(organisation_events::table.find(id))
        .set((
            organisation_events::delivered_at.eq(Some(at)),
            organisation_events::attempts.eq(attempts),
            organisation_events::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .map(drop)
}

pub fn failed(
    conn: &mut DbConnection,
    id: &str,
    attempts: i32,
    next: chrono::NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(organisation_events::table.find(id))
        .set((
            organisation_events::attempts.eq(attempts),
            organisation_events::next_attempt_at.eq(next),
            organisation_events::last_error.eq(Some(error.to_owned())),
        ))
        .execute(conn)
        .map(drop)
}

pub fn webhook(conn: &mut DbConnection, organisation_id: &str) -> QueryResult<Option<WebhookRow>> {
    organisation_webhooks::table
        .find(organisation_id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()
}

pub fn replace_webhook(conn: &mut DbConnection, row: &WebhookRow) -> QueryResult<()> {
    diesel::delete(organisation_webhooks::table.find(&row.organisation_id)).execute(conn)?;
    diesel::insert_into(organisation_webhooks::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn delete_webhook(conn: &mut DbConnection, organisation_id: &str) -> QueryResult<usize> {
    diesel::delete(organisation_webhooks::table.find(organisation_id)).execute(conn)
}
