//! Opening, reading and linking cases. Transitions are in `transitions`. REST, GraphQL and
//! the portal call these functions and nothing below them; every call — reads included — is
//! authorised by `access` and written to the audit chain.

use silkbridge_schema::case_models::{ImeiCase, ImeiCaseEvent};
use silkbridge_schema::{DbConnection, ids};

use super::access::{self, Viewer};
use super::domain::{CaseKind, CaseState, Confidentiality};
use super::store;
use super::views::*;
use crate::changes;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::identity::caller::Caller;
use crate::identity::domain::{Country, OrganisationKind, Role};
use crate::imei::domain::{Imei, ListStatus, Reason};
use crate::imei::lifecycle::{blank_device, commit_change, event_for, save_device, set_listing};
use crate::imei::service::invalid_imei;
use crate::sealing::SealingKeys;
use crate::state::AppState;
use crate::validate::Validator;

/// Most devices one case carries.
pub const MAX_DEVICES: usize = 100;

fn parse_imeis(texts: &[String]) -> ApiResult<Vec<Imei>> {
    if texts.is_empty() || texts.len() > MAX_DEVICES {
        return Err(ApiError::validation(vec![FieldError::new(
            "imeis",
            "out_of_range",
            format!("1 to {MAX_DEVICES} IMEIs"),
        )]));
    }
    let mut imeis = Vec::with_capacity(texts.len());
    for (i, text) in texts.iter().enumerate() {
        let imei = Imei::parse(text)
            .map_err(|e| invalid_imei(&format!("imeis[{i}]"), e))?
            .imei;
        if !imeis.contains(&imei) {
            imeis.push(imei);
        }
    }
    Ok(imeis)
}

/// An event of a case, stamped now.
pub(super) fn event(
    case: &ImeiCase,
    kind: &str,
    actor: &str,
    organisation_id: Option<&str>,
    note: Option<&str>,
) -> ImeiCaseEvent {
    ImeiCaseEvent {
        id: ids::new_id(),
        case_id: case.id.clone(),
        kind: kind.to_owned(),
        state: case.state.clone(),
        actor: actor.to_owned(),
        organisation_id: organisation_id.map(str::to_owned),
        country: None,
        imei: None,
        note: note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
        at: case.updated_at,
    }
}

/// The audit-chain entry of anything done to or read of a case.
pub(super) fn audit(
    conn: &mut DbConnection,
    actor: &str,
    action: &str,
    case: &ImeiCase,
    details: serde_json::Value,
) -> ApiResult<()> {
    let mut details = details;
    if let Some(map) = details.as_object_mut() {
        map.insert("state".into(), case.state.clone().into());
        map.insert("organisation".into(), case.organisation_id.clone().into());
    }
    changes::audit(
        conn,
        actor,
        action,
        &format!("imei_case:{}", case.id),
        details,
    )
}

/// Opens a case. Lost and stolen devices are black-listed in both countries in the same
/// transaction (a device another organisation already black-listed is refused with 409).
pub async fn open(state: &AppState, caller: &Caller, input: NewCaseInput) -> ApiResult<CaseView> {
    let imeis = parse_imeis(&input.imeis)?;
    let mut check = Validator::default();
    check.typed_text("reference", Some(&input.reference), true, 100);
    check.typed_text("summary", input.summary.as_deref(), false, 2000);
    check.typed_text("ownerContact", input.owner_contact.as_deref(), false, 500);
    if input.owner_contact.is_some() && !input.kind.is_missing_phone() {
        check.fail(
            "ownerContact",
            "not_allowed",
            "only lost and stolen phones have an owner to contact",
        );
    }
    check.finish()?;
    let who = caller.clone();
    let runtime = state.imei.clone();
    let touched = imeis.clone();
    let (viewer, case) = commit_change(state, touched, move |conn| {
        let viewer = Viewer::load(conn, &who)?;
        let case = open_in(conn, &viewer, Some(&runtime.contacts), &imeis, &input)?;
        Ok((viewer, case))
    })
    .await?;
    let runtime = state.imei.clone();
    state
        .read(move |conn| view(conn, &viewer, &runtime.contacts, case))
        .await
}

/// `open` inside the caller's transaction (the demo seed uses it too, without keys and so
/// without contacts).
pub fn open_in(
    conn: &mut DbConnection,
    viewer: &Viewer,
    keys: Option<&SealingKeys>,
    imeis: &[Imei],
    input: &NewCaseInput,
) -> ApiResult<ImeiCase> {
    let reporter = viewer.acting_agency(input.organisation_id.as_deref())?;
    let reference = input.reference.trim().to_owned();
    if store::by_reference(conn, &reporter.id, &reference)?.is_some() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("your organisation already has a case `{reference}`"),
        ));
    }
    let now = ids::now();
    let mut case = ImeiCase {
        id: ids::new_id(),
        reference: reference.clone(),
        kind: input.kind.as_str().to_owned(),
        state: CaseState::Open.as_str().to_owned(),
        confidentiality: input
            .confidentiality
            .unwrap_or(Confidentiality::Agencies)
            .as_str()
            .to_owned(),
        organisation_id: reporter.id.clone(),
        country: reporter.country.as_str().to_owned(),
        summary: input.summary.as_deref().unwrap_or("").trim().to_owned(),
        contact_key_id: None,
        contact_nonce: None,
        contact_sealed: None,
        found_by: None,
        found_country: None,
        held_at: None,
        embassy_id: None,
        version: 1,
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    if let Some(contact) = input
        .owner_contact
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let keys = keys.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no contact key")))?;
        let sealed = keys.seal(case.id.as_bytes(), contact.as_bytes())?;
        case.contact_key_id = Some(sealed.key_id);
        case.contact_nonce = Some(sealed.nonce);
        case.contact_sealed = Some(sealed.ciphertext);
    }
    let stored: Vec<i64> = imeis.iter().map(|i| i.as_i64()).collect();
    store::insert(conn, &case, &stored)?;
    if input.kind.is_missing_phone() {
        let reason = match input.kind {
            CaseKind::Stolen => Reason::Stolen,
            _ => Reason::Lost,
        };
        for imei in imeis {
            block(conn, viewer, &reporter, *imei, reason, &reference)?;
        }
    }
    store::add_event(
        conn,
        &event(&case, "opened", &viewer.actor, Some(&reporter.id), None),
    )?;
    audit(
        conn,
        &viewer.actor,
        "imei.case.open",
        &case,
        serde_json::json!({
            "kind": case.kind,
            "reference": case.reference,
            "imeis": imeis.iter().map(|i| i.to_string()).collect::<Vec<_>>(),
        }),
    )?;
    Ok(case)
}

/// Black-lists a device for a lost/stolen case, unless its reporter already did.
fn block(
    conn: &mut DbConnection,
    viewer: &Viewer,
    reporter: &crate::identity::views::OrganisationView,
    imei: Imei,
    reason: Reason,
    reference: &str,
) -> ApiResult<()> {
    let existing = crate::imei::store::device(conn, imei)?;
    if let Some(row) = existing.as_ref().filter(|r| r.status == "black") {
        if row.organisation_id.as_deref() == Some(reporter.id.as_str()) {
            return Ok(());
        }
        return Err(ApiError::new(
            ErrorCode::InvalidTransition,
            format!("{imei} is already black-listed by another organisation"),
        ));
    }
    let mut row = existing.clone().unwrap_or_else(|| blank_device(imei));
    set_listing(
        &mut row,
        ListStatus::Black,
        Some(reason),
        reporter.country,
        Some(reporter.id.clone()),
        None,
        ids::now(),
    );
    row.case_reference = Some(reference.to_owned());
    let event = event_for(&row, "reported", &viewer.actor, None);
    save_device(conn, &row, existing.is_some(), event)
}

/// A case as stored now (after a change made in the same transaction).
pub fn reread(conn: &mut DbConnection, id: &str) -> ApiResult<ImeiCase> {
    store::find(conn, id)?.ok_or_else(|| ApiError::not_found(format_args!("case `{id}`")))
}

/// The cases the caller may read, most recently changed first.
pub async fn list(state: &AppState, caller: &Caller, query: CaseQuery) -> ApiResult<Vec<CaseView>> {
    let limit = match query.limit {
        None => 50,
        Some(n @ 1..=100) => i64::from(n),
        Some(_) => {
            return Err(ApiError::invalid_parameter("limit must be 1 to 100"));
        }
    };
    let who = caller.clone();
    let runtime = state.imei.clone();
    state
        .write(move |conn| {
            let viewer = Viewer::load(conn, &who)?;
            let ids = viewer.organisation_ids();
            let involvement = store::Involvement {
                organisations: &ids,
                agencies_level: viewer.agencies_level(),
            };
            let filter = store::Filter {
                state: query.state.map(CaseState::as_str),
                kind: query.kind.map(CaseKind::as_str),
                opened: None,
            };
            let rows = store::visible(conn, &involvement, &filter, limit)?;
            changes::audit(
                conn,
                &viewer.actor,
                "imei.case.list",
                "imei_case:*",
                serde_json::json!({ "returned": rows.len() }),
            )?;
            rows.into_iter()
                .map(|row| view(conn, &viewer, &runtime.contacts, row))
                .collect()
        })
        .await
}

/// One case, if the caller may read it (404 otherwise, as if it did not exist).
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> ApiResult<CaseView> {
    let (who, id) = (caller.clone(), id.to_owned());
    let runtime = state.imei.clone();
    state
        .write(move |conn| {
            let viewer = Viewer::load(conn, &who)?;
            let case = access::visible(&viewer, store::find(conn, &id)?, &id)?;
            audit(
                conn,
                &viewer.actor,
                "imei.case.read",
                &case,
                serde_json::json!({}),
            )?;
            view(conn, &viewer, &runtime.contacts, case)
        })
        .await
}

/// A case's history, if the caller may read the case.
pub async fn events(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Vec<CaseEventView>> {
    let (who, id) = (caller.clone(), id.to_owned());
    state
        .write(move |conn| {
            let viewer = Viewer::load(conn, &who)?;
            let case = access::visible(&viewer, store::find(conn, &id)?, &id)?;
            audit(
                conn,
                &viewer.actor,
                "imei.case.read_events",
                &case,
                serde_json::json!({}),
            )?;
            store::events(conn, &case.id)?
                .into_iter()
                .map(event_view)
                .collect()
        })
        .await
}

/// Links another case to this one: an agency or police editor who may read both.
pub async fn link(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: LinkInput,
) -> ApiResult<CaseView> {
    let (who, id) = (caller.clone(), id.to_owned());
    let runtime = state.imei.clone();
    state
        .write(move |conn| {
            let viewer = Viewer::load(conn, &who)?;
            let case = access::visible(&viewer, store::find(conn, &id)?, &id)?;
            let other_id = input.case_id.trim().to_owned();
            let other = access::visible(&viewer, store::find(conn, &other_id)?, &other_id)?;
            if other.id == case.id {
                return Err(ApiError::validation(vec![FieldError::new(
                    "caseId",
                    "same_case",
                    "a case cannot be linked to itself",
                )]));
            }
            // The agency or police force the caller edits for (the first, if several: a link
            // names who made it, it grants nothing).
            let acting = viewer
                .organisations
                .iter()
                .find(|(o, role)| {
                    matches!(o.kind, OrganisationKind::Agency | OrganisationKind::Police)
                        && *role >= Role::Editor
                })
                .map(|(o, _)| o.id.clone())
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::Forbidden,
                        "only editors of agencies and police forces link cases",
                    )
                })?;
            let now = ids::now();
            if store::link(conn, &case.id, &other.id, &viewer.actor, now)? {
                for (this, that) in [(&case, &other), (&other, &case)] {
                    let mut linked = event(this, "linked", &viewer.actor, Some(&acting), None);
                    linked.at = now;
                    linked.note = Some(that.id.clone());
                    store::add_event(conn, &linked)?;
                }
                audit(
                    conn,
                    &viewer.actor,
                    "imei.case.link",
                    &case,
                    serde_json::json!({ "linked": other.id }),
                )?;
            }
            view(conn, &viewer, &runtime.contacts, case)
        })
        .await
}

/// A case as this viewer may see it: the contact only for whom it is meant, linked cases
/// only where the viewer may read them too.
pub(super) fn view(
    conn: &mut DbConnection,
    viewer: &Viewer,
    keys: &SealingKeys,
    case: ImeiCase,
) -> ApiResult<CaseView> {
    let imeis = store::devices(conn, &case.id)?
        .into_iter()
        .map(|i| Imei::from_stored(i).to_string())
        .collect();
    let linked_cases = store::linked(conn, &case.id)?
        .into_iter()
        .filter(|c| viewer.sees(c))
        .map(|c| c.id)
        .collect();
    let owner_contact = match (
        &case.contact_key_id,
        &case.contact_nonce,
        &case.contact_sealed,
    ) {
        (Some(key_id), Some(nonce), Some(sealed)) if viewer.sees_contact(&case) => {
            let opened = keys.open(key_id, nonce, sealed, case.id.as_bytes())?;
            Some(String::from_utf8_lossy(&opened).into_owned())
        }
        _ => None,
    };
    let internal = |e: String| ApiError::internal(anyhow::anyhow!(e));
    Ok(CaseView {
        kind: case.kind.parse().map_err(internal)?,
        state: case.state.parse().map_err(internal)?,
        confidentiality: case.confidentiality.parse().map_err(internal)?,
        country: case.country.parse().map_err(internal)?,
        found_country: case
            .found_country
            .as_deref()
            .map(str::parse::<Country>)
            .transpose()
            .map_err(internal)?,
        imeis,
        owner_contact,
        linked_cases,
        id: case.id,
        reference: case.reference,
        organisation_id: case.organisation_id,
        summary: case.summary,
        found_by: case.found_by,
        held_at: case.held_at,
        embassy_id: case.embassy_id,
        version: case.version,
        created_at: case.created_at,
        updated_at: case.updated_at,
        closed_at: case.closed_at,
    })
}

fn event_view(row: ImeiCaseEvent) -> ApiResult<CaseEventView> {
    let internal = |e: String| ApiError::internal(anyhow::anyhow!(e));
    Ok(CaseEventView {
        state: row.state.parse().map_err(internal)?,
        country: row
            .country
            .as_deref()
            .map(str::parse::<Country>)
            .transpose()
            .map_err(internal)?,
        imei: row.imei.map(|i| Imei::from_stored(i).to_string()),
        id: row.id,
        kind: row.kind,
        organisation_id: row.organisation_id,
        note: row.note,
        at: row.at,
    })
}
