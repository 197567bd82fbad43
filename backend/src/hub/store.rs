//! The hub's queries. Only this module touches its tables, and it records nothing.

use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::hub_models::{
    HubApplication, HubApplicationFile, HubCommitment, HubConflict, HubOrganiser, HubProgramme,
    HubRegistration, HubReview, HubReviewer, HubTeam,
};
use silkbridge_schema::hub_tables::{
    hub_application_files, hub_applications, hub_commitments, hub_conflicts,
    hub_programme_organisers, hub_programmes, hub_registrations, hub_reviewers, hub_reviews,
    hub_teams,
};

/// A programme by id or slug.
pub fn programme(conn: &mut DbConnection, key: &str) -> QueryResult<Option<HubProgramme>> {
    hub_programmes::table
        .filter(hub_programmes::id.eq(key).or(hub_programmes::slug.eq(key)))
        .select(HubProgramme::as_select())
        .first(conn)
        .optional()
}

pub fn slug_taken(conn: &mut DbConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        hub_programmes::table.filter(hub_programmes::slug.eq(slug)),
    ))
    .get_result(conn)
}

/// Published programmes, and those any of `organisations` runs or is asked to run, the ones
/// whose applications close last first.
pub fn programmes(
    conn: &mut DbConnection,
    organisations: &[String],
    kind: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<HubProgramme>> {
    let theirs = hub_programme_organisers::table
        .filter(hub_programme_organisers::organisation_id.eq_any(organisations.to_vec()))
        .select(hub_programme_organisers::programme_id);
    let mut query = hub_programmes::table
        .filter(
            hub_programmes::state
                .eq("published")
                .or(hub_programmes::id.eq_any(theirs)),
        )
        .select(HubProgramme::as_select())
        .order((
            hub_programmes::applications_close_at.desc(),
            hub_programmes::id.asc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(hub_programmes::kind.eq(kind.to_owned()));
    }
    query.load(conn)
}

pub fn insert_programme(conn: &mut DbConnection, row: &HubProgramme) -> QueryResult<()> {
    diesel::insert_into(hub_programmes::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Writes the programme if it is still at `read_version`; false if someone changed it first.
pub fn update_programme(
    conn: &mut DbConnection,
    row: &HubProgramme,
    read_version: i32,
) -> QueryResult<bool> {
    diesel::update(
        hub_programmes::table
            .filter(hub_programmes::id.eq(&row.id))
            .filter(hub_programmes::version.eq(read_version)),
    )
    .set(row)
    .execute(conn)
    .map(|n| n == 1)
}

pub fn organisers(conn: &mut DbConnection, programme_id: &str) -> QueryResult<Vec<HubOrganiser>> {
    hub_programme_organisers::table
        .filter(hub_programme_organisers::programme_id.eq(programme_id))
        .select(HubOrganiser::as_select())
        .order(hub_programme_organisers::added_at.asc())
        .load(conn)
}

/// Adds the organiser unless it is one already (0). (No `ON CONFLICT` across both backends; a
/// concurrent twin fails on the key and its transaction is refused.)
pub fn insert_organiser(conn: &mut DbConnection, row: &HubOrganiser) -> QueryResult<usize> {
    let present: bool = diesel::select(diesel::dsl::exists(
        hub_programme_organisers::table.find((&row.programme_id, &row.organisation_id)),
    ))
    .get_result(conn)?;
    if present {
        return Ok(0);
    }
    diesel::insert_into(hub_programme_organisers::table)
        .values(row)
        .execute(conn)
}

pub fn confirm_organiser(
    conn: &mut DbConnection,
    programme_id: &str,
    organisation_id: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        hub_programme_organisers::table
            .filter(hub_programme_organisers::programme_id.eq(programme_id))
            .filter(hub_programme_organisers::organisation_id.eq(organisation_id))
            .filter(hub_programme_organisers::confirmed_at.is_null()),
    )
    .set(hub_programme_organisers::confirmed_at.eq(Some(at)))
    .execute(conn)
}

pub fn reviewers(conn: &mut DbConnection, programme_id: &str) -> QueryResult<Vec<HubReviewer>> {
    hub_reviewers::table
        .filter(hub_reviewers::programme_id.eq(programme_id))
        .select(HubReviewer::as_select())
        .order(hub_reviewers::appointed_at.asc())
        .load(conn)
}

pub fn is_reviewer(
    conn: &mut DbConnection,
    programme_id: &str,
    user_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        hub_reviewers::table
            .filter(hub_reviewers::programme_id.eq(programme_id))
            .filter(hub_reviewers::user_id.eq(user_id)),
    ))
    .get_result(conn)
}

/// Adds the reviewer unless they are one already (0).
pub fn insert_reviewer(conn: &mut DbConnection, row: &HubReviewer) -> QueryResult<usize> {
    if is_reviewer(conn, &row.programme_id, &row.user_id)? {
        return Ok(0);
    }
    diesel::insert_into(hub_reviewers::table)
        .values(row)
        .execute(conn)
}

pub fn delete_reviewer(
    conn: &mut DbConnection,
    programme_id: &str,
    user_id: &str,
) -> QueryResult<usize> {
    diesel::delete(
        hub_reviewers::table
            .filter(hub_reviewers::programme_id.eq(programme_id))
            .filter(hub_reviewers::user_id.eq(user_id)),
    )
    .execute(conn)
}

/// The startups a reviewer declared a conflict with, in a programme.
pub fn conflicts_of(
    conn: &mut DbConnection,
    programme_id: &str,
    user_id: &str,
) -> QueryResult<Vec<String>> {
    hub_conflicts::table
        .filter(hub_conflicts::programme_id.eq(programme_id))
        .filter(hub_conflicts::user_id.eq(user_id))
        .select(hub_conflicts::startup_id)
        .load(conn)
}

/// Records the conflict unless it is declared already (0).
pub fn insert_conflict(conn: &mut DbConnection, row: &HubConflict) -> QueryResult<usize> {
    let present: bool = diesel::select(diesel::dsl::exists(hub_conflicts::table.find((
        &row.programme_id,
        &row.user_id,
        &row.startup_id,
    ))))
    .get_result(conn)?;
    if present {
        return Ok(0);
    }
    diesel::insert_into(hub_conflicts::table)
        .values(row)
        .execute(conn)
}

pub fn application(conn: &mut DbConnection, id: &str) -> QueryResult<Option<HubApplication>> {
    hub_applications::table
        .find(id)
        .select(HubApplication::as_select())
        .first(conn)
        .optional()
}

pub fn application_of(
    conn: &mut DbConnection,
    programme_id: &str,
    startup_id: &str,
) -> QueryResult<Option<HubApplication>> {
    hub_applications::table
        .filter(hub_applications::programme_id.eq(programme_id))
        .filter(hub_applications::startup_id.eq(startup_id))
        .select(HubApplication::as_select())
        .first(conn)
        .optional()
}

/// A programme's applications in `states`, oldest submission first.
pub fn applications(
    conn: &mut DbConnection,
    programme_id: &str,
    states: &[&str],
) -> QueryResult<Vec<HubApplication>> {
    hub_applications::table
        .filter(hub_applications::programme_id.eq(programme_id))
        .filter(
            hub_applications::state
                .eq_any(states.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()),
        )
        .select(HubApplication::as_select())
        .order((
            hub_applications::submitted_at.asc(),
            hub_applications::id.asc(),
        ))
        .load(conn)
}

/// The applications of these startups, newest first.
pub fn applications_of_startups(
    conn: &mut DbConnection,
    startups: &[String],
) -> QueryResult<Vec<HubApplication>> {
    hub_applications::table
        .filter(hub_applications::startup_id.eq_any(startups.to_vec()))
        .select(HubApplication::as_select())
        .order((
            hub_applications::updated_at.desc(),
            hub_applications::id.asc(),
        ))
        .limit(500)
        .load(conn)
}

pub fn insert_application(conn: &mut DbConnection, row: &HubApplication) -> QueryResult<()> {
    diesel::insert_into(hub_applications::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Writes the application if it is still at `read_version`; false if someone changed it first.
pub fn update_application(
    conn: &mut DbConnection,
    row: &HubApplication,
    read_version: i32,
) -> QueryResult<bool> {
    diesel::update(
        hub_applications::table
            .filter(hub_applications::id.eq(&row.id))
            .filter(hub_applications::version.eq(read_version)),
    )
    .set(row)
    .execute(conn)
    .map(|n| n == 1)
}

/// Records the organisers' decision on a submitted application without moving its version or
/// its `updated_at`, which its applicant sees: a decision must not show before it is published.
/// False if the application is no longer submitted (withdrawn meanwhile).
pub fn record_decision(
    conn: &mut DbConnection,
    id: &str,
    decision: &str,
    by: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        hub_applications::table
            .filter(hub_applications::id.eq(id))
            .filter(hub_applications::state.eq("submitted")),
    )
    .set((
        hub_applications::decision.eq(Some(decision)),
        hub_applications::decided_by.eq(Some(by)),
        hub_applications::decided_at.eq(Some(at)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn reviews_of(
    conn: &mut DbConnection,
    application_ids: &[String],
) -> QueryResult<Vec<HubReview>> {
    hub_reviews::table
        .filter(hub_reviews::application_id.eq_any(application_ids.to_vec()))
        .select(HubReview::as_select())
        .load(conn)
}

pub fn review(
    conn: &mut DbConnection,
    application_id: &str,
    reviewer_id: &str,
) -> QueryResult<Option<HubReview>> {
    hub_reviews::table
        .find((application_id, reviewer_id))
        .select(HubReview::as_select())
        .first(conn)
        .optional()
}

pub fn save_review(conn: &mut DbConnection, row: &HubReview) -> QueryResult<()> {
    let updated = diesel::update(hub_reviews::table.find((&row.application_id, &row.reviewer_id)))
        .set((
            hub_reviews::scores_json.eq(&row.scores_json),
            hub_reviews::comment.eq(&row.comment),
            hub_reviews::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(hub_reviews::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Programmes after `after_id` in id order (the search rebuild's scan).
pub fn programmes_after_id(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> QueryResult<Vec<HubProgramme>> {
    hub_programmes::table
        .filter(hub_programmes::id.gt(after_id))
        .order(hub_programmes::id.asc())
        .select(HubProgramme::as_select())
        .limit(limit)
        .load(conn)
}

pub fn count_programmes(conn: &mut DbConnection) -> QueryResult<i64> {
    hub_programmes::table.count().get_result(conn)
}

pub fn registration(
    conn: &mut DbConnection,
    programme_id: &str,
    user_id: &str,
) -> QueryResult<Option<HubRegistration>> {
    hub_registrations::table
        .find((programme_id, user_id))
        .select(HubRegistration::as_select())
        .first(conn)
        .optional()
}

/// A programme's registrations in `state`, first come first.
pub fn registrations(
    conn: &mut DbConnection,
    programme_id: &str,
    state: &str,
) -> QueryResult<Vec<HubRegistration>> {
    hub_registrations::table
        .filter(hub_registrations::programme_id.eq(programme_id))
        .filter(hub_registrations::state.eq(state))
        .order((
            hub_registrations::registered_at.asc(),
            hub_registrations::user_id.asc(),
        ))
        .select(HubRegistration::as_select())
        .load(conn)
}

pub fn save_registration(conn: &mut DbConnection, row: &HubRegistration) -> QueryResult<()> {
    let updated = diesel::update(hub_registrations::table.find((&row.programme_id, &row.user_id)))
        .set(row)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(hub_registrations::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

pub fn teams(conn: &mut DbConnection, programme_id: &str) -> QueryResult<Vec<HubTeam>> {
    hub_teams::table
        .filter(hub_teams::programme_id.eq(programme_id))
        .order(hub_teams::name.asc())
        .select(HubTeam::as_select())
        .load(conn)
}

pub fn insert_team(conn: &mut DbConnection, row: &HubTeam) -> QueryResult<()> {
    diesel::insert_into(hub_teams::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn team_size(conn: &mut DbConnection, team_id: &str) -> QueryResult<i64> {
    hub_registrations::table
        .filter(hub_registrations::team_id.eq(team_id))
        .filter(hub_registrations::state.ne("cancelled"))
        .count()
        .get_result(conn)
}

pub fn commitments(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Vec<HubCommitment>> {
    hub_commitments::table
        .filter(hub_commitments::application_id.eq(application_id))
        .order(hub_commitments::committed_at.asc())
        .select(HubCommitment::as_select())
        .load(conn)
}

/// What an investor committed across a programme's applications.
pub fn committed_by_investor(
    conn: &mut DbConnection,
    programme_id: &str,
    investor_id: &str,
) -> QueryResult<Vec<HubCommitment>> {
    hub_commitments::table
        .inner_join(
            hub_applications::table.on(hub_applications::id.eq(hub_commitments::application_id)),
        )
        .filter(hub_applications::programme_id.eq(programme_id))
        .filter(hub_commitments::investor_id.eq(investor_id))
        .select(HubCommitment::as_select())
        .load(conn)
}

pub fn insert_commitment(conn: &mut DbConnection, row: &HubCommitment) -> QueryResult<()> {
    diesel::insert_into(hub_commitments::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Published programmes whose event has not ended more than `since` ago (the calendar).
pub fn calendar(
    conn: &mut DbConnection,
    since: chrono::NaiveDateTime,
) -> QueryResult<Vec<HubProgramme>> {
    hub_programmes::table
        .filter(hub_programmes::state.eq("published"))
        .filter(hub_programmes::ends_at.ge(since))
        .order(hub_programmes::starts_at.asc())
        .limit(500)
        .select(HubProgramme::as_select())
        .load(conn)
}

/// The file answering `question` of an application.
pub fn application_file(
    conn: &mut DbConnection,
    application_id: &str,
    question: &str,
) -> QueryResult<Option<HubApplicationFile>> {
    hub_application_files::table
        .filter(hub_application_files::application_id.eq(application_id))
        .filter(hub_application_files::question_id.eq(question))
        .select(HubApplicationFile::as_select())
        .first(conn)
        .optional()
}

/// The files of these applications, by question.
pub fn application_files(
    conn: &mut DbConnection,
    application_ids: &[String],
) -> QueryResult<Vec<HubApplicationFile>> {
    hub_application_files::table
        .filter(hub_application_files::application_id.eq_any(application_ids.to_vec()))
        .select(HubApplicationFile::as_select())
        .order((
            hub_application_files::application_id.asc(),
            hub_application_files::question_id.asc(),
        ))
        .load(conn)
}

/// Inserts or replaces the file of its question.
pub fn save_application_file(conn: &mut DbConnection, row: &HubApplicationFile) -> QueryResult<()> {
    delete_application_file(conn, &row.application_id, &row.question_id)?;
    diesel::insert_into(hub_application_files::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn delete_application_file(
    conn: &mut DbConnection,
    application_id: &str,
    question: &str,
) -> QueryResult<usize> {
    diesel::delete(
        hub_application_files::table
            .filter(hub_application_files::application_id.eq(application_id))
            .filter(hub_application_files::question_id.eq(question)),
    )
    .execute(conn)
}

/// Which of `keys` an application file names.
pub fn known_file_keys(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<String>> {
    hub_application_files::table
        .filter(hub_application_files::object_key.eq_any(keys.to_vec()))
        .select(hub_application_files::object_key)
        .load(conn)
}
