//! The open-data module's GraphQL fields: the same service calls as REST. Files are uploaded
//! over REST or the CKAN API (streamed bodies); GraphQL adds link resources.

use async_graphql::{Context, Object, Result};

use super::input::DatasetInput;
use super::resources::{self, ResourceInput, ResourceView};
use super::service::{self, DatasetQuery, DatasetView};
use crate::db;
use crate::error::ErrorCode;
use crate::graphql::{caller_of, state_of};
use crate::http::pagination::Page;

#[derive(Default)]
pub struct DatasetsQuery;

#[Object]
impl DatasetsQuery {
    /// Datasets the caller may see, with filters (`sort`: `name` or `-updated`).
    async fn datasets(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: DatasetQuery,
        first: Option<u32>,
        after: Option<String>,
    ) -> Result<Page<DatasetView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| {
            service::list(conn, &caller, &filter, first, after.as_deref())
        })
        .await
        .map_err(|e| e.into_graphql())
    }

    /// One dataset by id or name; null when the caller may not see it (a private dataset
    /// does not reveal that it exists).
    async fn dataset(&self, ctx: &Context<'_>, key: String) -> Result<Option<DatasetView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        match db::run(&state.db, move |conn| service::get(conn, &caller, &key)).await {
            Ok(found) => Ok(Some(found)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into_graphql()),
        }
    }
}

#[derive(Default)]
pub struct DatasetsMutation;

#[Object]
impl DatasetsMutation {
    /// Creates a dataset (the organisation's editors).
    async fn create_dataset(&self, ctx: &Context<'_>, input: DatasetInput) -> Result<DatasetView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::create(conn, &caller, input))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Replaces a dataset's metadata (its resources stay).
    async fn update_dataset(
        &self,
        ctx: &Context<'_>,
        key: String,
        input: DatasetInput,
    ) -> Result<DatasetView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::update(conn, &caller, &key, input))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Deletes a dataset; returns true.
    async fn delete_dataset(&self, ctx: &Context<'_>, key: String) -> Result<bool> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::delete(conn, &caller, &key))
            .await
            .map(|()| true)
            .map_err(|e| e.into_graphql())
    }

    /// Adds a link resource to a dataset.
    async fn add_dataset_link(
        &self,
        ctx: &Context<'_>,
        key: String,
        input: ResourceInput,
    ) -> Result<ResourceView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| resources::add_link(conn, &caller, &key, input))
            .await
            .map_err(|e| e.into_graphql())
    }
}
