//! One-time invitations: how someone who has never signed in gets a role. An organisation's
//! admin (or, for an organisation without one, a platform administrator inviting its first
//! admin; or the operator on the command line) creates a link; the person opens it, signs in
//! through their country's provider and accepts, which gives the signed-in person the role.
//! Only the SHA-256 of the link's token is stored; a link works once, until it expires or is
//! revoked; creating, accepting and revoking are audited.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use silkbridge_schema::models::Invitation;
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;

use super::caller::Caller;
use super::domain::Role;
use super::policy::{Action, authorize};
use super::rules;
use super::store;
use super::tokens::{hash_secret, random_token};
use crate::changes;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};

/// Longest an invitation may stay open.
pub const MAX_DAYS: u32 = 30;
/// How long an invitation stays open unless the inviter says otherwise.
pub const DEFAULT_DAYS: u32 = 7;

/// What an inviter asks for.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitationInput {
    /// The role in the organisation the invitation is for.
    pub role: Role,
    /// Days until the link stops working (1 to 30; default 7).
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Open,
    Accepted,
    Expired,
    Revoked,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Accepted => "accepted",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// An invitation as its inviter and its invitee see it (never its token).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: String,
    /// Slug and name of the organisation, for an organisation role.
    pub organisation_slug: Option<String>,
    pub organisation_name: Option<String>,
    pub role: Option<Role>,
    pub platform_admin: bool,
    pub status: InvitationStatus,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
}

/// A new invitation with its one-time token: shown once, to the inviter, never again.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedInvitation {
    pub invitation: InvitationView,
    /// The secret part of the link `/invite/{token}`.
    pub token: String,
}

fn status(row: &Invitation, now: NaiveDateTime) -> InvitationStatus {
    if row.accepted_at.is_some() {
        InvitationStatus::Accepted
    } else if row.revoked_at.is_some() {
        InvitationStatus::Revoked
    } else if row.expires_at <= now {
        InvitationStatus::Expired
    } else {
        InvitationStatus::Open
    }
}

fn view(conn: &mut DbConnection, row: Invitation) -> ApiResult<InvitationView> {
    let organisation = match &row.organisation_id {
        Some(id) => store::organisation_by_id(conn, id)?,
        None => None,
    };
    Ok(InvitationView {
        status: status(&row, ids::now()),
        organisation_slug: organisation.as_ref().map(|o| o.slug.clone()),
        organisation_name: organisation.map(|o| o.name),
        role: row.role.as_deref().and_then(|r| r.parse().ok()),
        id: row.id,
        platform_admin: row.platform_admin,
        created_at: row.created_at,
        expires_at: row.expires_at,
        accepted_at: row.accepted_at,
    })
}

fn days(requested: Option<u32>) -> ApiResult<i64> {
    match requested.unwrap_or(DEFAULT_DAYS) {
        days @ 1..=MAX_DAYS => Ok(i64::from(days)),
        _ => Err(ApiError::validation(vec![FieldError::new(
            "expires_in_days",
            "out_of_range",
            format!("between 1 and {MAX_DAYS}"),
        )])),
    }
}

/// Writes an invitation for `actor` without asking who they are: the operator's command line
/// and the checked operations below.
pub(crate) fn create_unchecked(
    conn: &mut DbConnection,
    actor: &str,
    organisation_id: Option<String>,
    role: Option<Role>,
    platform_admin: bool,
    expires_in_days: Option<u32>,
) -> ApiResult<CreatedInvitation> {
    let now = ids::now();
    let token = random_token()?;
    let row = Invitation {
        id: ids::new_id(),
        token_hash: hash_secret(&token),
        organisation_id,
        role: role.map(|r| r.as_str().to_owned()),
        platform_admin,
        created_by: actor.to_owned(),
        created_at: now,
        expires_at: now + chrono::Duration::days(days(expires_in_days)?),
        accepted_at: None,
        accepted_by: None,
        revoked_at: None,
    };
    store::insert_invitation(conn, &row)?;
    changes::audit(
        conn,
        actor,
        "invitation.create",
        &format!("invitation:{}", row.id),
        serde_json::json!({
            "organisation": row.organisation_id, "role": row.role,
            "platform_admin": platform_admin, "expires_at": row.expires_at,
        }),
    )?;
    Ok(CreatedInvitation {
        invitation: view(conn, row)?,
        token,
    })
}

/// Invites someone to a role in the organisation `slug`.
pub(crate) fn create_for_organisation(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    input: NewInvitationInput,
) -> ApiResult<CreatedInvitation> {
    let organisation = rules::organisation_row(conn, slug)?;
    rules::authorize_role_grant(conn, caller, &organisation.id, input.role)?;
    create_unchecked(
        conn,
        &caller.actor(),
        Some(organisation.id),
        Some(input.role),
        false,
        input.expires_in_days,
    )
}

/// An organisation's invitations, newest first (its admins).
pub(crate) fn list_for_organisation(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
) -> ApiResult<Vec<InvitationView>> {
    let organisation = rules::organisation_row(conn, slug)?;
    authorize(
        caller,
        Action::ManageMembers {
            organisation_id: &organisation.id,
        },
    )?;
    store::invitations_of(conn, Some(&organisation.id), 200)?
        .into_iter()
        .map(|row| view(conn, row))
        .collect()
}

/// Withdraws an open invitation (whoever could have created it).
pub(crate) fn revoke(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<()> {
    let not_found = || ApiError::not_found(format_args!("invitation `{id}`"));
    let row = store::invitation_by_id(conn, id)?.ok_or_else(not_found)?;
    let allowed = match (&row.organisation_id, row.role.as_deref()) {
        (Some(organisation_id), Some(role)) => {
            let role = role
                .parse()
                .map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))?;
            rules::authorize_role_grant(conn, caller, organisation_id, role).map(drop)
        }
        _ => authorize(caller, Action::ManageOrganisations),
    };
    // Someone who may not manage the invitation learns nothing about it.
    allowed.map_err(|_| not_found())?;
    if !store::revoke_invitation(conn, id, ids::now())? {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this invitation was already accepted or revoked",
        ));
    }
    changes::audit(
        conn,
        &caller.actor(),
        "invitation.revoke",
        &format!("invitation:{id}"),
        serde_json::json!({}),
    )
}

fn by_token(conn: &mut DbConnection, token: &str) -> ApiResult<Invitation> {
    store::invitation_by_token_hash(conn, &hash_secret(token))?
        .ok_or_else(|| ApiError::not_found("invitation"))
}

/// What a link invites to, for the page the invitee opens (anyone holding the link).
pub(crate) fn preview(conn: &mut DbConnection, token: &str) -> ApiResult<InvitationView> {
    let row = by_token(conn, token)?;
    view(conn, row)
}

/// Gives the signed-in caller the invited role, once.
pub(crate) fn accept(
    conn: &mut DbConnection,
    caller: &Caller,
    token: &str,
) -> ApiResult<InvitationView> {
    authorize(caller, Action::ActAsPerson)?;
    let Caller::User(user) = caller else {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "invitations are for people",
        ));
    };
    let row = by_token(conn, token)?;
    let now = ids::now();
    match status(&row, now) {
        InvitationStatus::Open => {}
        other => {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("this invitation is {}", other.as_str()),
            ));
        }
    }
    if !store::accept_invitation(conn, &row.id, &user.id, now)? {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "this invitation was just accepted or revoked",
        ));
    }
    if row.platform_admin {
        store::set_platform_admin(conn, &user.id, true)?;
    }
    if let (Some(organisation_id), Some(role)) = (&row.organisation_id, row.role.as_deref()) {
        let organisation = store::organisation_by_id(conn, organisation_id)?
            .ok_or_else(|| ApiError::not_found("organisation"))?;
        let role: Role = role
            .parse()
            .map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))?;
        store::delete_membership(conn, organisation_id, &user.id)?;
        rules::add_membership(conn, &organisation.slug, &user.id, role)?;
    }
    changes::audit(
        conn,
        &caller.actor(),
        "invitation.accept",
        &format!("invitation:{}", row.id),
        serde_json::json!({
            "organisation": row.organisation_id, "role": row.role,
            "platform_admin": row.platform_admin,
        }),
    )?;
    let accepted = store::invitation_by_id(conn, &row.id)?.unwrap_or(row);
    view(conn, accepted)
}
