//! Identity's rules on a connection: organisations, users, memberships, sessions and who may
//! manage them, with the change-log (and, for management, audit) entries. The operations in
//! `service.rs` run them in one transaction each; other modules, the seed and the CLI compose
//! them inside theirs.

use std::collections::BTreeMap;

use silkbridge_schema::models::{Membership, Organisation, User};
use silkbridge_schema::{DbConnection, ids};

use super::caller::{Caller, UserCaller};
use super::domain::{Country, LANGUAGE_TAGS, OrganisationKind, Role};
use super::index::ORGANISATION_KIND;
use super::input::{NewOrganisationInput, NewUserInput, OrganisationPatch, OrganisationQuery};
use super::policy::{Action, authorize};
use super::store::{self, OrganisationFilter};
use super::views::{IdentityView, MeView, MemberView, MembershipView, OrganisationView, view};
use crate::changes::{self, Change};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::http::pagination::{Page, PageRequest};
use crate::validate::Validator;

pub(super) const ORGANISATION_CURSOR_SCOPE: &str = "organisations";

/// Creates an organisation. Call inside a transaction: the row and its change-log entry
/// are written together.
pub fn create_organisation(
    conn: &mut DbConnection,
    input: NewOrganisationInput,
) -> ApiResult<OrganisationView> {
    let mut check = Validator::default();
    check.slug("slug", &input.slug);
    check.text("name", &input.name, 300);
    for (lang, text) in &input.names {
        if !LANGUAGE_TAGS.contains(&lang.as_str()) {
            check.fail(
                format!("names.{lang}"),
                "unknown_value",
                format!("language must be one of {}", LANGUAGE_TAGS.join(", ")),
            );
        }
        check.text(&format!("names.{lang}"), text, 300);
    }
    let kind = check.parse::<OrganisationKind>("kind", &input.kind);
    let country = check.parse::<Country>("country", &input.country);
    if let Some(website) = &input.website {
        check.http_url("website", website);
    }
    check.finish()?;
    let (Some(kind), Some(country)) = (kind, country) else {
        return Err(ApiError::internal(anyhow::anyhow!(
            "validator passed unparsed values"
        )));
    };
    if store::organisation_by_slug(conn, &input.slug)?.is_some() {
        return Err(ApiError::validation(vec![FieldError {
            field: "slug".into(),
            code: "taken".into(),
            message: format!("an organisation with slug `{}` already exists", input.slug),
        }])
        .with_code(ErrorCode::Conflict));
    }
    let now = ids::now();
    let row = Organisation {
        id: ids::new_id(),
        slug: input.slug,
        name: input.name.trim().to_owned(),
        names_json: serde_json::to_string(&input.names).map_err(ApiError::internal)?,
        kind: kind.as_str().to_owned(),
        country: country.as_str().to_owned(),
        website: input.website,
        created_at: now,
        updated_at: now,
    };
    store::insert_organisation(conn, &row)?;
    Change::upsert(ORGANISATION_KIND, &row.id).record(conn)?;
    view(row)
}

/// The stored organisation with this slug, or a 404 naming it.
pub(super) fn organisation_row(conn: &mut DbConnection, slug: &str) -> ApiResult<Organisation> {
    store::organisation_by_slug(conn, slug)?
        .ok_or_else(|| ApiError::not_found(format_args!("organisation `{slug}`")))
}

pub fn organisation_by_slug(conn: &mut DbConnection, slug: &str) -> ApiResult<OrganisationView> {
    view(organisation_row(conn, slug)?)
}

/// One page of organisations, ordered by slug.
pub(crate) fn list_organisations(
    conn: &mut DbConnection,
    query: OrganisationQuery,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<OrganisationView>> {
    let page = PageRequest::parse(limit, cursor, ORGANISATION_CURSOR_SCOPE)?;
    let mut filter = OrganisationFilter::default();
    if let Some(country) = query.country.filter(|c| !c.is_empty()) {
        let country: Country = country.parse().map_err(ApiError::invalid_parameter)?;
        filter.country = Some(country.as_str().to_owned());
    }
    if let Some(kind) = query.kind.filter(|k| !k.is_empty()) {
        let kind: OrganisationKind = kind.parse().map_err(ApiError::invalid_parameter)?;
        filter.kind = Some(kind.as_str().to_owned());
    }
    let rows = store::list_organisations(conn, &filter, page.after.as_deref(), page.fetch_limit())?;
    let (rows, next_cursor) = page.split(rows, ORGANISATION_CURSOR_SCOPE, |row| row.slug.clone());
    Ok(Page {
        items: rows.into_iter().map(view).collect::<ApiResult<_>>()?,
        next_cursor,
    })
}

/// The organisations of one kind in one country, oldest first (the IMEI cases find the
/// embassy that serves a country this way).
pub(crate) fn organisations_of_kind(
    conn: &mut DbConnection,
    country: Country,
    kind: OrganisationKind,
) -> ApiResult<Vec<OrganisationView>> {
    let filter = OrganisationFilter {
        country: Some(country.as_str().to_owned()),
        kind: Some(kind.as_str().to_owned()),
    };
    let mut found: Vec<OrganisationView> = store::list_organisations(conn, &filter, None, 100)?
        .into_iter()
        .map(view)
        .collect::<ApiResult<_>>()?;
    found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    Ok(found)
}

/// Every organisation's id, for seeding demo content as their editors.
pub(crate) fn organisation_ids(conn: &mut DbConnection) -> ApiResult<Vec<String>> {
    Ok(store::all_organisation_ids(conn)?)
}

pub fn count_organisations(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count_organisations(conn)?)
}

pub fn create_user(conn: &mut DbConnection, input: NewUserInput) -> ApiResult<User> {
    let mut check = Validator::default();
    check.text("display_name", &input.display_name, 200);
    if let Some(email) = &input.email {
        check.email("email", email);
    }
    check.finish()?;
    let now = ids::now();
    let user = User {
        id: ids::new_id(),
        display_name: input.display_name.trim().to_owned(),
        email: input.email,
        country: input.country.map(|c| c.as_str().to_owned()),
        is_platform_admin: input.is_platform_admin,
        created_at: now,
        updated_at: now,
        is_moderator: false,
    };
    store::insert_user(conn, &user)?;
    Ok(user)
}

/// Gives `user_id` a role in the organisation named by `slug`.
pub fn add_membership(
    conn: &mut DbConnection,
    slug: &str,
    user_id: &str,
    role: Role,
) -> ApiResult<()> {
    let organisation = organisation_row(conn, slug)?;
    store::insert_membership(
        conn,
        &Membership {
            organisation_id: organisation.id,
            user_id: user_id.to_owned(),
            role: role.as_str().to_owned(),
            created_at: ids::now(),
        },
    )?;
    Ok(())
}

/// The organisations a user belongs to, with the role in each.
pub(crate) fn memberships_of(
    conn: &mut DbConnection,
    user_id: &str,
) -> ApiResult<Vec<(String, Role)>> {
    store::memberships_of_user(conn, user_id)?
        .into_iter()
        .map(|m| {
            let role = m
                .role
                .parse()
                .map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))?;
            Ok((m.organisation_id, role))
        })
        .collect()
}

/// The user behind a live session; a revoked session or a token for another user is refused.
pub(crate) fn session_user(
    conn: &mut DbConnection,
    session_id: &str,
    user_id: &str,
    opened_after: chrono::NaiveDateTime,
) -> ApiResult<UserCaller> {
    let refused = |why: &str| {
        ApiError::new(
            ErrorCode::Unauthenticated,
            format!("session {why}; sign in again"),
        )
    };
    let session = store::session_by_id(conn, session_id)?.ok_or_else(|| refused("unknown"))?;
    if session.revoked_at.is_some() {
        return Err(refused("ended"));
    }
    // The absolute timeout holds for every request, not only at the next refresh.
    if session.created_at < opened_after {
        return Err(refused("reached its time limit"));
    }
    if session.user_id != user_id {
        return Err(refused("belongs to someone else"));
    }
    let user = store::user_by_id(conn, user_id)?.ok_or_else(|| refused("has no user"))?;
    Ok(UserCaller {
        memberships: memberships_of(conn, &user.id)?,
        id: user.id,
        session_id: session.id,
        platform_admin: user.is_platform_admin,
        moderator: user.is_moderator,
    })
}

pub(crate) fn me(conn: &mut DbConnection, caller: &Caller) -> ApiResult<MeView> {
    authorize(caller, Action::ReadSelf)?;
    match caller {
        Caller::User(user) => {
            let row =
                store::user_by_id(conn, &user.id)?.ok_or_else(|| ApiError::not_found("user"))?;
            let mut memberships = Vec::new();
            for (organisation_id, role) in &user.memberships {
                if let Some(org) = store::organisation_by_id(conn, organisation_id)? {
                    memberships.push(MembershipView {
                        organisation: view(org)?,
                        role: *role,
                    });
                }
            }
            let identities = store::identities_of_user(conn, &user.id)?
                .into_iter()
                .map(|i| IdentityView {
                    issuer: i.issuer,
                    country: i.country,
                    has_person_id: i.person_id.is_some(),
                })
                .collect();
            Ok(MeView {
                kind: "user".into(),
                id: row.id,
                display_name: row.display_name,
                platform_admin: row.is_platform_admin,
                memberships,
                identities,
                scopes: Vec::new(),
            })
        }
        Caller::Partner(partner) => Ok(MeView {
            kind: "partner".into(),
            id: partner.id.clone(),
            display_name: partner.client_id.clone(),
            platform_admin: false,
            memberships: Vec::new(),
            identities: Vec::new(),
            scopes: partner.scopes.iter().cloned().collect(),
        }),
        Caller::Anonymous => Err(ApiError::new(ErrorCode::Unauthenticated, "sign in first")),
    }
}

/// Creates an organisation for a platform administrator.
pub(crate) fn create_organisation_as(
    conn: &mut DbConnection,
    caller: &Caller,
    input: NewOrganisationInput,
) -> ApiResult<OrganisationView> {
    authorize(caller, Action::ManageOrganisations)?;
    let created = create_organisation(conn, input)?;
    changes::audit(
        conn,
        &caller.actor(),
        "organisation.create",
        &format!("organisation:{}", created.id),
        serde_json::json!({"slug": created.slug}),
    )?;
    Ok(created)
}

pub(crate) fn members(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
) -> ApiResult<Vec<MemberView>> {
    let organisation = organisation_row(conn, slug)?;
    authorize(
        caller,
        Action::ReadMembers {
            organisation_id: &organisation.id,
        },
    )?;
    store::members_of(conn, &organisation.id)?
        .into_iter()
        .map(|(membership, user)| {
            Ok(MemberView {
                role: membership
                    .role
                    .parse()
                    .map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))?,
                user_id: user.id,
                display_name: user.display_name,
                since: membership.created_at,
            })
        })
        .collect()
}

/// Whether `caller` may give `role` in the organisation: its admins any role; a platform
/// administrator only the first admin of an organisation that has none (separation of
/// duties). The answer names the audited action. Granting directly and inviting both ask here.
pub(crate) fn authorize_role_grant(
    conn: &mut DbConnection,
    caller: &Caller,
    organisation_id: &str,
    role: Role,
) -> ApiResult<&'static str> {
    let refusal = match authorize(caller, Action::ManageMembers { organisation_id }) {
        Ok(()) => return Ok("membership.set"),
        Err(refusal) => refusal,
    };
    let organisation_has_admin = store::members_of(conn, organisation_id)?
        .iter()
        .any(|(membership, _)| membership.role == Role::Admin.as_str());
    if authorize(
        caller,
        Action::AppointFirstAdmin {
            organisation_has_admin,
        },
    )
    .is_err()
    {
        return Err(refusal);
    }
    if role != Role::Admin {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "a platform administrator appoints an organisation's first admin only",
        ));
    }
    Ok("membership.appoint_first_admin")
}

/// Gives a user a role in an organisation (replacing any role they had there): its admins'
/// decision, except that a platform administrator may appoint the first admin of an
/// organisation that has none (and nothing else: separation of duties).
pub(crate) fn set_membership(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    user_id: &str,
    role: Role,
) -> ApiResult<()> {
    let organisation = organisation_row(conn, slug)?;
    let audit_action = authorize_role_grant(conn, caller, &organisation.id, role)?;
    if store::user_by_id(conn, user_id)?.is_none() {
        return Err(ApiError::not_found(format_args!("user `{user_id}`")));
    }
    store::delete_membership(conn, &organisation.id, user_id)?;
    add_membership(conn, slug, user_id, role)?;
    changes::audit(
        conn,
        &caller.actor(),
        audit_action,
        &format!("organisation:{}", organisation.id),
        serde_json::json!({"user": user_id, "role": role.as_str()}),
    )?;
    Ok(())
}

pub(crate) fn remove_membership(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    user_id: &str,
) -> ApiResult<()> {
    let organisation = organisation_row(conn, slug)?;
    authorize(
        caller,
        Action::ManageMembers {
            organisation_id: &organisation.id,
        },
    )?;
    if store::delete_membership(conn, &organisation.id, user_id)? == 0 {
        return Err(ApiError::not_found(format_args!(
            "membership of `{user_id}`"
        )));
    }
    changes::audit(
        conn,
        &caller.actor(),
        "membership.remove",
        &format!("organisation:{}", organisation.id),
        serde_json::json!({"user": user_id}),
    )?;
    Ok(())
}

/// Changes an organisation's profile (its admins and platform administrators).
pub(crate) fn update_organisation(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    patch: OrganisationPatch,
) -> ApiResult<OrganisationView> {
    let current = organisation_row(conn, slug)?;
    authorize(
        caller,
        Action::EditOrganisation {
            organisation_id: &current.id,
        },
    )?;
    let mut check = Validator::default();
    if let Some(name) = &patch.name {
        check.text("name", name, 300);
    }
    for (lang, text) in patch.names.iter().flatten() {
        if !LANGUAGE_TAGS.contains(&lang.as_str()) {
            check.fail(
                format!("names.{lang}"),
                "unknown_value",
                format!("language must be one of {}", LANGUAGE_TAGS.join(", ")),
            );
        }
        check.text(&format!("names.{lang}"), text, 300);
    }
    if let Some(website) = patch.website.as_deref().filter(|w| !w.is_empty()) {
        check.http_url("website", website);
    }
    check.finish()?;
    let name = patch
        .name
        .map(|n| n.trim().to_owned())
        .unwrap_or(current.name);
    let names_json = match &patch.names {
        Some(names) => serde_json::to_string(names).map_err(ApiError::internal)?,
        None => current.names_json,
    };
    let website = match patch.website {
        Some(w) if w.is_empty() => None,
        Some(w) => Some(w),
        None => current.website,
    };
    store::update_organisation_profile(
        conn,
        &current.id,
        &name,
        &names_json,
        website.as_deref(),
        ids::now(),
    )?;
    Change::upsert(ORGANISATION_KIND, &current.id).record(conn)?;
    changes::audit(
        conn,
        &caller.actor(),
        "organisation.update",
        &format!("organisation:{}", current.id),
        serde_json::json!({"name": name}),
    )?;
    organisation_by_slug(conn, slug)
}

/// Makes a user a marketplace moderator, or not (platform administrators).
pub(crate) fn set_moderator(
    conn: &mut DbConnection,
    caller: &Caller,
    user_id: &str,
    moderator: bool,
) -> ApiResult<()> {
    authorize(caller, Action::ManageOrganisations)?;
    set_moderator_unchecked(conn, user_id, moderator)?;
    changes::audit(
        conn,
        &caller.actor(),
        "user.set_moderator",
        &format!("user:{user_id}"),
        serde_json::json!({"moderator": moderator}),
    )?;
    Ok(())
}

/// The same without a caller, for the operator's CLI.
pub(crate) fn set_moderator_unchecked(
    conn: &mut DbConnection,
    user_id: &str,
    moderator: bool,
) -> ApiResult<()> {
    if store::set_moderator(conn, user_id, moderator)? == 0 {
        return Err(ApiError::not_found(format_args!("user `{user_id}`")));
    }
    Ok(())
}

/// An organisation by id, for other modules.
/// An organisation by slug or, failing that, by id (CKAN names organisations either way).
pub(crate) fn organisation_by_key(
    conn: &mut DbConnection,
    key: &str,
) -> ApiResult<OrganisationView> {
    organisation_by_slug(conn, key).or_else(|_| organisation_by_id(conn, key))
}

pub(crate) fn organisation_by_id(conn: &mut DbConnection, id: &str) -> ApiResult<OrganisationView> {
    match store::organisation_by_id(conn, id)? {
        Some(row) => view(row),
        None => Err(ApiError::not_found(format_args!("organisation `{id}`"))),
    }
}

/// Organisations by id, for other modules that show many items at once: one query however
/// many items share an organisation, keyed by id for lookup.
pub(crate) fn organisations_by_ids<'a>(
    conn: &mut DbConnection,
    ids: impl IntoIterator<Item = &'a str>,
) -> ApiResult<BTreeMap<String, OrganisationView>> {
    let unique: Vec<String> = ids
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(str::to_owned)
        .collect();
    store::organisations_by_ids(conn, &unique)?
        .into_iter()
        .map(|row| view(row).map(|o| (o.id.clone(), o)))
        .collect()
}

/// A user's display name, for other modules (never their e-mail or national id).
pub(crate) fn display_name(conn: &mut DbConnection, user_id: &str) -> ApiResult<String> {
    Ok(store::user_by_id(conn, user_id)?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "(deleted user)".to_owned()))
}

/// A user's display name, `None` when there is no such user (for other modules naming people
/// by id, e.g. the hub appointing reviewers).
pub(crate) fn find_display_name(
    conn: &mut DbConnection,
    user_id: &str,
) -> ApiResult<Option<String>> {
    Ok(store::user_by_id(conn, user_id)?.map(|u| u.display_name))
}

/// The most recent sign-ins with the people they belong to (the operator's `admin sign-ins`).
pub(crate) fn recent_sign_ins(
    conn: &mut DbConnection,
    limit: i64,
) -> ApiResult<Vec<(silkbridge_schema::models::UserIdentity, User)>> {
    Ok(store::recent_sign_ins(conn, limit.clamp(1, 1000))?)
}

/// Makes someone a platform administrator on the operator's word (`admin grant-admin`). Only
/// someone who has signed in: an account nobody can sign in to must not hold the platform.
pub(crate) fn grant_platform_admin_unchecked(
    conn: &mut DbConnection,
    user_id: &str,
) -> ApiResult<User> {
    let user = store::user_by_id(conn, user_id)?
        .ok_or_else(|| ApiError::not_found(format_args!("user `{user_id}`")))?;
    if store::identities_of_user(conn, user_id)?.is_empty() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "user `{user_id}` has never signed in; send them an invitation (`admin invite --platform-admin`) instead"
            ),
        ));
    }
    store::set_platform_admin(conn, user_id, true)?;
    Ok(user)
}
