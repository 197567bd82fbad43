//! The open-data module's rules on a connection: who may see and change datasets (a private or
//! deleted dataset exists only for its organisation's members). The operations in `service.rs`
//! run them in one transaction each; CKAN's actions and the seed compose them.

use std::collections::BTreeMap;

use silkbridge_schema::models::Dataset;
use silkbridge_schema::{DbConnection, ids};

use super::domain;
use super::index::DATASET_KIND;
use super::input;
use super::input::{DatasetInput, DatasetQuery};
use super::store::{self, DatasetFilter, DatasetOrder, Readable};
use super::views::{DatasetView, TextPair, current_input, one_view, to_json, views};
use crate::changes::Change;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::http::pagination::{NewestKey, Page, PageRequest, TextKey};
use crate::identity::caller::Caller;
use crate::identity::policy::{self, Action, authorize};
use crate::identity::rules as identity;
use crate::identity::views::OrganisationView;

pub(super) const CURSOR_SCOPE: &str = "datasets";

pub(super) fn scope_of(caller: &Caller) -> Readable {
    Readable {
        own: policy::read_scope(caller),
    }
}

pub(super) fn member(caller: &Caller, organisation_id: &str) -> bool {
    authorize(caller, Action::ReadOwn { organisation_id }).is_ok()
}

/// A dataset (by id or name) the caller may read, else 404: private and deleted datasets do
/// not reveal that they exist to outsiders. A name may be shared by a public dataset and
/// private ones of other organisations; the caller gets the one it sees, its own
/// organisations' first.
pub(crate) fn readable(conn: &mut DbConnection, caller: &Caller, key: &str) -> ApiResult<Dataset> {
    store::datasets_keyed(conn, key)?
        .into_iter()
        .filter(|row| {
            (row.state == "active" && !row.private) || member(caller, &row.organisation_id)
        })
        // The id itself first, then the caller's own organisations' datasets; oldest first.
        .min_by_key(|row| (row.id != key, !member(caller, &row.organisation_id)))
        .ok_or_else(|| ApiError::not_found(format_args!("dataset `{key}`")))
}

/// A dataset the caller may change (its organisation's editors).
pub(crate) fn editable(conn: &mut DbConnection, caller: &Caller, key: &str) -> ApiResult<Dataset> {
    let row = readable(conn, caller, key)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &row.organisation_id,
        },
    )?;
    Ok(row)
}

/// The publishing organisation named by slug or id; a clear 422 if there is none.
pub(super) fn organisation_named(
    conn: &mut DbConnection,
    key: &str,
) -> ApiResult<OrganisationView> {
    let key = key.trim();
    identity::organisation_by_slug(conn, key)
        .or_else(|_| identity::organisation_by_id(conn, key))
        .map_err(|_| {
            ApiError::validation(vec![FieldError::new(
                "organisation",
                "unknown_value",
                format!("there is no organisation `{key}`"),
            )])
        })
}

/// One dataset by id or name.
pub(crate) fn get(conn: &mut DbConnection, caller: &Caller, key: &str) -> ApiResult<DatasetView> {
    let row = readable(conn, caller, key)?;
    one_view(conn, row)
}

/// Writes checked input over `row` (new or existing) with its tags and themes.
pub(super) fn apply(
    conn: &mut DbConnection,
    caller: &Caller,
    mut row: Dataset,
    input: DatasetInput,
    is_new: bool,
) -> ApiResult<DatasetView> {
    let checked = input::check(input)?;
    let org = organisation_named(conn, &checked.input.organisation)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &org.id,
        },
    )?;
    let input = checked.input;
    if store::name_taken(conn, &input.name, &org.id, &row.id)? {
        return Err(
            ApiError::new(ErrorCode::Conflict, "that name is already in use").with_errors(vec![
                FieldError::new(
                    "name",
                    "taken",
                    format!("`{}` is already in use", input.name),
                ),
            ]),
        );
    }
    let translations: BTreeMap<String, TextPair> = input
        .translations
        .iter()
        .map(|t| {
            (
                t.lang.clone(),
                TextPair {
                    title: t.title.trim().to_owned(),
                    notes: t.notes.clone(),
                },
            )
        })
        .collect();
    let extras: Vec<(&str, &str)> = input
        .extras
        .iter()
        .map(|e| (e.key.as_str(), e.value.as_str()))
        .collect();
    row.name = input.name.clone();
    row.organisation_id = org.id.clone();
    row.language = checked.language;
    row.title = input.title.trim().to_owned();
    row.notes = input.notes.clone();
    row.translations_json = to_json(&translations)?;
    row.licence_id = checked.licence;
    row.author = input.author;
    row.author_email = input.author_email;
    row.maintainer = input.maintainer;
    row.maintainer_email = input.maintainer_email;
    row.version = input.version;
    row.source_url = input.url;
    row.temporal_start = input.temporal_start;
    row.temporal_end = input.temporal_end;
    row.spatial = input.spatial;
    row.frequency = input.frequency;
    row.private = input.private;
    row.extras_json = to_json(&extras)?;
    row.updated_at = ids::now();
    if is_new {
        store::insert_dataset(conn, &row)?;
    } else {
        store::save_dataset(conn, &row)?;
    }
    store::replace_tags(conn, &row.id, &input.tags)?;
    store::replace_themes(conn, &row.id, &input.themes)?;
    let action = if is_new {
        "dataset.create"
    } else {
        "dataset.update"
    };
    Change::upsert(DATASET_KIND, &row.id).audited(
        conn,
        &caller.actor(),
        action,
        serde_json::json!({"name": row.name, "private": row.private}),
    )?;
    one_view(conn, row)
}

/// Creates a dataset for an organisation the caller edits for.
pub(crate) fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: DatasetInput,
) -> ApiResult<DatasetView> {
    if matches!(caller, Caller::Anonymous) {
        return Err(policy::unauthenticated());
    }
    let now = ids::now();
    let row = Dataset {
        id: ids::new_id(),
        name: String::new(),
        organisation_id: String::new(),
        language: String::new(),
        title: String::new(),
        notes: String::new(),
        translations_json: "{}".into(),
        licence_id: String::new(),
        author: None,
        author_email: None,
        maintainer: None,
        maintainer_email: None,
        version: None,
        source_url: None,
        temporal_start: None,
        temporal_end: None,
        spatial: None,
        frequency: None,
        private: false,
        state: "active".into(),
        extras_json: "[]".into(),
        created_by: caller.actor(),
        created_at: now,
        updated_at: now,
    };
    apply(conn, caller, row, input, true)
}

/// Replaces a dataset's metadata (its resources stay).
pub(crate) fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
    input: DatasetInput,
) -> ApiResult<DatasetView> {
    let row = editable(conn, caller, key)?;
    if row.state == "deleted" {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "the dataset is deleted; it cannot be changed",
        ));
    }
    apply(conn, caller, row, input, false)
}

/// Changes only the given fields (named as in `DatasetInput`).
pub(crate) fn patch(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
    changes: serde_json::Map<String, serde_json::Value>,
) -> ApiResult<DatasetView> {
    let row = editable(conn, caller, key)?;
    let current = one_view(conn, row)?;
    let mut merged = match serde_json::to_value(current_input(&current)) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => {
            return Err(ApiError::internal(anyhow::anyhow!(
                "input is not an object"
            )));
        }
    };
    merged.extend(changes);
    let input: DatasetInput =
        serde_json::from_value(serde_json::Value::Object(merged)).map_err(|e| {
            ApiError::invalid_parameter(format!("the changes do not fit a dataset: {e}"))
        })?;
    update(conn, caller, &current.id, input)
}

/// Marks a dataset deleted (CKAN's soft delete): it leaves lists, search and the catalogue;
/// its name stays taken and its members can still see it.
pub(crate) fn delete(conn: &mut DbConnection, caller: &Caller, key: &str) -> ApiResult<()> {
    let mut row = editable(conn, caller, key)?;
    if row.state != "deleted" {
        row.state = "deleted".into();
        row.updated_at = ids::now();
        store::save_dataset(conn, &row)?;
        Change::upsert(DATASET_KIND, &row.id).audited(
            conn,
            &caller.actor(),
            "dataset.delete",
            serde_json::json!({"name": row.name}),
        )?;
    }
    Ok(())
}

/// Validated filters of a list.
pub(super) fn filter_of(conn: &mut DbConnection, query: &DatasetQuery) -> ApiResult<DatasetFilter> {
    let given = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let mut filter = DatasetFilter::default();
    if let Some(slug) = given(&query.organisation) {
        filter.organisation_id = Some(identity::organisation_by_slug(conn, &slug)?.id);
    }
    filter.tag = given(&query.tag);
    if let Some(theme) = given(&query.theme) {
        let found = domain::theme(&theme)
            .ok_or_else(|| ApiError::invalid_parameter(format!("`{theme}` is not a data theme")))?;
        filter.theme = Some(found.name.to_owned());
    }
    if let Some(licence) = given(&query.licence) {
        let found = domain::licence(&licence).ok_or_else(|| {
            ApiError::invalid_parameter(format!("`{licence}` is not in the licence list"))
        })?;
        filter.licence = Some(found.id.to_owned());
    }
    filter.format = given(&query.format).map(|f| f.to_ascii_uppercase());
    Ok(filter)
}

/// One page of the datasets the caller may see.
pub(crate) fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    query: &DatasetQuery,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<DatasetView>> {
    let filter = filter_of(conn, query)?;
    let newest = match query.sort.as_deref().map(str::trim) {
        None | Some("" | "name") => false,
        Some("-updated") => true,
        Some(other) => {
            return Err(ApiError::invalid_parameter(format!(
                "unknown sort `{other}`; expected name or -updated"
            )));
        }
    };
    let readable = scope_of(caller);
    let (rows, next_cursor) = if newest {
        let scope = format!("{CURSOR_SCOPE}:-updated");
        let page = PageRequest::<NewestKey>::parse(limit, cursor, &scope)?;
        let order = DatasetOrder::Newest {
            after: page.after.clone().map(NewestKey::into_pair),
        };
        let rows = store::list(conn, &readable, &filter, &order, page.fetch_limit())?;
        page.split(rows, &scope, |row| NewestKey::of(&row.updated_at, &row.id))
    } else {
        let page = PageRequest::<TextKey>::parse(limit, cursor, CURSOR_SCOPE)?;
        let order = DatasetOrder::Name {
            after: page.after.clone().map(TextKey::into_pair),
        };
        let rows = store::list(conn, &readable, &filter, &order, page.fetch_limit())?;
        page.split(rows, CURSOR_SCOPE, |row| TextKey::of(&row.name, &row.id))
    };
    Ok(Page {
        items: views(conn, rows)?,
        next_cursor,
    })
}

/// Every dataset the caller may see, in full (CKAN's `package_search` filters and facets
/// these in memory after the index has chosen them by text).
pub(crate) fn all_readable(
    conn: &mut DbConnection,
    caller: &Caller,
    ids: Option<Vec<String>>,
) -> ApiResult<Vec<DatasetView>> {
    let filter = DatasetFilter {
        ids,
        ..DatasetFilter::default()
    };
    let order = DatasetOrder::Name { after: None };
    let rows = store::list(conn, &scope_of(caller), &filter, &order, i64::MAX)?;
    views(conn, rows)
}

/// How many public datasets an organisation has (CKAN's `package_count`).
pub(crate) fn public_count(conn: &mut DbConnection, organisation_id: &str) -> ApiResult<i64> {
    Ok(store::count_public(conn, Some(organisation_id))?)
}

/// Names of the public datasets, A to Z.
pub(crate) fn public_names(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> ApiResult<Vec<String>> {
    Ok(store::public_names(conn, offset, limit)?)
}

/// One page of the public datasets, A to Z, and how many there are (the DCAT catalogue).
pub(crate) fn public_page(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> ApiResult<(Vec<DatasetView>, i64)> {
    let total = store::count_public(conn, None)?;
    let rows = store::public_page(conn, offset, limit)?;
    Ok((views(conn, rows)?, total))
}

/// Tags of the public datasets.
pub(crate) fn public_tags(
    conn: &mut DbConnection,
    containing: Option<&str>,
) -> ApiResult<Vec<String>> {
    Ok(store::public_tags(conn, containing)?)
}

/// Marks a dataset changed after one of its resources changed (search and the catalogue
/// show resources), audited as `action` on the resource.
pub(super) fn resources_changed(
    conn: &mut DbConnection,
    caller: &Caller,
    dataset_id: &str,
    action: &str,
    resource_id: &str,
) -> ApiResult<()> {
    store::touch(conn, dataset_id, ids::now())?;
    Change::upsert(DATASET_KIND, dataset_id).audited(
        conn,
        &caller.actor(),
        action,
        serde_json::json!({"resource": resource_id}),
    )
}
