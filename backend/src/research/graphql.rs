//! The research module's GraphQL fields: the same service calls as REST.

use async_graphql::{Context, Object, Result};

use super::citation::{self, CitationFormat};
use super::content::PublicationInput;
use super::service::{self, PublicationQuery, PublicationVersionView, PublicationView};
use crate::db;
use crate::error::{ApiError, ErrorCode};
use crate::graphql::{caller_of, state_of};
use crate::http::pagination::Page;

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
    ) -> Result<Page<PublicationView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| {
            service::list(conn, &caller, &filter, first, after.as_deref())
        })
        .await
        .map_err(|e| e.into_graphql())
    }

    /// One publication the caller may read; null otherwise (a restricted one does not
    /// reveal that it exists).
    async fn publication(&self, ctx: &Context<'_>, id: String) -> Result<Option<PublicationView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        match db::run(&state.db, move |conn| service::get(conn, &caller, &id)).await {
            Ok(found) => Ok(Some(found)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into_graphql()),
        }
    }

    /// Every version of a publication's content, newest first.
    async fn publication_versions(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> Result<Vec<PublicationVersionView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| service::versions(conn, &caller, &id))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Citations of publications in `bibtex`, `ris` or `csl-json`.
    async fn citations(
        &self,
        ctx: &Context<'_>,
        ids: Vec<String>,
        format: String,
    ) -> Result<String> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let format: CitationFormat = format
            .parse()
            .map_err(|m: String| ApiError::invalid_parameter(m).into_graphql())?;
        if ids.is_empty() || ids.len() > super::rest::MAX_CITATIONS {
            return Err(ApiError::invalid_parameter(format!(
                "ask for 1 to {} publications",
                super::rest::MAX_CITATIONS
            ))
            .into_graphql());
        }
        let base = state.config.public_url.clone();
        let found = db::run(&state.db, move |conn| {
            service::readable_many(conn, &caller, &ids)
        })
        .await
        .map_err(|e| e.into_graphql())?;
        Ok(citation::render(format, &found, &base))
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
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::create(conn, &caller, &organisation, input))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Replaces a publication's content; the previous version is kept.
    async fn update_publication(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: PublicationInput,
    ) -> Result<PublicationView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::update(conn, &caller, &id, input))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Withdraws a publication (harvesters are told it is deleted).
    async fn delete_publication(&self, ctx: &Context<'_>, id: String) -> Result<bool> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::delete(conn, &caller, &id))
            .await
            .map(|()| true)
            .map_err(|e| e.into_graphql())
    }
}
