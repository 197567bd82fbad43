//! Hackathons and demo days: people register for a place (a waitlist once the capacity is
//! reached; a cancelled place goes to the first on it), hackathon participants form teams, a
//! demo day's accepted startups are public once the results are, and every published
//! programme is in an iCalendar feed.
//!
//! Places are counted under the programme's version: each registration or cancellation moves
//! it, so two people taking the last place at once on two nodes cannot both get it (the second
//! gets 409 `conflict` and tries again).

use serde::Serialize;
use silkbridge_schema::hub_models::{HubProgramme, HubRegistration, HubTeam};
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;

use super::domain::{Decision, ProgrammeKind};
use super::programmes::{self, conflict, invalid_transition, organisation_view};
use super::store;
use super::views::HubOrganisationView;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::identity::rules as identity;
use crate::validate::Validator;

/// Most people in one hackathon team.
pub const TEAM_SIZE: i64 = 5;

/// The caller's place at an event.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubRegistration")]
#[schema(as = HubRegistration)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationView {
    pub programme_id: String,
    /// registered, waitlisted or cancelled.
    pub state: String,
    /// 1 for the first on the waitlist.
    pub waitlist_position: Option<i32>,
    pub team_id: Option<String>,
    pub registered_at: chrono::NaiveDateTime,
}

/// A hackathon team, as everyone sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubTeam")]
#[schema(as = HubTeam)]
#[serde(rename_all = "camelCase")]
pub struct TeamView {
    pub id: String,
    pub name: String,
    pub members: i32,
}

/// A participant, for the organisers (check-in).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubParticipant")]
#[schema(as = HubParticipant)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantView {
    pub user_id: String,
    pub display_name: String,
    pub state: String,
    pub team_id: Option<String>,
    pub registered_at: chrono::NaiveDateTime,
}

fn is_event(row: &HubProgramme) -> bool {
    row.kind == ProgrammeKind::Hackathon.as_str() || row.kind == ProgrammeKind::DemoDay.as_str()
}

/// A published event that has not ended, for a signed-in person.
fn open_event(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<(HubProgramme, String)> {
    authorize(caller, Action::ActAsPerson)?;
    let user = caller.user_id().unwrap_or_default().to_owned();
    let (row, _, _) = programmes::visible(conn, caller, key)?;
    if !is_event(&row) {
        return Err(invalid_transition(
            "only hackathons and demo days take registrations",
        ));
    }
    if row.state != super::domain::ProgrammeState::Published.as_str() {
        return Err(invalid_transition("the programme is not published"));
    }
    if row.ends_at <= ids::now() {
        return Err(ApiError::new(
            ErrorCode::DeadlinePassed,
            "the event is over",
        ));
    }
    Ok((row, user))
}

/// Moves the programme's version: places are decided one writer at a time.
pub(super) fn claim(conn: &mut DbConnection, row: &mut HubProgramme) -> ApiResult<()> {
    let read = row.version;
    row.version += 1;
    if store::update_programme(conn, row, read)? {
        Ok(())
    } else {
        Err(conflict(
            "places changed while this was being done; try again",
        ))
    }
}

fn view(conn: &mut DbConnection, row: HubRegistration) -> ApiResult<RegistrationView> {
    let waitlist_position = if row.state == "waitlisted" {
        let queue = store::registrations(conn, &row.programme_id, "waitlisted")?;
        queue
            .iter()
            .position(|r| r.user_id == row.user_id)
            .and_then(|p| i32::try_from(p + 1).ok())
    } else {
        None
    };
    Ok(RegistrationView {
        programme_id: row.programme_id,
        state: row.state,
        waitlist_position,
        team_id: row.team_id,
        registered_at: row.registered_at,
    })
}

fn audit(
    conn: &mut DbConnection,
    caller: &Caller,
    action: &str,
    row: &HubProgramme,
) -> ApiResult<()> {
    crate::changes::audit(
        conn,
        &caller.actor(),
        action,
        &format!("programme:{}", row.id),
        serde_json::json!({}),
    )
}

/// Takes a place (or one on the waitlist once the capacity is reached).
pub(crate) fn register(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<RegistrationView> {
    let (mut row, user) = open_event(conn, caller, key)?;
    if let Some(existing) = store::registration(conn, &row.id, &user)?
        && existing.state != "cancelled"
    {
        return Err(conflict(format!("you are {} already", existing.state)));
    }
    claim(conn, &mut row)?;
    let taken =
        i64::try_from(store::registrations(conn, &row.id, "registered")?.len()).unwrap_or(i64::MAX);
    let full = row.capacity.is_some_and(|c| taken >= i64::from(c));
    let now = ids::now();
    let registration = HubRegistration {
        programme_id: row.id.clone(),
        user_id: user,
        state: if full { "waitlisted" } else { "registered" }.to_owned(),
        team_id: None,
        registered_at: now,
        updated_at: now,
    };
    store::save_registration(conn, &registration)?;
    audit(conn, caller, "hub.event.register", &row)?;
    view(conn, registration)
}

/// The caller's place (404 if they have none).
pub(crate) fn registration(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<RegistrationView> {
    authorize(caller, Action::ActAsPerson)?;
    let user = caller.user_id().unwrap_or_default().to_owned();
    let (row, _, _) = programmes::visible(conn, caller, key)?;
    let registration = store::registration(conn, &row.id, &user)?
        .ok_or_else(|| ApiError::not_found("your registration"))?;
    view(conn, registration)
}

/// Gives the place up; the first on the waitlist takes it.
pub(crate) fn cancel(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<RegistrationView> {
    let (mut row, user) = open_event(conn, caller, key)?;
    let Some(mut registration) =
        store::registration(conn, &row.id, &user)?.filter(|r| r.state != "cancelled")
    else {
        return Err(ApiError::not_found("your registration"));
    };
    claim(conn, &mut row)?;
    let freed = registration.state == "registered";
    registration.state = "cancelled".into();
    registration.team_id = None;
    registration.updated_at = ids::now();
    store::save_registration(conn, &registration)?;
    if freed
        && let Some(mut next) = store::registrations(conn, &row.id, "waitlisted")?
            .into_iter()
            .next()
    {
        next.state = "registered".into();
        next.updated_at = ids::now();
        store::save_registration(conn, &next)?;
    }
    audit(conn, caller, "hub.event.cancel", &row)?;
    view(conn, registration)
}

/// The programme's teams (anyone who may see the programme).
pub(crate) fn teams(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<Vec<TeamView>> {
    let (row, _, _) = programmes::visible(conn, caller, key)?;
    store::teams(conn, &row.id)?
        .into_iter()
        .map(|team| {
            Ok(TeamView {
                members: i32::try_from(store::team_size(conn, &team.id)?).unwrap_or(i32::MAX),
                id: team.id,
                name: team.name,
            })
        })
        .collect()
}

/// Joins a team (`team`: an id) or founds one (`name`) at a hackathon (registered people).
pub(crate) fn join_team(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
    team: Option<&str>,
    name: Option<&str>,
) -> ApiResult<RegistrationView> {
    let (mut row, user) = open_event(conn, caller, key)?;
    if row.kind != ProgrammeKind::Hackathon.as_str() {
        return Err(invalid_transition("teams are for hackathons"));
    }
    let Some(mut registration) =
        store::registration(conn, &row.id, &user)?.filter(|r| r.state == "registered")
    else {
        return Err(invalid_transition("register for a place first"));
    };
    claim(conn, &mut row)?;
    let team_id = match (team, name) {
        (Some(team), _) => {
            let found = store::teams(conn, &row.id)?
                .into_iter()
                .find(|t| t.id == team);
            let found = found.ok_or_else(|| ApiError::not_found(format_args!("team `{team}`")))?;
            if store::team_size(conn, &found.id)? >= TEAM_SIZE {
                return Err(invalid_transition(format!(
                    "a team has at most {TEAM_SIZE} members"
                )));
            }
            found.id
        }
        (None, name) => {
            let mut check = Validator::default();
            check.typed_text("name", name, true, 80);
            check.finish()?;
            let name = name.unwrap_or_default().trim().to_owned();
            if store::teams(conn, &row.id)?
                .iter()
                .any(|t| t.name.eq_ignore_ascii_case(&name))
            {
                return Err(conflict("a team has this name already"));
            }
            let team = HubTeam {
                id: ids::new_id(),
                programme_id: row.id.clone(),
                name,
                created_by: caller.actor(),
                created_at: ids::now(),
            };
            store::insert_team(conn, &team)?;
            team.id
        }
    };
    registration.team_id = Some(team_id);
    registration.updated_at = ids::now();
    store::save_registration(conn, &registration)?;
    audit(conn, caller, "hub.event.join_team", &row)?;
    view(conn, registration)
}

/// Who registered, for the organisers.
pub(crate) fn participants(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<Vec<ParticipantView>> {
    let (row, _, standing) = programmes::visible(conn, caller, key)?;
    if !standing.roles.organiser {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the organisers see who registered",
        ));
    }
    let mut all = Vec::new();
    for state in ["registered", "waitlisted"] {
        for r in store::registrations(conn, &row.id, state)? {
            all.push(ParticipantView {
                display_name: identity::display_name(conn, &r.user_id)?,
                user_id: r.user_id,
                state: r.state,
                team_id: r.team_id,
                registered_at: r.registered_at,
            });
        }
    }
    Ok(all)
}

/// The accepted startups, for everyone, once the results are published (empty before).
pub(crate) fn accepted(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<Vec<HubOrganisationView>> {
    let (row, _, _) = programmes::visible(conn, caller, key)?;
    if row.results_published_at.is_none() {
        return Ok(Vec::new());
    }
    let accepted: Vec<String> = store::applications(conn, &row.id, &["submitted"])?
        .into_iter()
        .filter(|a| a.decision.as_deref() == Some(Decision::Accepted.as_str()))
        .map(|a| a.startup_id)
        .collect();
    let orgs = identity::organisations_by_ids(conn, accepted.iter().map(String::as_str))?;
    Ok(accepted
        .iter()
        .filter_map(|id| orgs.get(id))
        .map(organisation_view)
        .collect())
}
