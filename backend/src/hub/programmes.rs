//! Programmes: created by an organisation's editors, run with the co-organisers who confirm,
//! published, and staffed with a review panel from both countries.

use std::collections::BTreeMap;

use silkbridge_schema::hub_models::{HubConflict, HubOrganiser, HubProgramme, HubReviewer};
use silkbridge_schema::{DbConnection, ids};

use super::access::{Standing, programme_not_found};
use super::domain::{Phase, ProgrammeKind, ProgrammeState, phase};
use super::index::PROGRAMME_KIND;
use super::input::{
    ConflictInput, OrganiserInput, ProgrammeInput, ProgrammeText, ReviewerInput, check_programme,
};
use super::store;
use super::views::{HubOrganisationView, OrganiserView, ProgrammeView, ReviewerView};
use crate::changes;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;
use crate::identity::domain::OrganisationKind;
use crate::identity::policy::{Action, authorize};
use crate::identity::rules as identity;
use crate::identity::views::OrganisationView;

pub(super) fn organisation_view(org: &OrganisationView) -> HubOrganisationView {
    HubOrganisationView {
        id: org.id.clone(),
        slug: org.slug.clone(),
        name: org.name.clone(),
        country: org.country,
    }
}

fn json<T: serde::Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(text: &str) -> ApiResult<T> {
    serde_json::from_str(text).map_err(ApiError::internal)
}

pub(super) fn conflict(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Conflict, detail)
}

pub(super) fn invalid_transition(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidTransition, detail)
}

/// The phase of a programme now.
pub(super) fn phase_now(row: &HubProgramme) -> Phase {
    phase(
        row.state == ProgrammeState::Published.as_str(),
        row.applications_open_at,
        row.applications_close_at,
        row.results_published_at.is_some(),
        ids::now(),
    )
}

/// The audit-chain entry of a change to a programme.
pub(super) fn audit(
    conn: &mut DbConnection,
    caller: &Caller,
    action: &str,
    programme: &HubProgramme,
    details: serde_json::Value,
) -> ApiResult<()> {
    // Every change to a programme may change what search shows of it.
    changes::Change::upsert(PROGRAMME_KIND, &programme.id).audited(
        conn,
        &caller.actor(),
        action,
        details,
    )
}

/// A programme the caller may see, with its organisers and the caller's standing; 404 otherwise.
pub(super) fn visible(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<(HubProgramme, Vec<HubOrganiser>, Standing)> {
    let row = store::programme(conn, key)?.ok_or_else(|| programme_not_found(key))?;
    let organisers = store::organisers(conn, &row.id)?;
    let standing = Standing::load(conn, caller, &row, &organisers)?;
    if standing.sees_programme(&row) {
        Ok((row, organisers, standing))
    } else {
        Err(programme_not_found(key))
    }
}

/// Writes the programme (409 when someone changed it first).
pub(super) fn save(conn: &mut DbConnection, row: &mut HubProgramme) -> ApiResult<()> {
    let read = row.version;
    row.version += 1;
    row.updated_at = ids::now();
    if store::update_programme(conn, row, read)? {
        Ok(())
    } else {
        Err(conflict(
            "the programme changed while this was being done; read it again",
        ))
    }
}

fn fill(row: &mut HubProgramme, input: &ProgrammeInput) -> ApiResult<()> {
    let translations: BTreeMap<&str, (&str, &str)> = input
        .translations
        .iter()
        .map(|t| (t.lang.as_str(), (t.title.trim(), t.description.trim())))
        .collect();
    row.title = input.title.trim().to_owned();
    row.description = input.description.trim().to_owned();
    row.translations_json = json(&translations)?;
    row.applications_open_at = input.applications_open_at;
    row.applications_close_at = input.applications_close_at;
    row.starts_at = input.starts_at;
    row.ends_at = input.ends_at;
    row.location = input.location.trim().to_owned();
    row.countries_json = json(&input.countries)?;
    row.stages_json = json(&input.stages)?;
    row.sectors_json = json(&input.sectors)?;
    row.questions_json = json(&input.questions)?;
    row.criteria_json = json(&input.criteria)?;
    row.capacity = input.capacity;
    row.funds_json = json(&input.funds)?;
    Ok(())
}

/// An organisation that may run programmes: any but a startup (startups apply).
fn runner(conn: &mut DbConnection, slug: &str) -> ApiResult<OrganisationView> {
    let org = identity::organisation_by_slug(conn, slug)?;
    if org.kind == OrganisationKind::Startup {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "startups apply to programmes; they do not run them",
        ));
    }
    Ok(org)
}

/// The programme as the caller sees it.
pub(super) fn view(
    conn: &mut DbConnection,
    row: HubProgramme,
    organisers: &[HubOrganiser],
    standing: &Standing,
) -> ApiResult<ProgrammeView> {
    let orgs = identity::organisations_by_ids(
        conn,
        organisers.iter().map(|o| o.organisation_id.as_str()),
    )?;
    let organisers = organisers
        .iter()
        .filter(|o| o.confirmed_at.is_some() || standing.roles.organiser || standing.invited)
        .filter_map(|o| {
            orgs.get(&o.organisation_id).map(|org| OrganiserView {
                organisation: organisation_view(org),
                confirmed: o.confirmed_at.is_some(),
            })
        })
        .collect();
    let translations: BTreeMap<String, (String, String)> = parse(&row.translations_json)?;
    Ok(ProgrammeView {
        phase: phase_now(&row),
        translations: translations
            .into_iter()
            .map(|(lang, (title, description))| ProgrammeText {
                lang,
                title,
                description,
            })
            .collect(),
        countries: parse(&row.countries_json)?,
        stages: parse(&row.stages_json)?,
        sectors: parse(&row.sectors_json)?,
        questions: parse(&row.questions_json)?,
        criteria: parse(&row.criteria_json)?,
        funds: parse(&row.funds_json)?,
        organisers,
        roles: standing.roles.clone(),
        id: row.id,
        slug: row.slug,
        kind: row.kind,
        state: row.state,
        title: row.title,
        description: row.description,
        applications_open_at: row.applications_open_at,
        applications_close_at: row.applications_close_at,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        location: row.location,
        capacity: row.capacity,
        results_published_at: row.results_published_at,
        published_at: row.published_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Creates a draft programme run by `input.organisation` (its editors).
pub(crate) fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: ProgrammeInput,
) -> ApiResult<ProgrammeView> {
    let kind = check_programme(&input, true)?;
    let (Some(slug), Some(organisation)) = (input.slug.clone(), input.organisation.clone()) else {
        return Err(ApiError::internal(anyhow::anyhow!("checked")));
    };
    let org = runner(conn, &organisation)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &org.id,
        },
    )?;
    if store::slug_taken(conn, &slug)? {
        return Err(ApiError::validation(vec![crate::error::FieldError::new(
            "slug",
            "taken",
            "another programme has this address",
        )]));
    }
    let now = ids::now();
    let mut row = HubProgramme {
        id: ids::new_id(),
        slug,
        kind: kind.as_str().to_owned(),
        state: ProgrammeState::Draft.as_str().to_owned(),
        title: String::new(),
        description: String::new(),
        translations_json: "{}".into(),
        applications_open_at: now,
        applications_close_at: now,
        starts_at: now,
        ends_at: now,
        location: String::new(),
        countries_json: "[]".into(),
        stages_json: "[]".into(),
        sectors_json: "[]".into(),
        questions_json: "[]".into(),
        criteria_json: "[]".into(),
        capacity: None,
        funds_json: "[]".into(),
        results_published_at: None,
        created_by: caller.actor(),
        created_at: now,
        updated_at: now,
        published_at: None,
        version: 1,
    };
    fill(&mut row, &input)?;
    store::insert_programme(conn, &row)?;
    let organiser = HubOrganiser {
        programme_id: row.id.clone(),
        organisation_id: org.id.clone(),
        added_by: caller.actor(),
        added_at: now,
        confirmed_at: Some(now),
    };
    store::insert_organiser(conn, &organiser)?;
    audit(
        conn,
        caller,
        "hub.programme.create",
        &row,
        serde_json::json!({ "organisation": org.id, "kind": row.kind }),
    )?;
    let standing = Standing::load(conn, caller, &row, std::slice::from_ref(&organiser))?;
    view(conn, row, &[organiser], &standing)
}

/// Changes a programme (its organisers' editors). Once it is published its kind, form,
/// criteria and eligibility stay as applicants saw them (409 `invalid_transition`).
pub(crate) fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
    input: ProgrammeInput,
) -> ApiResult<ProgrammeView> {
    let kind = check_programme(&input, false)?;
    let (mut row, organisers, standing) = visible(conn, caller, key)?;
    standing.must_run()?;
    if row.results_published_at.is_some() {
        return Err(invalid_transition(
            "the results are published: the programme is final",
        ));
    }
    if row.state == ProgrammeState::Published.as_str() {
        let frozen = kind.as_str() != row.kind
            || json(&input.questions)? != row.questions_json
            || json(&input.criteria)? != row.criteria_json
            || json(&input.countries)? != row.countries_json
            || json(&input.stages)? != row.stages_json
            || json(&input.sectors)? != row.sectors_json;
        if frozen {
            return Err(invalid_transition(
                "a published programme keeps its kind, form, criteria and eligibility",
            ));
        }
    }
    row.kind = kind.as_str().to_owned();
    fill(&mut row, &input)?;
    save(conn, &mut row)?;
    audit(
        conn,
        caller,
        "hub.programme.update",
        &row,
        serde_json::json!({}),
    )?;
    view(conn, row, &organisers, &standing)
}

/// Publishes a draft programme (its organisers' editors).
pub(crate) fn publish(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<ProgrammeView> {
    let (mut row, organisers, standing) = visible(conn, caller, key)?;
    standing.must_run()?;
    if row.state != ProgrammeState::Draft.as_str() {
        return Err(invalid_transition("the programme is published already"));
    }
    row.state = ProgrammeState::Published.as_str().to_owned();
    row.published_at = Some(ids::now());
    save(conn, &mut row)?;
    audit(
        conn,
        caller,
        "hub.programme.publish",
        &row,
        serde_json::json!({}),
    )?;
    view(conn, row, &organisers, &standing)
}

/// Asks another organisation to co-organise (the organisers' editors); it runs the programme
/// once one of its editors confirms.
pub(crate) fn add_organiser(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
    input: OrganiserInput,
) -> ApiResult<ProgrammeView> {
    let (row, _, standing) = visible(conn, caller, key)?;
    standing.must_run()?;
    let org = runner(conn, &input.organisation)?;
    let added = store::insert_organiser(
        conn,
        &HubOrganiser {
            programme_id: row.id.clone(),
            organisation_id: org.id.clone(),
            added_by: caller.actor(),
            added_at: ids::now(),
            confirmed_at: None,
        },
    )?;
    if added == 0 {
        return Err(conflict("this organisation is an organiser already"));
    }
    audit(
        conn,
        caller,
        "hub.programme.add_organiser",
        &row,
        serde_json::json!({ "organisation": org.id }),
    )?;
    let organisers = store::organisers(conn, &row.id)?;
    view(conn, row, &organisers, &standing)
}

/// An editor of an organisation asked to co-organise confirms it.
pub(crate) fn confirm_organiser(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
    organisation: &str,
) -> ApiResult<ProgrammeView> {
    let (row, _, _) = visible(conn, caller, key)?;
    let org = identity::organisation_by_slug(conn, organisation)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &org.id,
        },
    )?;
    if store::confirm_organiser(conn, &row.id, &org.id, ids::now())? == 0 {
        return Err(invalid_transition(
            "this organisation has no request to confirm",
        ));
    }
    audit(
        conn,
        caller,
        "hub.programme.confirm_organiser",
        &row,
        serde_json::json!({ "organisation": org.id }),
    )?;
    let organisers = store::organisers(conn, &row.id)?;
    let standing = Standing::load(conn, caller, &row, &organisers)?;
    view(conn, row, &organisers, &standing)
}

/// One programme as the caller may see it.
pub(crate) fn get(conn: &mut DbConnection, caller: &Caller, key: &str) -> ApiResult<ProgrammeView> {
    let (row, organisers, standing) = visible(conn, caller, key)?;
    view(conn, row, &organisers, &standing)
}

/// Published programmes, and the caller's organisations' drafts.
pub(crate) fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    kind: Option<&str>,
) -> ApiResult<Vec<ProgrammeView>> {
    if let Some(kind) = kind {
        kind.parse::<ProgrammeKind>()
            .map_err(ApiError::invalid_parameter)?;
    }
    let mine = crate::identity::policy::read_scope(caller);
    let mut views = Vec::new();
    for row in store::programmes(conn, &mine, kind, 200)? {
        let organisers = store::organisers(conn, &row.id)?;
        let standing = Standing::load(conn, caller, &row, &organisers)?;
        if standing.sees_programme(&row) {
            views.push(view(conn, row, &organisers, &standing)?);
        }
    }
    Ok(views)
}

/// The review panel (the organisers' members).
pub(crate) fn reviewers(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<Vec<ReviewerView>> {
    let (row, _, standing) = visible(conn, caller, key)?;
    if !standing.roles.organiser {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the organisers see the panel",
        ));
    }
    store::reviewers(conn, &row.id)?
        .into_iter()
        .map(|r| {
            Ok(ReviewerView {
                display_name: identity::display_name(conn, &r.user_id)?,
                user_id: r.user_id,
                appointed_at: r.appointed_at,
            })
        })
        .collect()
}

/// Appoints a person to the review panel (the organisers' editors).
pub(crate) fn appoint_reviewer(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
    input: ReviewerInput,
) -> ApiResult<Vec<ReviewerView>> {
    let (row, _, standing) = visible(conn, caller, key)?;
    standing.must_run()?;
    if identity::find_display_name(conn, &input.user_id)?.is_none() {
        return Err(ApiError::not_found(format_args!(
            "user `{}`",
            input.user_id
        )));
    }
    let reviewer = HubReviewer {
        programme_id: row.id.clone(),
        user_id: input.user_id.clone(),
        appointed_by: caller.actor(),
        appointed_at: ids::now(),
    };
    if store::insert_reviewer(conn, &reviewer)? == 0 {
        return Err(conflict("this person is on the panel already"));
    }
    audit(
        conn,
        caller,
        "hub.reviewer.appoint",
        &row,
        serde_json::json!({ "user": input.user_id }),
    )?;
    reviewers(conn, caller, key)
}

/// Removes a person from the panel (the organisers' editors); their reviews stay.
pub(crate) fn remove_reviewer(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
    user_id: &str,
) -> ApiResult<()> {
    let (row, _, standing) = visible(conn, caller, key)?;
    standing.must_run()?;
    if store::delete_reviewer(conn, &row.id, user_id)? == 0 {
        return Err(ApiError::not_found(format_args!("reviewer `{user_id}`")));
    }
    audit(
        conn,
        caller,
        "hub.reviewer.remove",
        &row,
        serde_json::json!({ "user": user_id }),
    )
}

/// A reviewer declares a conflict of interest with a startup: its application no longer exists
/// for them (it cannot be undone by the reviewer).
pub(crate) fn declare_conflict(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
    input: ConflictInput,
) -> ApiResult<()> {
    let (row, _, standing) = visible(conn, caller, key)?;
    let Some(user_id) = standing.user_id.clone().filter(|_| standing.roles.reviewer) else {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the programme's reviewers declare conflicts",
        ));
    };
    let mut check = crate::validate::Validator::default();
    check.typed_text("reason", Some(&input.reason), false, 1000);
    check.finish()?;
    let startup = identity::organisation_by_slug(conn, &input.startup)?;
    store::insert_conflict(
        conn,
        &HubConflict {
            programme_id: row.id.clone(),
            user_id,
            startup_id: startup.id.clone(),
            reason: input.reason.trim().to_owned(),
            declared_at: ids::now(),
        },
    )?;
    audit(
        conn,
        caller,
        "hub.reviewer.declare_conflict",
        &row,
        serde_json::json!({ "startup": startup.id }),
    )
}
