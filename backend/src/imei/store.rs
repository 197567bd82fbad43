//! The only code that touches the IMEI tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{ImeiDevice, ImeiEvent, ImeiTac, NewImeiEvent};
use silkbridge_schema::tables::{imei_devices, imei_events, imei_sightings, imei_tacs};

use super::domain::Imei;
use crate::error::ApiResult;

pub fn device(conn: &mut DbConnection, imei: Imei) -> ApiResult<Option<ImeiDevice>> {
    Ok(imei_devices::table
        .find(imei.as_i64())
        .select(ImeiDevice::as_select())
        .first(conn)
        .optional()?)
}

/// Writes a device row (insert or replace) with its event and change-log entry, in the
/// caller's transaction.
pub fn save(
    conn: &mut DbConnection,
    row: &ImeiDevice,
    existed: bool,
    event: NewImeiEvent,
) -> ApiResult<()> {
    if existed {
        diesel::update(imei_devices::table.find(row.imei))
            .set(row)
            .execute(conn)?;
    } else {
        diesel::insert_into(imei_devices::table)
            .values(row)
            .execute(conn)?;
    }
    insert_event(conn, event)
}

pub fn history(conn: &mut DbConnection, imei: Imei) -> ApiResult<Vec<ImeiEvent>> {
    Ok(imei_events::table
        .filter(imei_events::imei.eq(imei.as_i64()))
        .order(imei_events::id.asc())
        .select(ImeiEvent::as_select())
        .load(conn)?)
}

pub fn tac(conn: &mut DbConnection, tac: u32) -> ApiResult<Option<ImeiTac>> {
    Ok(imei_tacs::table
        .find(tac as i32)
        .select(ImeiTac::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts or replaces TACs; one change-log entry (`*`) tells caches to reload them all.
pub fn upsert_tacs(conn: &mut DbConnection, rows: &[ImeiTac]) -> ApiResult<()> {
    for row in rows {
        let updated = diesel::update(imei_tacs::table.find(row.tac))
            .set((
                imei_tacs::brand.eq(&row.brand),
                imei_tacs::model.eq(&row.model),
                imei_tacs::device_type.eq(&row.device_type),
                imei_tacs::updated_at.eq(row.updated_at),
            ))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(imei_tacs::table)
                .values(row)
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Records that `imei` was seen with `imsi`: a new pair, or a later sighting of a known one.
pub fn record_sighting(
    conn: &mut DbConnection,
    imei: Imei,
    imsi: &str,
    operator_id: &str,
    seen: NaiveDateTime,
) -> ApiResult<()> {
    let key = (imei.as_i64(), imsi);
    let updated = diesel::update(imei_sightings::table.find(key))
        .filter(imei_sightings::last_seen.lt(seen))
        .set((
            imei_sightings::last_seen.eq(seen),
            imei_sightings::operator_id.eq(operator_id),
        ))
        .execute(conn)?;
    if updated == 0 {
        let exists = imei_sightings::table
            .find(key)
            .count()
            .get_result::<i64>(conn)?
            > 0;
        if !exists {
            diesel::insert_into(imei_sightings::table)
                .values((
                    imei_sightings::imei.eq(imei.as_i64()),
                    imei_sightings::imsi.eq(imsi),
                    imei_sightings::operator_id.eq(operator_id),
                    imei_sightings::first_seen.eq(seen),
                    imei_sightings::last_seen.eq(seen),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Turns one grey-listed device black if, as committed now, it is still grey and its grace
/// period has ended: the condition is checked by the update itself, so a device recovered or
/// re-listed since the pass read it is left as it is. Returns the updated row.
pub fn end_grace(
    conn: &mut DbConnection,
    imei: Imei,
    now: NaiveDateTime,
) -> ApiResult<Option<ImeiDevice>> {
    let updated = diesel::update(
        imei_devices::table
            .find(imei.as_i64())
            .filter(imei_devices::status.eq("grey"))
            .filter(imei_devices::grace_until.le(now)),
    )
    .set((
        imei_devices::status.eq("black"),
        imei_devices::grace_until.eq(None::<NaiveDateTime>),
        imei_devices::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    Ok(imei_devices::table
        .find(imei.as_i64())
        .select(ImeiDevice::as_select())
        .first(conn)
        .optional()?)
}

/// Records a status change's event.
pub fn insert_event(conn: &mut DbConnection, event: NewImeiEvent) -> ApiResult<()> {
    diesel::insert_into(imei_events::table)
        .values(event)
        .execute(conn)?;
    Ok(())
}

/// Grey-listed devices whose grace period ended by `now`.
pub fn grace_expired(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> ApiResult<Vec<ImeiDevice>> {
    Ok(imei_devices::table
        .filter(imei_devices::grace_until.le(now))
        .filter(imei_devices::status.eq("grey"))
        .order(imei_devices::grace_until.asc())
        .limit(limit)
        .select(ImeiDevice::as_select())
        .load(conn)?)
}
