//! Identity's operations. Each is one call that every adapter (REST, GraphQL, CKAN, the
//! portal) makes the same way; it picks a read or a write transaction itself and runs the
//! rules of `rules.rs` and `partners.rs`, which decide who may manage what. Logins and tokens
//! are `auth.rs`'s (they speak OpenID Connect and OAuth2, not operations on data).

use super::caller::Caller;
use super::domain::Role;
use super::input::{NewOrganisationInput, OrganisationPatch, OrganisationQuery};
use super::invitations::{self, CreatedInvitation, InvitationView, NewInvitationInput};
use super::partners::{self, NewPartnerInput, PartnerCredentials, PartnerView};
use super::rules;
use super::views::{MeView, MemberView, OrganisationView};
use crate::error::{ApiError, ApiResult};
use crate::http::pagination::{MAX_PAGE_SIZE, Page, PageParams};
use crate::state::AppState;

pub use super::partners::{revoke_now as revoke_partner, rotate_now as rotate_partner_secret};

/// Organisations, filtered, by slug (anyone).
pub async fn list_organisations(
    state: &AppState,
    query: OrganisationQuery,
    page: PageParams,
) -> ApiResult<Page<OrganisationView>> {
    state
        .read(move |conn| {
            rules::list_organisations(conn, query, page.limit, page.cursor.as_deref())
        })
        .await
}

/// Every organisation, by slug (CKAN's `organization_list`; a few hundred at most).
pub async fn all_organisations(state: &AppState) -> ApiResult<Vec<OrganisationView>> {
    state
        .read(|conn| {
            let mut all = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let page = rules::list_organisations(
                    conn,
                    OrganisationQuery::default(),
                    Some(MAX_PAGE_SIZE),
                    cursor.as_deref(),
                )?;
                all.extend(page.items);
                match page.next_cursor {
                    Some(next) => cursor = Some(next),
                    None => return Ok::<_, ApiError>(all),
                }
            }
        })
        .await
}

/// One organisation by its slug (anyone).
pub async fn organisation(state: &AppState, slug: &str) -> ApiResult<OrganisationView> {
    let slug = slug.to_owned();
    state
        .read(move |conn| rules::organisation_by_slug(conn, &slug))
        .await
}

/// One organisation by its slug or id (pages reached from search results, which carry ids).
pub async fn organisation_by_key(state: &AppState, key: &str) -> ApiResult<OrganisationView> {
    let key = key.to_owned();
    state
        .read(move |conn| rules::organisation_by_key(conn, &key))
        .await
}

/// Who the caller is.
pub async fn me(state: &AppState, caller: &Caller) -> ApiResult<MeView> {
    let caller = caller.clone();
    state.read(move |conn| rules::me(conn, &caller)).await
}

/// Registers an organisation (platform administrators).
pub async fn create_organisation(
    state: &AppState,
    caller: &Caller,
    input: NewOrganisationInput,
) -> ApiResult<OrganisationView> {
    let caller = caller.clone();
    state
        .write(move |conn| rules::create_organisation_as(conn, &caller, input))
        .await
}

/// Changes an organisation's profile (its admins and platform administrators).
pub async fn update_organisation(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    patch: OrganisationPatch,
) -> ApiResult<OrganisationView> {
    let (caller, slug) = (caller.clone(), slug.to_owned());
    state
        .write(move |conn| rules::update_organisation(conn, &caller, &slug, patch))
        .await
}

/// An organisation's members (its members).
pub async fn members(state: &AppState, caller: &Caller, slug: &str) -> ApiResult<Vec<MemberView>> {
    let (caller, slug) = (caller.clone(), slug.to_owned());
    state
        .read(move |conn| rules::members(conn, &caller, &slug))
        .await
}

/// Gives a user a role in an organisation, or changes it.
pub async fn set_membership(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    user_id: &str,
    role: Role,
) -> ApiResult<()> {
    let (caller, slug, user_id) = (caller.clone(), slug.to_owned(), user_id.to_owned());
    state
        .write(move |conn| rules::set_membership(conn, &caller, &slug, &user_id, role))
        .await
}

/// Removes a user from an organisation.
pub async fn remove_membership(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    user_id: &str,
) -> ApiResult<()> {
    let (caller, slug, user_id) = (caller.clone(), slug.to_owned(), user_id.to_owned());
    state
        .write(move |conn| rules::remove_membership(conn, &caller, &slug, &user_id))
        .await
}

/// Makes a user a marketplace moderator, or stops them being one (platform administrators).
pub async fn set_moderator(
    state: &AppState,
    caller: &Caller,
    user_id: &str,
    moderator: bool,
) -> ApiResult<()> {
    let (caller, user_id) = (caller.clone(), user_id.to_owned());
    state
        .write(move |conn| rules::set_moderator(conn, &caller, &user_id, moderator))
        .await
}

/// The registered partner systems (platform administrators).
pub async fn partners(state: &AppState, caller: &Caller) -> ApiResult<Vec<PartnerView>> {
    let caller = caller.clone();
    state.read(move |conn| partners::list(conn, &caller)).await
}

/// Registers a partner system; the answer carries its secret once.
pub async fn create_partner(
    state: &AppState,
    caller: &Caller,
    input: NewPartnerInput,
) -> ApiResult<PartnerCredentials> {
    let caller = caller.clone();
    state
        .write(move |conn| partners::create(conn, &caller, input))
        .await
}

/// Invites someone to a role in an organisation (its admins; a platform administrator for an
/// organisation's first admin). The answer carries the link's token, shown this once.
pub async fn invite(
    state: &AppState,
    caller: &Caller,
    slug: &str,
    input: NewInvitationInput,
) -> ApiResult<CreatedInvitation> {
    let (caller, slug) = (caller.clone(), slug.to_owned());
    state
        .write(move |conn| invitations::create_for_organisation(conn, &caller, &slug, input))
        .await
}

/// An organisation's invitations, newest first (its admins).
pub async fn invitations(
    state: &AppState,
    caller: &Caller,
    slug: &str,
) -> ApiResult<Vec<InvitationView>> {
    let (caller, slug) = (caller.clone(), slug.to_owned());
    state
        .read(move |conn| invitations::list_for_organisation(conn, &caller, &slug))
        .await
}

/// Withdraws an open invitation.
pub async fn revoke_invitation(state: &AppState, caller: &Caller, id: &str) -> ApiResult<()> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .write(move |conn| invitations::revoke(conn, &caller, &id))
        .await
}

/// What an invitation link offers (whoever holds the link).
pub async fn invitation(state: &AppState, token: &str) -> ApiResult<InvitationView> {
    let token = token.to_owned();
    state
        .read(move |conn| invitations::preview(conn, &token))
        .await
}

/// Accepts an invitation as the signed-in caller.
pub async fn accept_invitation(
    state: &AppState,
    caller: &Caller,
    token: &str,
) -> ApiResult<InvitationView> {
    let (caller, token) = (caller.clone(), token.to_owned());
    state
        .write(move |conn| invitations::accept(conn, &caller, &token))
        .await
}
