//! Every change of a device's list status: reports, grey-listing, recovery, registration
//! and the end of grace periods. Each is authorised through the one policy, written with its
//! history event, change-log entry and audit-chain entry in one transaction, and then applied
//! to this process's status cache at once.

use chrono::Duration;
use silkbridge_schema::models::{ImeiDevice, NewImeiEvent};
use silkbridge_schema::{DbConnection, ids};

use super::cache::StatusCache;
use super::domain::{Imei, ListStatus, Reason};
use super::service::{SCOPE_REGISTER, SCOPE_REPORT, record};
use super::store;
use super::views::*;
use crate::changes::{self, Change};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::identity::caller::Caller;
use crate::identity::domain::OrganisationKind;
use crate::identity::policy::{Action, acting_for, authorize, unauthenticated};
use crate::identity::rules::organisation_by_id;
use crate::identity::views::OrganisationView;
use crate::state::AppState;

/// Most IMEIs one registration call carries.
pub const MAX_REGISTRATION: usize = 10_000;

/// The organisation a change is made for, after the policy allowed the caller to act for it.
pub(super) struct Acting {
    pub organisation: OrganisationView,
    pub actor: String,
}

/// Resolves and authorises the acting organisation: a partner acts for its own; a person
/// for the one named (or their only one) where they are an editor; it must be of `kinds`.
pub(super) fn acting(
    conn: &mut DbConnection,
    caller: &Caller,
    requested: Option<&str>,
    scope: &'static str,
    kinds: &[OrganisationKind],
) -> ApiResult<Acting> {
    let own: Vec<&str> = match caller {
        Caller::Anonymous => return Err(unauthenticated()),
        Caller::Partner(partner) => {
            authorize(caller, Action::UseScope(scope))?;
            let own = partner.organisation_id.as_deref().ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Forbidden,
                    "this partner client belongs to no organisation",
                )
            })?;
            vec![own]
        }
        Caller::User(user) => user.memberships.iter().map(|(id, _)| id.as_str()).collect(),
    };
    let organisation_id = acting_for(
        caller,
        requested,
        &own,
        |id| match caller {
            // The scope was checked above; a partner acts for its own organisation.
            Caller::Partner(_) => Ok(()),
            _ => authorize(
                caller,
                Action::EditFor {
                    organisation_id: id,
                },
            ),
        },
        "organisationId",
    )?;
    let organisation = organisation_by_id(conn, &organisation_id).map_err(|_| {
        ApiError::validation(vec![FieldError::new(
            "organisationId",
            "unknown",
            "no such organisation",
        )])
    })?;
    if !kinds.contains(&organisation.kind) {
        let allowed: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            format!(
                "only organisations of kind {} may do this",
                allowed.join(" or ")
            ),
        ));
    }
    Ok(Acting {
        organisation,
        actor: caller.actor(),
    })
}

fn conflict(detail: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidTransition, detail)
}

fn describe_listing(row: &ImeiDevice) -> String {
    format!(
        "it is already {}listed ({}, by {})",
        row.status,
        row.reason.as_deref().unwrap_or("no reason"),
        row.country.as_deref().unwrap_or("the registry")
    )
}

pub(super) fn blank_device(imei: Imei) -> ImeiDevice {
    ImeiDevice {
        imei: imei.as_i64(),
        status: ListStatus::White.as_str().to_owned(),
        reason: None,
        country: None,
        organisation_id: None,
        case_reference: None,
        grace_until: None,
        registered_by: None,
        registered_at: None,
        updated_at: ids::now(),
    }
}

/// Sets a device's list status and who set it (the row's other fields are the caller's).
pub(super) fn set_listing(
    row: &mut ImeiDevice,
    status: ListStatus,
    reason: Option<Reason>,
    country: crate::identity::domain::Country,
    organisation_id: Option<String>,
    grace_until: Option<chrono::NaiveDateTime>,
    now: chrono::NaiveDateTime,
) {
    row.status = status.as_str().into();
    row.reason = reason.map(|r| r.as_str().into());
    row.country = Some(country.as_str().into());
    row.organisation_id = organisation_id;
    row.grace_until = grace_until;
    row.updated_at = now;
}

/// The event that goes with a device row just changed.
pub(super) fn event_for(
    row: &ImeiDevice,
    action: &str,
    actor: &str,
    note: Option<String>,
) -> NewImeiEvent {
    NewImeiEvent {
        imei: row.imei,
        at: row.updated_at,
        action: action.to_owned(),
        status: row.status.clone(),
        reason: row.reason.clone(),
        country: row.country.clone(),
        organisation_id: row.organisation_id.clone(),
        actor: actor.to_owned(),
        case_reference: row.case_reference.clone(),
        note,
    }
}

fn parse_reason(field: &str, text: &str, allowed: &[Reason]) -> ApiResult<Reason> {
    let invalid = || {
        let names: Vec<&str> = allowed.iter().map(|r| r.as_str()).collect();
        ApiError::validation(vec![FieldError::new(
            field,
            "unknown_value",
            format!("one of: {}", names.join(", ")),
        )])
    };
    let reason: Reason = text.parse().map_err(|_| invalid())?;
    if allowed.contains(&reason) {
        Ok(reason)
    } else {
        Err(invalid())
    }
}

fn check_text(field: &str, value: Option<&str>, required: bool, max: usize) -> Vec<FieldError> {
    match value.map(str::trim) {
        None | Some("") if required => vec![FieldError::new(field, "required", "required")],
        Some(text) if text.chars().count() > max => vec![FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        )],
        _ => Vec::new(),
    }
}

/// Writes a change, then refreshes this process's cache at once (other processes follow the
/// change log), so the other country's operators see a block on their next check. Answers
/// what `work` answered.
pub(super) async fn commit_change<T, F>(state: &AppState, imeis: Vec<Imei>, work: F) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> ApiResult<T> + Send + 'static,
{
    let done = state.write(work).await?;
    refresh_cache(state, imeis).await?;
    Ok(done)
}

/// Re-reads devices this process just changed into its status cache (nothing to do for none).
pub(super) async fn refresh_cache(state: &AppState, imeis: Vec<Imei>) -> ApiResult<()> {
    if imeis.is_empty() {
        return Ok(());
    }
    let runtime = state.imei.clone();
    crate::db::run(&state.db, move |conn| {
        runtime.cache.refresh_devices(conn, &imeis)
    })
    .await
}

/// Reports a device stolen, lost or counterfeit: it is black-listed in both countries.
pub async fn report(
    state: &AppState,
    caller: &Caller,
    imei: Imei,
    input: ReportInput,
) -> ApiResult<DeviceRecord> {
    let who = caller.clone();
    commit_change(state, vec![imei], move |conn| {
        report_in(conn, &who, imei, &input)
    })
    .await?;
    record(state, caller, imei).await
}

/// `report` inside the caller's transaction (the demo seed uses it too).
pub fn report_in(
    conn: &mut DbConnection,
    caller: &Caller,
    imei: Imei,
    input: &ReportInput,
) -> ApiResult<()> {
    let reason = parse_reason(
        "reason",
        &input.reason,
        &[Reason::Stolen, Reason::Lost, Reason::Counterfeit],
    );
    let mut errors = check_text("caseReference", Some(&input.case_reference), true, 100);
    errors.extend(check_text("note", input.note.as_deref(), false, 2000));
    let reason = match (reason, errors.is_empty()) {
        (Ok(reason), true) => reason,
        (Err(mut error), _) => {
            error.extend_errors(errors);
            return Err(error);
        }
        (Ok(_), false) => return Err(ApiError::validation(errors)),
    };
    let acting = acting(
        conn,
        caller,
        input.organisation_id.as_deref(),
        SCOPE_REPORT,
        &[OrganisationKind::Agency],
    )?;
    let existing = store::device(conn, imei)?;
    if let Some(row) = existing.as_ref().filter(|r| r.status == "black") {
        return Err(conflict(describe_listing(row)));
    }
    let mut row = existing.clone().unwrap_or_else(|| blank_device(imei));
    let by = Some(acting.organisation.id.clone());
    set_listing(
        &mut row,
        ListStatus::Black,
        Some(reason),
        acting.organisation.country,
        by,
        None,
        ids::now(),
    );
    row.case_reference = Some(input.case_reference.trim().to_owned());
    let event = event_for(&row, "reported", &acting.actor, input.note.clone());
    save_device(conn, &row, existing.is_some(), event)?;
    changes::audit(
        conn,
        &acting.actor,
        "imei.report",
        &format!("imei:{imei}"),
        serde_json::json!({
            "reason": reason.as_str(),
            "organisation": acting.organisation.id,
            "country": acting.organisation.country.as_str(),
            "case_reference": row.case_reference,
        }),
    )
}

/// Puts a device on the grey list for a grace period.
pub async fn greylist(
    state: &AppState,
    caller: &Caller,
    imei: Imei,
    input: GreylistInput,
) -> ApiResult<DeviceRecord> {
    let who = caller.clone();
    let grace_default = state.config.imei.grey_grace_days;
    commit_change(state, vec![imei], move |conn| {
        greylist_in(conn, &who, imei, &input, grace_default)
    })
    .await?;
    record(state, caller, imei).await
}

/// `greylist` inside the caller's transaction.
pub fn greylist_in(
    conn: &mut DbConnection,
    caller: &Caller,
    imei: Imei,
    input: &GreylistInput,
    grace_default: u32,
) -> ApiResult<()> {
    let reason = parse_reason(
        "reason",
        &input.reason,
        &[Reason::CustomsUnregistered, Reason::Counterfeit],
    )?;
    let mut errors = check_text("caseReference", input.case_reference.as_deref(), false, 100);
    errors.extend(check_text("note", input.note.as_deref(), false, 2000));
    if input.grace_days.is_some_and(|d| d == 0 || d > 365) {
        errors.push(FieldError::new(
            "graceDays",
            "out_of_range",
            "1 to 365 days",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let grace_days = input.grace_days.unwrap_or(grace_default);
    let acting = acting(
        conn,
        caller,
        input.organisation_id.as_deref(),
        SCOPE_REPORT,
        &[OrganisationKind::Agency],
    )?;
    let existing = store::device(conn, imei)?;
    if let Some(row) = existing.as_ref().filter(|r| r.status != "white") {
        return Err(conflict(describe_listing(row)));
    }
    let mut row = existing.clone().unwrap_or_else(|| blank_device(imei));
    let now = ids::now();
    let by = Some(acting.organisation.id.clone());
    let grace_until = Some(now + Duration::days(i64::from(grace_days)));
    set_listing(
        &mut row,
        ListStatus::Grey,
        Some(reason),
        acting.organisation.country,
        by,
        grace_until,
        now,
    );
    row.case_reference = input.case_reference.as_deref().map(|c| c.trim().to_owned());
    let event = event_for(&row, "greylisted", &acting.actor, input.note.clone());
    save_device(conn, &row, existing.is_some(), event)?;
    changes::audit(
        conn,
        &acting.actor,
        "imei.greylist",
        &format!("imei:{imei}"),
        serde_json::json!({
            "reason": reason.as_str(),
            "organisation": acting.organisation.id,
            "grace_days": grace_days,
        }),
    )
}

/// Takes a device off the list. Only the organisation that listed it, or a platform
/// administrator, may: an agency of one country cannot undo another's block.
pub async fn recover(
    state: &AppState,
    caller: &Caller,
    imei: Imei,
    input: RecoveryInput,
) -> ApiResult<DeviceRecord> {
    let errors = check_text("note", input.note.as_deref(), false, 2000);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let who = caller.clone();
    commit_change(state, vec![imei], move |conn| {
        let acting = acting(
            conn,
            &who,
            input.organisation_id.as_deref(),
            SCOPE_REPORT,
            &[OrganisationKind::Agency],
        )?;
        let existing = store::device(conn, imei)?
            .filter(|r| r.status != "white")
            .ok_or_else(|| conflict(format!("{imei} is not listed")))?;
        let listed_by = existing.organisation_id.clone().unwrap_or_default();
        if listed_by != acting.organisation.id {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "only the organisation that listed this device may take it off the list",
            ));
        }
        let mut row = existing.clone();
        let by = Some(acting.organisation.id.clone());
        set_listing(
            &mut row,
            ListStatus::White,
            None,
            acting.organisation.country,
            by,
            None,
            ids::now(),
        );
        let event = event_for(&row, "recovered", &acting.actor, input.note.clone());
        save_device(conn, &row, true, event)?;
        changes::audit(
            conn,
            &acting.actor,
            "imei.recover",
            &format!("imei:{imei}"),
            serde_json::json!({
                "organisation": acting.organisation.id,
                "listed_by": listed_by,
                "previous_reason": existing.reason,
            }),
        )
    })
    .await?;
    record(state, caller, imei).await
}

/// Registers devices made or imported by a manufacturer or importer (or declared to customs
/// through an agency); a registration clears a customs grey-listing.
pub async fn register(
    state: &AppState,
    caller: &Caller,
    input: RegistrationInput,
) -> ApiResult<RegistrationResult> {
    let imeis = registration_imeis(&input)?;
    let who = caller.clone();
    let touched = imeis.clone();
    commit_change(state, touched, move |conn| {
        register_in(conn, &who, &imeis, input.organisation_id.as_deref())
    })
    .await
}

/// The IMEIs of a registration, checked, sorted and without repeats.
fn registration_imeis(input: &RegistrationInput) -> ApiResult<Vec<Imei>> {
    if input.imeis.is_empty() || input.imeis.len() > MAX_REGISTRATION {
        return Err(ApiError::validation(vec![FieldError::new(
            "imeis",
            "count",
            format!("1 to {MAX_REGISTRATION} IMEIs"),
        )]));
    }
    let mut imeis = Vec::with_capacity(input.imeis.len());
    let mut errors = Vec::new();
    for (i, text) in input.imeis.iter().enumerate() {
        match Imei::parse(text) {
            Ok(parsed) => imeis.push(parsed.imei),
            Err(error) => errors.push(FieldError::new(
                format!("imeis/{i}"),
                error.code(),
                error.to_string(),
            )),
        }
    }
    if !errors.is_empty() {
        errors.truncate(100);
        return Err(ApiError::validation(errors));
    }
    imeis.sort_unstable();
    imeis.dedup();
    Ok(imeis)
}

/// `register` inside the caller's transaction.
pub fn register_in(
    conn: &mut DbConnection,
    caller: &Caller,
    imeis: &[Imei],
    organisation_id: Option<&str>,
) -> ApiResult<RegistrationResult> {
    let acting = acting(
        conn,
        caller,
        organisation_id,
        SCOPE_REGISTER,
        &[OrganisationKind::Manufacturer, OrganisationKind::Agency],
    )?;
    let mut result = RegistrationResult {
        registered: 0,
        already_registered: 0,
        cleared: 0,
    };
    let now = ids::now();
    for imei in imeis {
        let existing = store::device(conn, *imei)?;
        let mut row = existing.clone().unwrap_or_else(|| blank_device(*imei));
        let clears = row.status == "grey"
            && row.reason.as_deref() == Some(Reason::CustomsUnregistered.as_str());
        if existing.as_ref().is_some_and(|r| r.registered_by.is_some()) && !clears {
            result.already_registered += 1;
            continue;
        }
        if clears {
            let by = Some(acting.organisation.id.clone());
            set_listing(
                &mut row,
                ListStatus::White,
                None,
                acting.organisation.country,
                by,
                None,
                now,
            );
            result.cleared += 1;
        }
        if row.registered_by.is_none() {
            row.registered_by = Some(acting.organisation.id.clone());
            row.registered_at = Some(now);
            result.registered += 1;
        }
        row.updated_at = now;
        let event = event_for(&row, "registered", &acting.actor, None);
        save_device(conn, &row, existing.is_some(), event)?;
    }
    changes::audit(
        conn,
        &acting.actor,
        "imei.register",
        &format!("organisation:{}", acting.organisation.id),
        serde_json::json!({
            "registered": result.registered,
            "cleared": result.cleared,
            "first": imeis.first().map(|i| i.to_string()),
            "last": imeis.last().map(|i| i.to_string()),
        }),
    )?;
    Ok(result)
}

/// Turns grey-listed devices whose grace period ended black; returns how many.
pub fn expire_grace_periods(conn: &mut DbConnection, cache: &StatusCache) -> ApiResult<usize> {
    let mut total = 0;
    loop {
        let due: Vec<Imei> = store::grace_expired(conn, ids::now(), 500)?
            .iter()
            .map(|r| Imei::from_stored(r.imei))
            .collect();
        if due.is_empty() {
            return Ok(total);
        }
        total += end_grace_periods(conn, cache, &due)?;
    }
}

/// Ends the grace periods of `due` devices, each only if it is still grey and due when the
/// transaction writes it (the list may be stale: read outside, while agencies act). Row
/// first, then its event, change-log and audit entries, as every IMEI write does.
pub fn end_grace_periods(
    conn: &mut DbConnection,
    cache: &StatusCache,
    due: &[Imei],
) -> ApiResult<usize> {
    let ended = silkbridge_schema::write_transaction(conn, |conn| {
        let mut ended = 0;
        for imei in due {
            let Some(row) = store::end_grace(conn, *imei, ids::now())? else {
                continue;
            };
            let event = event_for(&row, "grace_expired", "system", None);
            store::insert_event(conn, event)?;
            device_changed(conn, &row)?;
            changes::audit(
                conn,
                "system",
                "imei.grace_expired",
                &format!("imei:{imei}"),
                serde_json::json!({ "reason": row.reason }),
            )?;
            ended += 1;
        }
        Ok::<_, ApiError>(ended)
    })?;
    cache.refresh_devices(conn, due)?;
    Ok(ended)
}

/// Saves a device's new state with its event, and records the change: every node's status
/// cache follows the change log.
pub(super) fn save_device(
    conn: &mut DbConnection,
    row: &ImeiDevice,
    existed: bool,
    event: NewImeiEvent,
) -> ApiResult<()> {
    store::save(conn, row, existed, event)?;
    device_changed(conn, row)
}

fn device_changed(conn: &mut DbConnection, row: &ImeiDevice) -> ApiResult<()> {
    let imei = Imei::from_stored(row.imei).to_string();
    Change::upsert(super::cache::DEVICE_KIND, &imei).record(conn)
}
