//! Case rows: reads and writes of `imei_cases` and the tables around it, nothing else.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::case_models::{ImeiCase, ImeiCaseEvent};
use silkbridge_schema::tables::{imei_case_devices, imei_case_events, imei_case_links, imei_cases};

use crate::error::ApiResult;

pub fn insert(conn: &mut DbConnection, row: &ImeiCase, imeis: &[i64]) -> ApiResult<()> {
    diesel::insert_into(imei_cases::table)
        .values(row)
        .execute(conn)?;
    // One statement per device (at most 100): a multi-row insert of tuples has no form
    // common to both backends in diesel's multi-connection.
    for imei in imeis {
        diesel::insert_into(imei_case_devices::table)
            .values((
                imei_case_devices::case_id.eq(&row.id),
                imei_case_devices::imei.eq(*imei),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> ApiResult<Option<ImeiCase>> {
    Ok(imei_cases::table
        .find(id)
        .select(ImeiCase::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_reference(
    conn: &mut DbConnection,
    organisation_id: &str,
    reference: &str,
) -> ApiResult<Option<ImeiCase>> {
    Ok(imei_cases::table
        .filter(imei_cases::organisation_id.eq(organisation_id))
        .filter(imei_cases::reference.eq(reference))
        .select(ImeiCase::as_select())
        .first(conn)
        .optional()?)
}

/// Who, in a list query, is entitled to a case beyond what its confidentiality allows.
pub struct Involvement<'a> {
    /// Organisations of the caller; a case they report, found or hand over is theirs.
    pub organisations: &'a [String],
    /// Whether `agencies`-level cases are readable (the caller is in an agency or police).
    pub agencies_level: bool,
}

/// Which of the readable cases a list wants.
#[derive(Default)]
pub struct Filter<'a> {
    pub state: Option<&'a str>,
    pub kind: Option<&'a str>,
    /// Opened in `[start, end)`.
    pub opened: Option<(NaiveDateTime, NaiveDateTime)>,
}

/// The cases a caller may read, most recently changed first: the one query of who reads
/// what, for the list and the statistics alike.
pub fn visible(
    conn: &mut DbConnection,
    who: &Involvement<'_>,
    filter: &Filter<'_>,
    limit: i64,
) -> ApiResult<Vec<ImeiCase>> {
    let mut query = imei_cases::table
        .select(ImeiCase::as_select())
        .order((imei_cases::updated_at.desc(), imei_cases::id.desc()))
        .limit(limit)
        .into_boxed();
    let involved = imei_cases::organisation_id
        .eq_any(who.organisations)
        .or(imei_cases::embassy_id
            .eq_any(who.organisations)
            .assume_not_null())
        .or(imei_cases::found_by
            .eq_any(who.organisations)
            .assume_not_null());
    query = if who.agencies_level {
        query.filter(imei_cases::confidentiality.eq("agencies").or(involved))
    } else {
        query.filter(involved)
    };
    if let Some(state) = filter.state {
        query = query.filter(imei_cases::state.eq(state.to_owned()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(imei_cases::kind.eq(kind.to_owned()));
    }
    if let Some((start, end)) = filter.opened {
        query = query
            .filter(imei_cases::created_at.ge(start))
            .filter(imei_cases::created_at.lt(end));
    }
    Ok(query.load(conn)?)
}

/// Writes a changed case if nobody changed it since it was read (`version` is the one read;
/// the row gets the next). `false` when someone else's change came first.
pub fn update(conn: &mut DbConnection, row: &ImeiCase, read_version: i32) -> ApiResult<bool> {
    let written = diesel::update(
        imei_cases::table
            .filter(imei_cases::id.eq(&row.id))
            .filter(imei_cases::version.eq(read_version)),
    )
    .set(row)
    .execute(conn)?;
    Ok(written == 1)
}

pub fn devices(conn: &mut DbConnection, case_id: &str) -> ApiResult<Vec<i64>> {
    Ok(imei_case_devices::table
        .filter(imei_case_devices::case_id.eq(case_id))
        .select(imei_case_devices::imei)
        .order(imei_case_devices::imei)
        .load(conn)?)
}

/// The open or located lost/stolen cases a device is on.
pub fn missing_cases_of(conn: &mut DbConnection, imei: i64) -> ApiResult<Vec<ImeiCase>> {
    Ok(imei_cases::table
        .inner_join(imei_case_devices::table)
        .filter(imei_case_devices::imei.eq(imei))
        .filter(imei_cases::kind.eq_any(["lost", "stolen"]))
        .filter(imei_cases::state.eq_any(["open", "located"]))
        .select(ImeiCase::as_select())
        .load(conn)?)
}

/// Other lost/stolen cases still running on any of these devices, apart from `except`.
pub fn other_running_missing_cases(
    conn: &mut DbConnection,
    imeis: &[i64],
    except: &str,
) -> ApiResult<Vec<i64>> {
    Ok(imei_cases::table
        .inner_join(imei_case_devices::table)
        .filter(imei_case_devices::imei.eq_any(imeis))
        .filter(imei_cases::id.ne(except))
        .filter(imei_cases::kind.eq_any(["lost", "stolen"]))
        .filter(imei_cases::state.eq_any(["open", "located", "found"]))
        .select(imei_case_devices::imei)
        .load(conn)?)
}

pub fn add_event(conn: &mut DbConnection, event: &ImeiCaseEvent) -> ApiResult<()> {
    diesel::insert_into(imei_case_events::table)
        .values(event)
        .execute(conn)?;
    Ok(())
}

pub fn events(conn: &mut DbConnection, case_id: &str) -> ApiResult<Vec<ImeiCaseEvent>> {
    Ok(imei_case_events::table
        .filter(imei_case_events::case_id.eq(case_id))
        .select(ImeiCaseEvent::as_select())
        .order((imei_case_events::at, imei_case_events::id))
        .load(conn)?)
}

/// Whether this operator's sighting of the case was recorded since `since`.
pub fn sighted_since(
    conn: &mut DbConnection,
    case_id: &str,
    operator_id: &str,
    since: NaiveDateTime,
) -> ApiResult<bool> {
    let found: Option<String> = imei_case_events::table
        .filter(imei_case_events::case_id.eq(case_id))
        .filter(imei_case_events::kind.eq("sighted"))
        .filter(imei_case_events::organisation_id.eq(operator_id))
        .filter(imei_case_events::at.ge(since))
        .select(imei_case_events::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Links two cases (idempotent); stored once per pair, smaller id first.
pub fn link(
    conn: &mut DbConnection,
    a: &str,
    b: &str,
    by: &str,
    at: NaiveDateTime,
) -> ApiResult<bool> {
    let (first, second) = if a < b { (a, b) } else { (b, a) };
    let exists: Option<String> = imei_case_links::table
        .filter(imei_case_links::case_id.eq(first))
        .filter(imei_case_links::linked_case_id.eq(second))
        .select(imei_case_links::case_id)
        .first(conn)
        .optional()?;
    if exists.is_some() {
        return Ok(false);
    }
    diesel::insert_into(imei_case_links::table)
        .values((
            imei_case_links::case_id.eq(first),
            imei_case_links::linked_case_id.eq(second),
            imei_case_links::linked_by.eq(by),
            imei_case_links::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(true)
}

/// The cases linked to one, whichever side it was stored on.
pub fn linked(conn: &mut DbConnection, case_id: &str) -> ApiResult<Vec<ImeiCase>> {
    let forward = imei_case_links::table
        .filter(imei_case_links::case_id.eq(case_id))
        .select(imei_case_links::linked_case_id);
    let backward = imei_case_links::table
        .filter(imei_case_links::linked_case_id.eq(case_id))
        .select(imei_case_links::case_id);
    let mut ids: Vec<String> = forward.load(conn)?;
    ids.extend(backward.load::<String>(conn)?);
    Ok(imei_cases::table
        .filter(imei_cases::id.eq_any(ids))
        .select(ImeiCase::as_select())
        .order(imei_cases::created_at)
        .load(conn)?)
}

/// When each of these cases was handed over, if it was.
pub fn handed_over_at(
    conn: &mut DbConnection,
    case_ids: &[String],
) -> ApiResult<std::collections::BTreeMap<String, NaiveDateTime>> {
    let mut found = std::collections::BTreeMap::new();
    // In chunks: a bound parameter per id, and SQLite allows some thousands per statement.
    for chunk in case_ids.chunks(500) {
        let rows: Vec<(String, NaiveDateTime)> = imei_case_events::table
            .filter(imei_case_events::case_id.eq_any(chunk))
            .filter(imei_case_events::kind.eq("handed_over"))
            .select((imei_case_events::case_id, imei_case_events::at))
            .load(conn)?;
        found.extend(rows);
    }
    Ok(found)
}

/// Sets the sealed contact of every case that ended before `cutoff` to NULL.
pub fn erase_contacts_ended_before(
    conn: &mut DbConnection,
    cutoff: NaiveDateTime,
) -> ApiResult<usize> {
    Ok(diesel::update(
        imei_cases::table
            .filter(imei_cases::closed_at.le(cutoff))
            .filter(imei_cases::contact_sealed.is_not_null()),
    )
    .set((
        imei_cases::contact_key_id.eq(None::<String>),
        imei_cases::contact_nonce.eq(None::<Vec<u8>>),
        imei_cases::contact_sealed.eq(None::<Vec<u8>>),
    ))
    .execute(conn)?)
}
