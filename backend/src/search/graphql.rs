//! GraphQL `search`: the same service as REST.

use async_graphql::{Context, Object, Result};

use super::service::{self, SearchParams, SearchResponse};
use crate::graphql::{caller_of, state_of};

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Searches everything the caller may see.
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] params: SearchParams,
    ) -> Result<SearchResponse> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::search(state, &caller, params)
            .await
            .map_err(|e| e.into_graphql())
    }
}
