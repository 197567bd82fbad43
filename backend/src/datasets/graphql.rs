//! The open-data module's GraphQL fields: the same service calls as REST. Files are uploaded
//! over REST or the CKAN API (streamed bodies); GraphQL adds link resources.

use async_graphql::{Context, Object, Result};

use super::input::{DatasetInput, DatasetQuery};
use super::resources::{ResourceInput, ResourceView};
use super::service;
use super::views::DatasetView;
use crate::graphql::{answer, found, request};
use crate::http::pagination::{PageParams, graphql_page};

graphql_page!(DatasetPage, DatasetView);

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
    ) -> Result<DatasetPage> {
        let (state, caller) = request(ctx)?;
        let page = PageParams {
            limit: first,
            cursor: after,
        };
        answer(service::list(state, &caller, filter, page).await).map(DatasetPage::from)
    }

    /// One dataset by id or name; null when the caller may not see it (a private dataset
    /// does not reveal that it exists).
    async fn dataset(&self, ctx: &Context<'_>, key: String) -> Result<Option<DatasetView>> {
        let (state, caller) = request(ctx)?;
        found(service::get(state, &caller, &key).await)
    }
}

#[derive(Default)]
pub struct DatasetsMutation;

#[Object]
impl DatasetsMutation {
    /// Creates a dataset (the organisation's editors).
    async fn create_dataset(&self, ctx: &Context<'_>, input: DatasetInput) -> Result<DatasetView> {
        let (state, caller) = request(ctx)?;
        answer(service::create(state, &caller, input, Vec::new()).await)
    }

    /// Replaces a dataset's metadata (its resources stay).
    async fn update_dataset(
        &self,
        ctx: &Context<'_>,
        key: String,
        input: DatasetInput,
    ) -> Result<DatasetView> {
        let (state, caller) = request(ctx)?;
        answer(service::update(state, &caller, &key, input).await)
    }

    /// Deletes a dataset; returns true.
    async fn delete_dataset(&self, ctx: &Context<'_>, key: String) -> Result<bool> {
        let (state, caller) = request(ctx)?;
        answer(service::delete(state, &caller, &key).await).map(|()| true)
    }

    /// Adds a link resource to a dataset.
    async fn add_dataset_link(
        &self,
        ctx: &Context<'_>,
        key: String,
        input: ResourceInput,
    ) -> Result<ResourceView> {
        let (state, caller) = request(ctx)?;
        answer(service::add_link(state, &caller, &key, input).await)
    }
}
