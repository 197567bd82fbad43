//! Identity's queries. Only this module touches these tables.

use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{Invitation, Membership, Organisation, User};
use silkbridge_schema::tables::{invitations, memberships, organisations, users};

pub fn insert_organisation(conn: &mut DbConnection, row: &Organisation) -> QueryResult<()> {
    diesel::insert_into(organisations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn organisation_by_slug(
    conn: &mut DbConnection,
    slug: &str,
) -> QueryResult<Option<Organisation>> {
    organisations::table
        .filter(organisations::slug.eq(slug))
        .select(Organisation::as_select())
        .first(conn)
        .optional()
}

pub fn organisation_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Organisation>> {
    organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
        .optional()
}

/// Filters of the organisation list.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    pub country: Option<String>,
    pub kind: Option<String>,
}

/// Organisations ordered by slug, after `after_slug`.
pub fn list_organisations(
    conn: &mut DbConnection,
    filter: &OrganisationFilter,
    after_slug: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Organisation>> {
    let mut query = organisations::table
        .select(Organisation::as_select())
        .order(organisations::slug.asc())
        .limit(limit)
        .into_boxed();
    if let Some(country) = &filter.country {
        query = query.filter(organisations::country.eq(country.clone()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(organisations::kind.eq(kind.clone()));
    }
    if let Some(after) = after_slug {
        query = query.filter(organisations::slug.gt(after.to_owned()));
    }
    query.load(conn)
}

/// Organisations ordered by id after `after_id`: the rebuild scan.
pub fn organisations_after_id(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> QueryResult<Vec<Organisation>> {
    organisations::table
        .filter(organisations::id.gt(after_id))
        .order(organisations::id.asc())
        .limit(limit)
        .select(Organisation::as_select())
        .load(conn)
}

pub fn all_organisation_ids(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    organisations::table
        .select(organisations::id)
        .order(organisations::id.asc())
        .load(conn)
}

pub fn count_organisations(conn: &mut DbConnection) -> QueryResult<i64> {
    organisations::table.count().get_result(conn)
}

pub fn insert_user(conn: &mut DbConnection, row: &User) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn insert_membership(conn: &mut DbConnection, row: &Membership) -> QueryResult<()> {
    diesel::insert_into(memberships::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn memberships_of_user(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<Membership>> {
    memberships::table
        .filter(memberships::user_id.eq(user_id))
        .select(Membership::as_select())
        .load(conn)
}

use silkbridge_schema::models::{LoginAttempt, RefreshToken, Session, UserIdentity};
use silkbridge_schema::tables::{login_attempts, refresh_tokens, sessions, user_identities};

pub fn user_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn identity_by_subject(
    conn: &mut DbConnection,
    issuer: &str,
    subject: &str,
) -> QueryResult<Option<UserIdentity>> {
    user_identities::table
        .find((issuer, subject))
        .select(UserIdentity::as_select())
        .first(conn)
        .optional()
}

pub fn insert_identity(conn: &mut DbConnection, row: &UserIdentity) -> QueryResult<()> {
    diesel::insert_into(user_identities::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn touch_identity(
    conn: &mut DbConnection,
    issuer: &str,
    subject: &str,
    person_id: Option<&str>,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(user_identities::table.find((issuer, subject)))
        .set((
            user_identities::last_login_at.eq(at),
            user_identities::person_id.eq(person_id),
        ))
        .execute(conn)
        .map(drop)
}

pub fn identities_of_user(
    conn: &mut DbConnection,
    user_id: &str,
) -> QueryResult<Vec<UserIdentity>> {
    user_identities::table
        .filter(user_identities::user_id.eq(user_id))
        .select(UserIdentity::as_select())
        .load(conn)
}

pub fn insert_login_attempt(conn: &mut DbConnection, row: &LoginAttempt) -> QueryResult<()> {
    diesel::insert_into(login_attempts::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// Reads and deletes a login attempt: a state is good for one callback only.
pub fn take_login_attempt(
    conn: &mut DbConnection,
    state: &str,
) -> QueryResult<Option<LoginAttempt>> {
    let attempt = login_attempts::table
        .find(state)
        .select(LoginAttempt::as_select())
        .first(conn)
        .optional()?;
    if attempt.is_some() {
        let deleted = diesel::delete(login_attempts::table.find(state)).execute(conn)?;
        if deleted == 0 {
            // A concurrent callback took it first.
            return Ok(None);
        }
    }
    Ok(attempt)
}

pub fn delete_login_attempts_before(
    conn: &mut DbConnection,
    before: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(login_attempts::table.filter(login_attempts::created_at.lt(before)))
        .execute(conn)
}

pub fn insert_session(conn: &mut DbConnection, row: &Session) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn session_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Session>> {
    sessions::table
        .find(id)
        .select(Session::as_select())
        .first(conn)
        .optional()
}

pub fn revoke_session(
    conn: &mut DbConnection,
    id: &str,
    reason: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .find(id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(at),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
}

pub fn touch_session(
    conn: &mut DbConnection,
    id: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_refreshed_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn insert_refresh_token(conn: &mut DbConnection, row: &RefreshToken) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn refresh_token_by_hash(
    conn: &mut DbConnection,
    hash: &str,
) -> QueryResult<Option<RefreshToken>> {
    refresh_tokens::table
        .find(hash)
        .select(RefreshToken::as_select())
        .first(conn)
        .optional()
}

/// Marks a refresh token used, keeping its sealed successor; false if it already was (a
/// concurrent or replayed use).
pub fn mark_refresh_token_used(
    conn: &mut DbConnection,
    hash: &str,
    at: chrono::NaiveDateTime,
    successor_sealed: &str,
) -> QueryResult<bool> {
    let updated = diesel::update(
        refresh_tokens::table
            .find(hash)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set((
        refresh_tokens::used_at.eq(at),
        refresh_tokens::successor_sealed.eq(successor_sealed),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn delete_membership(
    conn: &mut DbConnection,
    organisation_id: &str,
    user_id: &str,
) -> QueryResult<usize> {
    diesel::delete(memberships::table.find((organisation_id, user_id))).execute(conn)
}

/// Members of an organisation with their user rows, ordered by name.
pub fn members_of(
    conn: &mut DbConnection,
    organisation_id: &str,
) -> QueryResult<Vec<(Membership, User)>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::organisation_id.eq(organisation_id))
        .order(users::display_name.asc())
        .select((Membership::as_select(), User::as_select()))
        .load(conn)
}

pub fn update_organisation_profile(
    conn: &mut DbConnection,
    id: &str,
    name: &str,
    names_json: &str,
    website: Option<&str>,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(organisations::table.find(id))
        .set((
            organisations::name.eq(name),
            organisations::names_json.eq(names_json),
            organisations::website.eq(website),
            organisations::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn set_moderator(
    conn: &mut DbConnection,
    user_id: &str,
    moderator: bool,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::is_moderator.eq(moderator))
        .execute(conn)
}

pub fn organisations_by_ids(
    conn: &mut DbConnection,
    ids: &[String],
) -> QueryResult<Vec<Organisation>> {
    organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(Organisation::as_select())
        .load(conn)
}

pub fn set_platform_admin(
    conn: &mut DbConnection,
    user_id: &str,
    admin: bool,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::is_platform_admin.eq(admin))
        .execute(conn)
}

/// Keeps a person's name and e-mail as their provider last said (the provider is the
/// authority on both).
pub fn update_user_profile(
    conn: &mut DbConnection,
    user_id: &str,
    display_name: Option<&str>,
    email: Option<&str>,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    /// Absent fields are left as they are (diesel skips `None` in a changeset).
    #[derive(AsChangeset)]
    #[diesel(table_name = users)]
    struct Profile<'a> {
        display_name: Option<&'a str>,
        email: Option<&'a str>,
        updated_at: chrono::NaiveDateTime,
    }
    if display_name.is_none() && email.is_none() {
        return Ok(());
    }
    diesel::update(users::table.find(user_id))
        .set(Profile {
            display_name,
            email,
            updated_at: at,
        })
        .execute(conn)
        .map(drop)
}

/// The most recent sign-ins, newest first, with the person they belong to.
pub fn recent_sign_ins(
    conn: &mut DbConnection,
    limit: i64,
) -> QueryResult<Vec<(UserIdentity, User)>> {
    user_identities::table
        .inner_join(users::table)
        .order((
            user_identities::last_login_at.desc(),
            user_identities::user_id,
        ))
        .limit(limit)
        .select((UserIdentity::as_select(), User::as_select()))
        .load(conn)
}

pub fn insert_invitation(conn: &mut DbConnection, row: &Invitation) -> QueryResult<()> {
    diesel::insert_into(invitations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn invitation_by_token_hash(
    conn: &mut DbConnection,
    token_hash: &str,
) -> QueryResult<Option<Invitation>> {
    invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .select(Invitation::as_select())
        .first(conn)
        .optional()
}

pub fn invitation_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Invitation>> {
    invitations::table
        .find(id)
        .select(Invitation::as_select())
        .first(conn)
        .optional()
}

/// Marks an open invitation accepted; `false` when someone else took it first (the update
/// is conditional, so two people racing for one link cannot both get the role).
pub fn accept_invitation(
    conn: &mut DbConnection,
    id: &str,
    user_id: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null()),
    )
    .set((
        invitations::accepted_at.eq(at),
        invitations::accepted_by.eq(user_id),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

pub fn revoke_invitation(
    conn: &mut DbConnection,
    id: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        invitations::table
            .find(id)
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null()),
    )
    .set(invitations::revoked_at.eq(at))
    .execute(conn)
    .map(|n| n == 1)
}

/// An organisation's invitations (or, with `None`, the platform-wide ones), newest first.
pub fn invitations_of(
    conn: &mut DbConnection,
    organisation_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Invitation>> {
    let mut query = invitations::table
        .select(Invitation::as_select())
        .order(invitations::created_at.desc())
        .limit(limit)
        .into_boxed();
    query = match organisation_id {
        Some(id) => query.filter(invitations::organisation_id.eq(id.to_owned())),
        None => query.filter(invitations::organisation_id.is_null()),
    };
    query.load(conn)
}

pub fn users_by_emails(conn: &mut DbConnection, emails: &[&str]) -> QueryResult<Vec<User>> {
    users::table
        .filter(users::email.eq_any(emails))
        .select(User::as_select())
        .load(conn)
}
