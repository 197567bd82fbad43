//! The hub's operations. Each is one call that every adapter (REST, GraphQL, the portal) makes
//! the same way; it picks a read or a write transaction and runs the rules of `programmes`,
//! `applications` and `reviews`, which ask `access` who the caller is.

use super::commitments::{self, CommitmentInput, CommitmentView};
use super::events::{ParticipantView, RegistrationView, TeamView};
use super::input::{
    ApplicationInput, ConflictInput, DecisionInput, OrganiserInput, ProgrammeInput, ReviewInput,
    ReviewerInput,
};
use super::views::HubOrganisationView;
use super::views::{ApplicationView, ProgrammeView, ReviewerView};
use super::{applications, calendar, events, programmes, reviews};
use crate::error::ApiResult;
use crate::identity::caller::Caller;
use crate::state::AppState;

/// Runs `rule` for `caller` in a read transaction.
macro_rules! read {
    ($state:expr, $caller:expr, |$conn:ident, $who:ident| $body:expr) => {{
        let $who = $caller.clone();
        $state.read(move |$conn| $body).await
    }};
}

/// Runs `rule` for `caller` in a write transaction.
macro_rules! write {
    ($state:expr, $caller:expr, |$conn:ident, $who:ident| $body:expr) => {{
        let $who = $caller.clone();
        $state.write(move |$conn| $body).await
    }};
}

/// Published programmes (for everyone) and the caller's organisations' drafts.
pub async fn programmes(
    state: &AppState,
    caller: &Caller,
    kind: Option<String>,
) -> ApiResult<Vec<ProgrammeView>> {
    read!(state, caller, |conn, who| programmes::list(
        conn,
        &who,
        kind.as_deref()
    ))
}

/// One programme, by id or slug (404 for a draft the caller does not run).
pub async fn programme(state: &AppState, caller: &Caller, key: &str) -> ApiResult<ProgrammeView> {
    let key = key.to_owned();
    read!(state, caller, |conn, who| programmes::get(conn, &who, &key))
}

/// Creates a draft programme (an organisation's editors; not startups).
pub async fn create_programme(
    state: &AppState,
    caller: &Caller,
    input: ProgrammeInput,
) -> ApiResult<ProgrammeView> {
    write!(state, caller, |conn, who| programmes::create(
        conn, &who, input
    ))
}

/// Changes a programme (its organisers' editors).
pub async fn update_programme(
    state: &AppState,
    caller: &Caller,
    key: &str,
    input: ProgrammeInput,
) -> ApiResult<ProgrammeView> {
    let key = key.to_owned();
    write!(state, caller, |conn, who| programmes::update(
        conn, &who, &key, input
    ))
}

/// Publishes a draft programme.
pub async fn publish_programme(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> ApiResult<ProgrammeView> {
    let key = key.to_owned();
    write!(state, caller, |conn, who| programmes::publish(
        conn, &who, &key
    ))
}

/// Asks another organisation to co-organise.
pub async fn add_organiser(
    state: &AppState,
    caller: &Caller,
    key: &str,
    input: OrganiserInput,
) -> ApiResult<ProgrammeView> {
    let key = key.to_owned();
    write!(state, caller, |conn, who| programmes::add_organiser(
        conn, &who, &key, input
    ))
}

/// Confirms co-organising (the asked organisation's editors).
pub async fn confirm_organiser(
    state: &AppState,
    caller: &Caller,
    key: &str,
    organisation: &str,
) -> ApiResult<ProgrammeView> {
    let (key, organisation) = (key.to_owned(), organisation.to_owned());
    write!(state, caller, |conn, who| programmes::confirm_organiser(
        conn,
        &who,
        &key,
        &organisation
    ))
}

/// The review panel (the organisers).
pub async fn reviewers(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> ApiResult<Vec<ReviewerView>> {
    let key = key.to_owned();
    read!(state, caller, |conn, who| programmes::reviewers(
        conn, &who, &key
    ))
}

/// Appoints a reviewer (the organisers' editors).
pub async fn appoint_reviewer(
    state: &AppState,
    caller: &Caller,
    key: &str,
    input: ReviewerInput,
) -> ApiResult<Vec<ReviewerView>> {
    let key = key.to_owned();
    write!(state, caller, |conn, who| programmes::appoint_reviewer(
        conn, &who, &key, input
    ))
}

/// Removes a reviewer (the organisers' editors).
pub async fn remove_reviewer(
    state: &AppState,
    caller: &Caller,
    key: &str,
    user_id: &str,
) -> ApiResult<()> {
    let (key, user_id) = (key.to_owned(), user_id.to_owned());
    write!(state, caller, |conn, who| programmes::remove_reviewer(
        conn, &who, &key, &user_id
    ))
}

/// A reviewer declares a conflict of interest with a startup.
pub async fn declare_conflict(
    state: &AppState,
    caller: &Caller,
    key: &str,
    input: ConflictInput,
) -> ApiResult<()> {
    let key = key.to_owned();
    write!(state, caller, |conn, who| programmes::declare_conflict(
        conn, &who, &key, input
    ))
}

/// Publishes the decisions and tells the applicants.
pub async fn publish_results(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> ApiResult<ProgrammeView> {
    let key = key.to_owned();
    write!(state, caller, |conn, who| reviews::publish_results(
        conn, &who, &key
    ))
}

/// A programme's applications the caller may see.
pub async fn programme_applications(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> ApiResult<Vec<ApplicationView>> {
    let key = key.to_owned();
    read!(state, caller, |conn, who| applications::for_programme(
        conn, &who, &key
    ))
}

/// The applications of the caller's startups.
pub async fn my_applications(state: &AppState, caller: &Caller) -> ApiResult<Vec<ApplicationView>> {
    read!(state, caller, |conn, who| applications::mine(conn, &who))
}

/// Starts a startup's application (its editors).
pub async fn create_application(
    state: &AppState,
    caller: &Caller,
    key: &str,
    input: ApplicationInput,
) -> ApiResult<ApplicationView> {
    let key = key.to_owned();
    write!(state, caller, |conn, who| applications::create(
        conn, &who, &key, input
    ))
}

/// One application, as the caller sees it.
pub async fn application(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<ApplicationView> {
    let id = id.to_owned();
    read!(state, caller, |conn, who| applications::get(
        conn, &who, &id
    ))
}

/// Changes a draft application.
pub async fn update_application(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: ApplicationInput,
) -> ApiResult<ApplicationView> {
    let id = id.to_owned();
    write!(state, caller, |conn, who| applications::update(
        conn, &who, &id, input
    ))
}

/// Submits an application before the deadline.
pub async fn submit_application(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<ApplicationView> {
    let id = id.to_owned();
    write!(state, caller, |conn, who| applications::submit(
        conn, &who, &id
    ))
}

/// Withdraws an application.
pub async fn withdraw_application(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<ApplicationView> {
    let id = id.to_owned();
    write!(state, caller, |conn, who| applications::withdraw(
        conn, &who, &id
    ))
}

/// A reviewer's scores.
pub async fn review_application(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: ReviewInput,
) -> ApiResult<ApplicationView> {
    let id = id.to_owned();
    write!(state, caller, |conn, who| reviews::review(
        conn, &who, &id, input
    ))
}

/// The organisers' decision.
pub async fn decide_application(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: DecisionInput,
) -> ApiResult<ApplicationView> {
    let id = id.to_owned();
    write!(state, caller, |conn, who| reviews::decide(
        conn, &who, &id, input
    ))
}

/// Takes a place at a hackathon or demo day (or one on its waitlist).
pub async fn register(state: &AppState, caller: &Caller, key: &str) -> ApiResult<RegistrationView> {
    let key = key.to_owned();
    write!(state, caller, |conn, who| events::register(
        conn, &who, &key
    ))
}

/// The caller's place.
pub async fn registration(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> ApiResult<RegistrationView> {
    let key = key.to_owned();
    read!(state, caller, |conn, who| events::registration(
        conn, &who, &key
    ))
}

/// Gives the caller's place up (the first on the waitlist takes it).
pub async fn cancel_registration(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> ApiResult<RegistrationView> {
    let key = key.to_owned();
    write!(state, caller, |conn, who| events::cancel(conn, &who, &key))
}

/// A hackathon's teams.
pub async fn teams(state: &AppState, caller: &Caller, key: &str) -> ApiResult<Vec<TeamView>> {
    let key = key.to_owned();
    read!(state, caller, |conn, who| events::teams(conn, &who, &key))
}

/// Joins a team (by id) or founds one (by name).
pub async fn join_team(
    state: &AppState,
    caller: &Caller,
    key: &str,
    team: Option<String>,
    name: Option<String>,
) -> ApiResult<RegistrationView> {
    let key = key.to_owned();
    write!(state, caller, |conn, who| events::join_team(
        conn,
        &who,
        &key,
        team.as_deref(),
        name.as_deref()
    ))
}

/// Who registered (the organisers).
pub async fn participants(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> ApiResult<Vec<ParticipantView>> {
    let key = key.to_owned();
    read!(state, caller, |conn, who| events::participants(
        conn, &who, &key
    ))
}

/// The accepted startups once the results are published.
pub async fn accepted(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> ApiResult<Vec<HubOrganisationView>> {
    let key = key.to_owned();
    read!(state, caller, |conn, who| events::accepted(
        conn, &who, &key
    ))
}

/// The iCalendar feed of published programmes.
pub async fn calendar(state: &AppState) -> ApiResult<String> {
    let base = state.config.public_url.clone();
    state.read(move |conn| calendar::feed(conn, &base)).await
}

/// The commitments to an application (its startup, the organisers, the call's investors).
pub async fn commitments(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<Vec<CommitmentView>> {
    let id = id.to_owned();
    read!(state, caller, |conn, who| commitments::list(
        conn, &who, &id
    ))
}

/// An investor records its commitment to an accepted startup.
pub async fn commit(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: CommitmentInput,
) -> ApiResult<Vec<CommitmentView>> {
    let id = id.to_owned();
    write!(state, caller, |conn, who| commitments::commit(
        conn, &who, &id, input
    ))
}
