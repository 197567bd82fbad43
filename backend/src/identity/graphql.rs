//! Identity's GraphQL fields.

use async_graphql::{Context, Object, Result};

use super::domain::{Country, OrganisationKind};
use super::service::{self, OrganisationQuery, OrganisationView};
use crate::db;
use crate::error::ErrorCode;
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
