//! The open-data module's operations. Each is one call that every adapter (REST, GraphQL,
//! the CKAN Action API, the DCAT catalogue, the portal) makes the same way; it picks a read or
//! a write transaction itself and runs the rules of `rules.rs` and `resources.rs`, which
//! decide who may see what.

use silkbridge_schema::models::DatasetResource;

use super::input::{DatasetInput, DatasetQuery};
use super::resources::{self, ResourceInput, ResourceView};
use super::rules;
use super::views::DatasetView;
use crate::error::{ApiError, ApiResult};
use crate::http::pagination::{Page, PageParams};
use crate::identity::caller::Caller;
use crate::identity::views::OrganisationView;
use crate::state::AppState;

pub use super::upload::upload_resource;

/// One page of the datasets the caller may see.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: DatasetQuery,
    page: PageParams,
) -> ApiResult<Page<DatasetView>> {
    let caller = caller.clone();
    state
        .read(move |conn| rules::list(conn, &caller, &query, page.limit, page.cursor.as_deref()))
        .await
}

/// One dataset by id or name (404 if the caller may not see it).
pub async fn get(state: &AppState, caller: &Caller, key: &str) -> ApiResult<DatasetView> {
    let (caller, key) = (caller.clone(), key.to_owned());
    state
        .read(move |conn| rules::get(conn, &caller, &key))
        .await
}

/// Creates a dataset, with link resources if any, in one transaction (CKAN's
/// `package_create` carries its resources inline).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: DatasetInput,
    links: Vec<ResourceInput>,
) -> ApiResult<DatasetView> {
    let caller = caller.clone();
    state
        .write(move |conn| {
            let created = rules::create(conn, &caller, input)?;
            if links.is_empty() {
                return Ok(created);
            }
            for link in links {
                resources::add_link(conn, &caller, &created.id, link)?;
            }
            rules::get(conn, &caller, &created.id)
        })
        .await
}

/// Replaces a dataset's metadata (its resources stay).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    key: &str,
    input: DatasetInput,
) -> ApiResult<DatasetView> {
    let (caller, key) = (caller.clone(), key.to_owned());
    state
        .write(move |conn| rules::update(conn, &caller, &key, input))
        .await
}

/// Changes only the given fields (named as in `DatasetInput`).
pub async fn patch(
    state: &AppState,
    caller: &Caller,
    key: &str,
    changes: serde_json::Map<String, serde_json::Value>,
) -> ApiResult<DatasetView> {
    let (caller, key) = (caller.clone(), key.to_owned());
    state
        .write(move |conn| rules::patch(conn, &caller, &key, changes))
        .await
}

/// Marks a dataset deleted (its editors).
pub async fn delete(state: &AppState, caller: &Caller, key: &str) -> ApiResult<()> {
    let (caller, key) = (caller.clone(), key.to_owned());
    state
        .write(move |conn| rules::delete(conn, &caller, &key))
        .await
}

/// Adds a link resource to a dataset (its editors).
pub async fn add_link(
    state: &AppState,
    caller: &Caller,
    key: &str,
    link: ResourceInput,
) -> ApiResult<ResourceView> {
    let (caller, key) = (caller.clone(), key.to_owned());
    state
        .write(move |conn| resources::add_link(conn, &caller, &key, link))
        .await
}

/// A resource the caller may read, of the dataset `dataset` (id or name) when given.
pub async fn resource(
    state: &AppState,
    caller: &Caller,
    dataset: Option<&str>,
    resource_id: &str,
) -> ApiResult<DatasetResource> {
    let (caller, dataset) = (caller.clone(), dataset.map(str::to_owned));
    let resource_id = resource_id.to_owned();
    state
        .read(move |conn| resources::find(conn, &caller, dataset.as_deref(), &resource_id))
        .await
}

/// The view of a resource the caller may read.
pub async fn resource_view(
    state: &AppState,
    caller: &Caller,
    dataset: Option<&str>,
    resource_id: &str,
) -> ApiResult<ResourceView> {
    resources::view(resource(state, caller, dataset, resource_id).await?)
}

/// Removes a resource (the dataset's editors), then its uploaded file if it had one.
pub async fn delete_resource(
    state: &AppState,
    caller: &Caller,
    key: &str,
    resource_id: &str,
) -> ApiResult<()> {
    let (caller, key, resource_id) = (caller.clone(), key.to_owned(), resource_id.to_owned());
    let object_key = state
        .write(move |conn| resources::remove(conn, &caller, &key, &resource_id))
        .await?;
    if let Some(object_key) = object_key {
        crate::sweep::delete_logged(state.objects.as_ref(), &object_key).await;
    }
    Ok(())
}

/// Every dataset the caller may see among `ids` (all when `None`), in full: CKAN's
/// `package_search` filters and facets these after the index has chosen them by text.
pub async fn all_readable(
    state: &AppState,
    caller: &Caller,
    ids: Option<Vec<String>>,
) -> ApiResult<Vec<DatasetView>> {
    let caller = caller.clone();
    state
        .read(move |conn| rules::all_readable(conn, &caller, ids))
        .await
}

/// Names of the public datasets, A to Z.
pub async fn public_names(state: &AppState, offset: i64, limit: i64) -> ApiResult<Vec<String>> {
    state
        .read(move |conn| rules::public_names(conn, offset, limit))
        .await
}

/// One page of the public datasets, A to Z, and how many there are (the DCAT catalogue).
pub async fn public_page(
    state: &AppState,
    offset: i64,
    limit: i64,
) -> ApiResult<(Vec<DatasetView>, i64)> {
    state
        .read(move |conn| rules::public_page(conn, offset, limit))
        .await
}

/// Tags of the public datasets, those containing `containing` when given.
pub async fn public_tags(state: &AppState, containing: Option<String>) -> ApiResult<Vec<String>> {
    state
        .read(move |conn| rules::public_tags(conn, containing.as_deref()))
        .await
}

/// An organisation (by slug or id) and how many public datasets it has (CKAN's
/// `organization_show` counts what everyone sees).
pub async fn publisher(state: &AppState, key: &str) -> ApiResult<(OrganisationView, i64)> {
    let key = key.to_owned();
    state
        .read(move |conn| {
            let org = crate::identity::rules::organisation_by_key(conn, &key)?;
            let count = rules::public_count(conn, &org.id)?;
            Ok::<_, ApiError>((org, count))
        })
        .await
}
