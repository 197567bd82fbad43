//! The research module's GraphQL fields: the same service calls as REST.

use async_graphql::{Context, Object, Result};

use super::input::{PublicationInput, PublicationQuery};
use super::service;
use super::views::{PublicationVersionView, PublicationView};
use crate::graphql::{answer, found, request};
use crate::http::pagination::{PageParams, graphql_page};

graphql_page!(PublicationPage, PublicationView);

#[derive(Default)]
pub struct ResearchQuery;

#[Object]
impl ResearchQuery {
    /// Publications the caller may read, with filters.
    async fn publications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: PublicationQuery,
        first: Option<u32>,
        after: Option<String>,
    ) -> Result<PublicationPage> {
        let (state, caller) = request(ctx)?;
        let page = PageParams {
            limit: first,
            cursor: after,
        };
        answer(service::list(state, &caller, filter, page).await).map(PublicationPage::from)
    }

    /// One publication the caller may read; null otherwise (a restricted one does not
    /// reveal that it exists).
    async fn publication(&self, ctx: &Context<'_>, id: String) -> Result<Option<PublicationView>> {
        let (state, caller) = request(ctx)?;
        found(service::get(state, &caller, &id).await)
    }

    /// Every version of a publication's content, newest first.
    async fn publication_versions(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> Result<Vec<PublicationVersionView>> {
        let (state, caller) = request(ctx)?;
        answer(service::versions(state, &caller, &id).await)
    }

    /// Citations of publications in `bibtex`, `ris` or `csl-json`.
    async fn citations(
        &self,
        ctx: &Context<'_>,
        ids: Vec<String>,
        format: String,
    ) -> Result<String> {
        let (state, caller) = request(ctx)?;
        answer(service::citations(state, &caller, ids, &format).await).map(|c| c.text)
    }
}

#[derive(Default)]
pub struct ResearchMutation;

#[Object]
impl ResearchMutation {
    /// Creates a publication of an organisation (its editors).
    async fn create_publication(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        input: PublicationInput,
    ) -> Result<PublicationView> {
        let (state, caller) = request(ctx)?;
        answer(service::create(state, &caller, &organisation, input).await)
    }

    /// Replaces a publication's content; the previous version is kept.
    async fn update_publication(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: PublicationInput,
    ) -> Result<PublicationView> {
        let (state, caller) = request(ctx)?;
        answer(service::update(state, &caller, &id, input).await)
    }

    /// Withdraws a publication (harvesters are told it is deleted).
    async fn delete_publication(&self, ctx: &Context<'_>, id: String) -> Result<bool> {
        let (state, caller) = request(ctx)?;
        answer(service::delete(state, &caller, &id).await).map(|()| true)
    }
}
