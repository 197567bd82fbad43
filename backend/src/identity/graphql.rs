//! Identity's GraphQL fields.

use async_graphql::{Context, Object, Result};

use super::domain::Role;
use super::domain::{Country, OrganisationKind};
use super::partners::{self, NewPartnerInput, PartnerCredentials, PartnerView};
use super::service::{self, OrganisationQuery, OrganisationView};
use super::service::{MeView, MemberView, NewOrganisationInput};
use crate::db;
use crate::error::ErrorCode;
use crate::graphql::caller_of;
use crate::graphql::state_of;
use crate::http::pagination::Page;

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// Organisations of both countries, ordered by slug.
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        country: Option<Country>,
        kind: Option<OrganisationKind>,
        #[graphql(desc = "Items per page, 1 to 100 (default 20).")] first: Option<u32>,
        #[graphql(desc = "The `nextCursor` of the previous page.")] after: Option<String>,
    ) -> Result<Page<OrganisationView>> {
        let state = state_of(ctx)?;
        let query = OrganisationQuery {
            country: country.map(|c| c.as_str().to_owned()),
            kind: kind.map(|k| k.as_str().to_owned()),
        };
        db::run(&state.db, move |conn| {
            service::list_organisations(conn, query, first, after.as_deref())
        })
        .await
        .map_err(|e| e.into_graphql())
    }

    /// One organisation by its slug; null if there is none.
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        slug: String,
    ) -> Result<Option<OrganisationView>> {
        let state = state_of(ctx)?;
        match db::run(&state.db, move |conn| {
            service::organisation_by_slug(conn, &slug)
        })
        .await
        {
            Ok(found) => Ok(Some(found)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into_graphql()),
        }
    }
}

#[async_graphql::Object]
impl IdentityQuery2 {
    /// Who the caller is.
    async fn me(&self, ctx: &Context<'_>) -> Result<MeView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| service::me(conn, &caller))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Members of an organisation (its members and platform administrators).
    async fn members(&self, ctx: &Context<'_>, slug: String) -> Result<Vec<MemberView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| {
            service::members(conn, &caller, &slug)
        })
        .await
        .map_err(|e| e.into_graphql())
    }

    /// Partner clients (platform administrators).
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<PartnerView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| partners::list(conn, &caller))
            .await
            .map_err(|e| e.into_graphql())
    }
}

/// The second half of identity's queries (GraphQL objects are merged).
#[derive(Default)]
pub struct IdentityQuery2;

/// A name in one language, as input.
#[derive(async_graphql::InputObject)]
pub struct LocalizedTextInput {
    pub lang: String,
    pub text: String,
}

/// What it takes to create an organisation.
#[derive(async_graphql::InputObject)]
pub struct OrganisationInput {
    pub slug: String,
    pub name: String,
    #[graphql(default)]
    pub names: Vec<LocalizedTextInput>,
    pub kind: OrganisationKind,
    pub country: Country,
    pub website: Option<String>,
}

#[derive(Default)]
pub struct IdentityMutation;

#[async_graphql::Object]
impl IdentityMutation {
    /// Creates an organisation (platform administrators).
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        input: OrganisationInput,
    ) -> Result<OrganisationView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let input = NewOrganisationInput {
            slug: input.slug,
            name: input.name,
            names: input.names.into_iter().map(|n| (n.lang, n.text)).collect(),
            kind: input.kind.as_str().to_owned(),
            country: input.country.as_str().to_owned(),
            website: input.website,
        };
        let created = state
            .write(move |conn| service::create_organisation_as(conn, &caller, input))
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(created)
    }

    /// Changes an organisation's profile (its admins and platform administrators).
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        slug: String,
        name: Option<String>,
        names: Option<Vec<LocalizedTextInput>>,
        website: Option<String>,
    ) -> Result<OrganisationView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let patch = service::OrganisationPatch {
            name,
            names: names.map(|list| list.into_iter().map(|n| (n.lang, n.text)).collect()),
            website,
        };
        let updated = state
            .write(move |conn| service::update_organisation(conn, &caller, &slug, patch))
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(updated)
    }

    /// Gives a user a role in an organisation (its admins; platform
    /// administrators appoint the first admin of an organisation that has none).
    async fn set_membership(
        &self,
        ctx: &Context<'_>,
        slug: String,
        user_id: String,
        role: Role,
    ) -> Result<bool> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::set_membership(conn, &caller, &slug, &user_id, role))
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(true)
    }

    /// Removes a member (the organisation's admins).
    async fn remove_membership(
        &self,
        ctx: &Context<'_>,
        slug: String,
        user_id: String,
    ) -> Result<bool> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::remove_membership(conn, &caller, &slug, &user_id))
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(true)
    }

    /// Appoints or removes a platform moderator (platform administrators).
    async fn set_moderator(
        &self,
        ctx: &Context<'_>,
        user_id: String,
        moderator: bool,
    ) -> Result<bool> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::set_moderator(conn, &caller, &user_id, moderator))
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(true)
    }

    /// Registers a partner client; the answer holds its secret, shown only this once.
    async fn create_partner(
        &self,
        ctx: &Context<'_>,
        input: NewPartnerInput,
    ) -> Result<PartnerCredentials> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| partners::create(conn, &caller, input))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Replaces a partner's secret.
    async fn rotate_partner_secret(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> Result<PartnerCredentials> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        partners::rotate_now(state, caller, id)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Revokes a partner.
    async fn revoke_partner(&self, ctx: &Context<'_>, id: String) -> Result<PartnerView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        partners::revoke_now(state, caller, id)
            .await
            .map_err(|e| e.into_graphql())
    }
}
