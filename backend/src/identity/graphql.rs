//! Identity's GraphQL fields.

use async_graphql::{Context, Object, Result};

use super::domain::Role;
use super::domain::{Country, OrganisationKind};
use super::input::{NewOrganisationInput, OrganisationPatch, OrganisationQuery};
use super::partners::{NewPartnerInput, PartnerCredentials, PartnerView};
use super::service;
use super::views::{MeView, MemberView, OrganisationView};
use crate::graphql::{answer, found, request};
use crate::http::pagination::{PageParams, graphql_page};

graphql_page!(OrganisationPage, OrganisationView);

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
    ) -> Result<OrganisationPage> {
        let (state, _) = request(ctx)?;
        let query = OrganisationQuery {
            country: country.map(|c| c.as_str().to_owned()),
            kind: kind.map(|k| k.as_str().to_owned()),
        };
        let page = PageParams {
            limit: first,
            cursor: after,
        };
        answer(service::list_organisations(state, query, page).await).map(OrganisationPage::from)
    }

    /// One organisation by its slug; null if there is none.
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        slug: String,
    ) -> Result<Option<OrganisationView>> {
        let (state, _) = request(ctx)?;
        found(service::organisation(state, &slug).await)
    }
}

#[async_graphql::Object]
impl IdentityQuery2 {
    /// Who the caller is.
    async fn me(&self, ctx: &Context<'_>) -> Result<MeView> {
        let (state, caller) = request(ctx)?;
        answer(service::me(state, &caller).await)
    }

    /// Members of an organisation (its members and platform administrators).
    async fn members(&self, ctx: &Context<'_>, slug: String) -> Result<Vec<MemberView>> {
        let (state, caller) = request(ctx)?;
        answer(service::members(state, &caller, &slug).await)
    }

    /// Partner clients (platform administrators).
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<PartnerView>> {
        let (state, caller) = request(ctx)?;
        answer(service::partners(state, &caller).await)
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
        let (state, caller) = request(ctx)?;
        let input = NewOrganisationInput {
            slug: input.slug,
            name: input.name,
            names: input.names.into_iter().map(|n| (n.lang, n.text)).collect(),
            kind: input.kind.as_str().to_owned(),
            country: input.country.as_str().to_owned(),
            website: input.website,
        };
        answer(service::create_organisation(state, &caller, input).await)
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
        let (state, caller) = request(ctx)?;
        let patch = OrganisationPatch {
            name,
            names: names.map(|list| list.into_iter().map(|n| (n.lang, n.text)).collect()),
            website,
        };
        answer(service::update_organisation(state, &caller, &slug, patch).await)
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
        let (state, caller) = request(ctx)?;
        answer(service::set_membership(state, &caller, &slug, &user_id, role).await)?;
        Ok(true)
    }

    /// Removes a member (the organisation's admins).
    async fn remove_membership(
        &self,
        ctx: &Context<'_>,
        slug: String,
        user_id: String,
    ) -> Result<bool> {
        let (state, caller) = request(ctx)?;
        answer(service::remove_membership(state, &caller, &slug, &user_id).await)?;
        Ok(true)
    }

    /// Appoints or removes a platform moderator (platform administrators).
    async fn set_moderator(
        &self,
        ctx: &Context<'_>,
        user_id: String,
        moderator: bool,
    ) -> Result<bool> {
        let (state, caller) = request(ctx)?;
        answer(service::set_moderator(state, &caller, &user_id, moderator).await)?;
        Ok(true)
    }

    /// Registers a partner client; the answer holds its secret, shown only this once.
    async fn create_partner(
        &self,
        ctx: &Context<'_>,
        input: NewPartnerInput,
    ) -> Result<PartnerCredentials> {
        let (state, caller) = request(ctx)?;
        answer(service::create_partner(state, &caller, input).await)
    }

    /// Replaces a partner's secret.
    async fn rotate_partner_secret(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> Result<PartnerCredentials> {
        let (state, caller) = request(ctx)?;
        answer(service::rotate_partner_secret(state, &caller, &id).await)
    }

    /// Revokes a partner.
    async fn revoke_partner(&self, ctx: &Context<'_>, id: String) -> Result<PartnerView> {
        let (state, caller) = request(ctx)?;
        answer(service::revoke_partner(state, &caller, &id).await)
    }
}
