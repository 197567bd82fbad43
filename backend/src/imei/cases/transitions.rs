//! A case's transitions. Each reads the case, checks the transition is legal from where the
//! case stands (409 otherwise) and that the caller may make it, then writes the case with a
//! conditional update on its version — two concurrent transitions cannot both apply — with
//! its event and its audit-chain entry, in one transaction (row, then audit: the one lock
//! order of the IMEI module).

use chrono::{Duration, NaiveDateTime};
use silkbridge_schema::case_models::ImeiCase;
use silkbridge_schema::{DbConnection, ids};

use super::access::{self, Viewer};
use super::domain::{CaseKind, CaseState, Transition, next_state};
use super::notices;
use super::service::{audit, event, view};
use super::store;
use super::views::*;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;
use crate::identity::domain::{Country, OrganisationKind};
use crate::identity::rules::{organisation_by_id, organisations_of_kind};
use crate::imei::domain::{Imei, ListStatus};
use crate::imei::lifecycle::{event_for, refresh_cache, save_device, set_listing};
use crate::state::AppState;
use crate::validate::Validator;

fn parsed(case: &ImeiCase) -> ApiResult<(CaseKind, CaseState)> {
    let internal = |e: String| ApiError::internal(anyhow::anyhow!(e));
    Ok((
        case.kind.parse().map_err(internal)?,
        case.state.parse().map_err(internal)?,
    ))
}

/// The state `transition` leads to, or 409 naming where the case stands.
fn legal(case: &ImeiCase, transition: Transition) -> ApiResult<CaseState> {
    let (kind, state) = parsed(case)?;
    next_state(kind, state, transition).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidTransition,
            format!(
                "a {kind} case that is {state} cannot become {}",
                transition.as_str()
            ),
        )
    })
}

/// Writes the moved case (409 when someone else changed it first) and its event.
fn write(
    conn: &mut DbConnection,
    case: &mut ImeiCase,
    to: CaseState,
    at: NaiveDateTime,
) -> ApiResult<()> {
    let read_version = case.version;
    case.state = to.as_str().to_owned();
    case.version += 1;
    case.updated_at = at;
    if to.is_final() {
        case.closed_at = Some(at);
    }
    saved(store::update(conn, case, read_version)?)
}

/// Moves the case's version without changing it otherwise: one writer at a time.
fn claim(conn: &mut DbConnection, case: &mut ImeiCase) -> ApiResult<()> {
    let read_version = case.version;
    case.version += 1;
    saved(store::update(conn, case, read_version)?)
}

fn saved(updated: bool) -> ApiResult<()> {
    if updated {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Conflict,
            "the case changed while this was being done; read it again",
        ))
    }
}

/// Runs one person's transition of a case in a transaction and answers the case as they now
/// see it. `act` checks the caller's right, moves the case and names the devices whose list
/// status it changed (the status cache is refreshed for them).
async fn transition<F>(state: &AppState, caller: &Caller, id: &str, act: F) -> ApiResult<CaseView>
where
    F: FnOnce(&mut DbConnection, &Viewer, &mut ImeiCase) -> ApiResult<Vec<Imei>> + Send + 'static,
{
    let (who, id) = (caller.clone(), id.to_owned());
    let (viewer, case, touched) = state
        .write(move |conn| {
            let viewer = Viewer::load(conn, &who)?;
            let mut case = access::visible(&viewer, store::find(conn, &id)?, &id)?;
            let touched = act(conn, &viewer, &mut case)?;
            Ok((viewer, case, touched))
        })
        .await?;
    // This node's cache at once; other nodes follow the change log.
    refresh_cache(state, touched).await?;
    let runtime = state.imei.clone();
    state
        .read(move |conn| view(conn, &viewer, &runtime.contacts, case))
        .await
}

/// An agency or police force records the device found and where it is held. Found abroad,
/// the owner's country's embassy in the finder's country is assigned to hand it over (409
/// `invalid_transition` when there is none).
pub async fn found(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: FoundInput,
) -> ApiResult<CaseView> {
    let mut check = Validator::default();
    check.typed_text("heldAt", Some(&input.held_at), true, 300);
    check.typed_text("note", input.note.as_deref(), false, 2000);
    check.finish()?;
    transition(state, caller, id, move |conn, viewer, case| {
        found_in(conn, viewer, case, &input)
    })
    .await
}

/// `found` inside the caller's transaction (the demo seed uses it too).
pub fn found_in(
    conn: &mut DbConnection,
    viewer: &Viewer,
    case: &mut ImeiCase,
    input: &FoundInput,
) -> ApiResult<Vec<Imei>> {
    let to = legal(case, Transition::Find)?;
    let finder = viewer.acting_agency(input.organisation_id.as_deref())?;
    let owner_country: Country = case
        .country
        .parse()
        .map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))?;
    if finder.country != owner_country {
        let embassy = organisations_of_kind(conn, owner_country, OrganisationKind::Embassy)?
            .into_iter()
            .next()
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidTransition,
                    format!(
                        "{owner_country} has no embassy on the platform to hand the device over"
                    ),
                )
            })?;
        case.embassy_id = Some(embassy.id);
    }
    case.found_by = Some(finder.id.clone());
    case.found_country = Some(finder.country.as_str().to_owned());
    case.held_at = Some(input.held_at.trim().to_owned());
    write(conn, case, to, ids::now())?;
    let mut found = event(
        case,
        "found",
        &viewer.actor,
        Some(&finder.id),
        input.note.as_deref(),
    );
    found.country = case.found_country.clone();
    store::add_event(conn, &found)?;
    notices::found(conn, case, &finder)?;
    audit(
        conn,
        &viewer.actor,
        "imei.case.found",
        case,
        serde_json::json!({ "found_by": finder.id, "embassy": case.embassy_id }),
    )?;
    Ok(Vec::new())
}

/// The device is back with its owner: recorded by the assigned embassy (found abroad) or by
/// the reporting organisation (found at home). Every device of the case comes off the black
/// list unless another running case holds it.
pub async fn hand_over(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: NoteInput,
) -> ApiResult<CaseView> {
    note_errors(&input)?;
    transition(state, caller, id, move |conn, viewer, case| {
        hand_over_in(conn, viewer, case, input.note.as_deref())
    })
    .await
}

/// `hand_over` inside the caller's transaction; returns the devices white-listed again.
pub fn hand_over_in(
    conn: &mut DbConnection,
    viewer: &Viewer,
    case: &mut ImeiCase,
    note: Option<&str>,
) -> ApiResult<Vec<Imei>> {
    let to = legal(case, Transition::HandOver)?;
    let by = case
        .embassy_id
        .clone()
        .unwrap_or_else(|| case.organisation_id.clone());
    if !viewer.editor_of(Some(&by)) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only editors of the embassy handing the device over may record it",
        ));
    }
    write(conn, case, to, ids::now())?;
    let lifted = lift_blocks(conn, viewer, case)?;
    store::add_event(
        conn,
        &event(case, "handed_over", &viewer.actor, Some(&by), note),
    )?;
    notices::handed_over(conn, case, &by)?;
    audit(
        conn,
        &viewer.actor,
        "imei.case.hand_over",
        case,
        serde_json::json!({ "by": by }),
    )?;
    Ok(lifted)
}

/// The reporting organisation closes a case (a lost phone once handed over; a crime or fraud
/// case at any time). The owner's contact is erased.
pub async fn close(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: NoteInput,
) -> ApiResult<CaseView> {
    end(state, caller, id, input, Transition::Close).await
}

/// The reporting organisation withdraws a case that is open or located (the owner found the
/// phone themself): its devices come off the black list, the contact is erased.
pub async fn withdraw(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: NoteInput,
) -> ApiResult<CaseView> {
    end(state, caller, id, input, Transition::Withdraw).await
}

async fn end(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: NoteInput,
    how: Transition,
) -> ApiResult<CaseView> {
    note_errors(&input)?;
    let retain = state.config.imei.case_contact_retention_days > 0;
    transition(state, caller, id, move |conn, viewer, case| {
        end_in(conn, viewer, case, input.note.as_deref(), how, retain)
    })
    .await
}

/// Closes or withdraws a case inside the caller's transaction; returns the devices
/// white-listed again (withdrawal only: a closed lost phone was handed over already). The
/// owner's contact is erased now, unless `retain_contact` (a retention period is configured:
/// `purge_contacts` erases it when that ends).
pub fn end_in(
    conn: &mut DbConnection,
    viewer: &Viewer,
    case: &mut ImeiCase,
    note: Option<&str>,
    how: Transition,
    retain_contact: bool,
) -> ApiResult<Vec<Imei>> {
    let to = legal(case, how)?;
    if !viewer.editor_of(Some(&case.organisation_id)) {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only editors of the reporting organisation may end a case",
        ));
    }
    if !retain_contact {
        case.contact_key_id = None;
        case.contact_nonce = None;
        case.contact_sealed = None;
    }
    write(conn, case, to, ids::now())?;
    let lifted = if how == Transition::Withdraw {
        lift_blocks(conn, viewer, case)?
    } else {
        Vec::new()
    };
    let reporter = case.organisation_id.clone();
    store::add_event(
        conn,
        &event(case, how.as_str(), &viewer.actor, Some(&reporter), note),
    )?;
    let action = if how == Transition::Close {
        "imei.case.close"
    } else {
        "imei.case.withdraw"
    };
    audit(conn, &viewer.actor, action, case, serde_json::json!({}))?;
    Ok(lifted)
}

fn note_errors(input: &NoteInput) -> ApiResult<()> {
    let mut check = Validator::default();
    check.typed_text("note", input.note.as_deref(), false, 2000);
    check.finish()
}

/// White-lists again the case's devices that are black-listed for it (by the reporting
/// organisation, with the case's reference) and held by no other running case.
fn lift_blocks(conn: &mut DbConnection, viewer: &Viewer, case: &ImeiCase) -> ApiResult<Vec<Imei>> {
    let devices = store::devices(conn, &case.id)?;
    let held = store::other_running_missing_cases(conn, &devices, &case.id)?;
    let reporter = organisation_by_id(conn, &case.organisation_id)?;
    let mut lifted = Vec::new();
    for stored in devices.into_iter().filter(|d| !held.contains(d)) {
        let imei = Imei::from_stored(stored);
        let Some(mut row) = crate::imei::store::device(conn, imei)? else {
            continue;
        };
        let ours = row.status == "black"
            && row.organisation_id.as_deref() == Some(case.organisation_id.as_str())
            && row.case_reference.as_deref() == Some(case.reference.as_str());
        if !ours {
            continue;
        }
        set_listing(
            &mut row,
            ListStatus::White,
            None,
            reporter.country,
            Some(reporter.id.clone()),
            None,
            ids::now(),
        );
        let note = Some(format!("case {} {}", case.reference, case.state));
        let event = event_for(&row, "recovered", &viewer.actor, note);
        save_device(conn, &row, true, event)?;
        lifted.push(imei);
    }
    Ok(lifted)
}

/// An operator of the other country saw a device of open lost/stolen cases (a status check
/// or an uploaded sighting): each such case gets a `sighted` event naming the operator, its
/// country and the time — never the subscriber — and an open case becomes `located`. The
/// same operator seeing it again within `quiet` adds nothing. Runs in the caller's
/// transaction, as `system`.
pub fn sighted(
    conn: &mut DbConnection,
    imei: Imei,
    operator_id: &str,
    at: NaiveDateTime,
    quiet: Duration,
) -> ApiResult<usize> {
    let operator = match organisation_by_id(conn, operator_id) {
        Ok(o) if o.kind == OrganisationKind::Operator => o,
        _ => return Ok(0),
    };
    let mut told = 0;
    for mut case in store::missing_cases_of(conn, imei.as_i64())? {
        if case.country == operator.country.as_str()
            || store::sighted_since(conn, &case.id, &operator.id, at - quiet)?
        {
            continue;
        }
        let (kind, state) = parsed(&case)?;
        match next_state(kind, state, Transition::Locate) {
            Some(to) => write(conn, &mut case, to, at)?,
            // Already located: the version still moves, so two nodes recording the same
            // operator's sighting at once cannot both pass the quiet check (the second's
            // conditional update fails, and its retry sees the first's event).
            None => claim(conn, &mut case)?,
        }
        let mut seen = event(&case, "sighted", "system", Some(&operator.id), None);
        seen.at = at;
        seen.country = Some(operator.country.as_str().to_owned());
        seen.imei = Some(imei.as_i64());
        store::add_event(conn, &seen)?;
        notices::sighted(conn, &case, &operator, &imei.to_string(), at)?;
        audit(
            conn,
            "system",
            "imei.case.sighted",
            &case,
            serde_json::json!({ "operator": operator.id, "country": operator.country.as_str(), "imei": imei.to_string() }),
        )?;
        told += 1;
    }
    Ok(told)
}

/// Erases the owners' contacts of cases that ended before `cutoff` (the retention period is
/// over), audited with how many. Returns that number.
pub fn purge_contacts(conn: &mut DbConnection, cutoff: NaiveDateTime) -> ApiResult<usize> {
    let erased = store::erase_contacts_ended_before(conn, cutoff)?;
    if erased > 0 {
        crate::changes::audit(
            conn,
            "system",
            "imei.case.purge_contacts",
            "imei_case:*",
            serde_json::json!({ "erased": erased, "ended_before": cutoff.to_string() }),
        )?;
    }
    Ok(erased)
}
