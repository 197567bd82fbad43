//! The open-data module's rules. REST, GraphQL, the CKAN Action API, the DCAT catalogue, the
//! indexer and the seed all come through here, so they agree on who may see what: a private
//! or deleted dataset exists only for its organisation's members.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use silkbridge_schema::change_log::{self, Operation};
use silkbridge_schema::models::{Dataset, DatasetResource};
use silkbridge_schema::{DbConnection, ids};
use silkbridge_search_index::IndexDocument;
use utoipa::ToSchema;

use super::domain;
use super::input::{self, DatasetExtra, DatasetInput, DatasetText};
use super::resources::{self, ResourceView};
use super::store::{self, DatasetFilter, DatasetOrder, Readable};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::http::pagination::{
    Page, PageRequest, name_key, newest_key, parse_name_key, parse_newest_key,
};
use crate::identity::caller::Caller;
use crate::identity::domain::Country;
use crate::identity::policy::{self, Action, authorize};
use crate::identity::service::{self as identity, OrganisationView};

/// The change-log and search kind of datasets.
pub const DATASET_KIND: &str = "dataset";
const CURSOR_SCOPE: &str = "datasets";

/// The organisation that publishes a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct DatasetOwner {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub country: Country,
}

/// A licence as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct LicenceView {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    /// Conforms to the Open Definition.
    pub open: bool,
}

impl LicenceView {
    pub fn of(id: &str) -> Self {
        match domain::licence(id) {
            Some(l) => Self {
                id: l.id.into(),
                title: l.title.into(),
                url: (!l.url.is_empty()).then(|| l.url.to_owned()),
                open: l.open,
            },
            None => Self {
                id: id.into(),
                title: id.into(),
                url: None,
                open: false,
            },
        }
    }
}

/// A dataset as a reader sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "Dataset")]
#[schema(as = Dataset)]
pub struct DatasetView {
    pub id: String,
    pub name: String,
    pub organisation: DatasetOwner,
    pub language: String,
    pub title: String,
    pub notes: String,
    pub translations: Vec<DatasetText>,
    pub licence: LicenceView,
    pub tags: Vec<String>,
    /// DCAT-AP data themes (`econ`, `soci`, …).
    pub themes: Vec<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub maintainer: Option<String>,
    pub maintainer_email: Option<String>,
    pub version: Option<String>,
    pub url: Option<String>,
    pub temporal_start: Option<NaiveDate>,
    pub temporal_end: Option<NaiveDate>,
    pub spatial: Option<String>,
    pub frequency: Option<String>,
    pub private: bool,
    /// `active` or `deleted` (deleted ones are seen only by their organisation's members).
    pub state: String,
    pub extras: Vec<DatasetExtra>,
    pub resources: Vec<ResourceView>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Filters of the dataset list, as received.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, async_graphql::InputObject)]
#[into_params(parameter_in = Query)]
#[graphql(name = "DatasetFilter")]
pub struct DatasetQuery {
    /// Organisation slug.
    pub organisation: Option<String>,
    pub tag: Option<String>,
    /// Data theme (`econ`, …).
    pub theme: Option<String>,
    /// Licence id.
    pub licence: Option<String>,
    /// Resource format (`CSV`, `JSON`, …).
    pub format: Option<String>,
    /// `name` (default) or `-updated` (most recently changed first).
    pub sort: Option<String>,
}

fn scope_of(caller: &Caller) -> Readable {
    Readable {
        own: policy::read_scope(caller),
    }
}

fn member(caller: &Caller, organisation_id: &str) -> bool {
    authorize(caller, Action::ReadOwn { organisation_id }).is_ok()
}

/// A dataset (by id or name) the caller may read, else 404: private and deleted datasets do
/// not reveal that they exist to outsiders. A name may be shared by a public dataset and
/// private ones of other organisations; the caller gets the one it sees, its own
/// organisations' first.
pub fn readable(conn: &mut DbConnection, caller: &Caller, key: &str) -> ApiResult<Dataset> {
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
pub fn editable(conn: &mut DbConnection, caller: &Caller, key: &str) -> ApiResult<Dataset> {
    let row = readable(conn, caller, key)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &row.organisation_id,
        },
    )?;
    Ok(row)
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> ApiResult<T> {
    serde_json::from_str(text).map_err(ApiError::internal)
}

fn to_json<T: Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

/// The publishing organisation named by slug or id; a clear 422 if there is none.
fn organisation_named(conn: &mut DbConnection, key: &str) -> ApiResult<OrganisationView> {
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

fn owner(org: &OrganisationView) -> DatasetOwner {
    DatasetOwner {
        id: org.id.clone(),
        slug: org.slug.clone(),
        name: org.name.clone(),
        country: org.country,
    }
}

/// Full views of `rows`, in order: one query each for owners, tags, themes and resources.
pub fn views(conn: &mut DbConnection, rows: Vec<Dataset>) -> ApiResult<Vec<DatasetView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let owners =
        identity::organisations_by_ids(conn, rows.iter().map(|r| r.organisation_id.as_str()))?;
    let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, tag) in store::tags_of(conn, &ids)? {
        tags.entry(id).or_default().push(tag);
    }
    let mut themes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, theme) in store::themes_of(conn, &ids)? {
        themes.entry(id).or_default().push(theme);
    }
    let mut files: BTreeMap<String, Vec<DatasetResource>> = BTreeMap::new();
    for resource in store::resources_of(conn, &ids)? {
        files
            .entry(resource.dataset_id.clone())
            .or_default()
            .push(resource);
    }
    rows.into_iter()
        .map(|row| {
            let org = owners.get(&row.organisation_id).ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!("dataset without organisation"))
            })?;
            let translations: BTreeMap<String, TextPair> = parse_json(&row.translations_json)?;
            let extras: Vec<(String, String)> = parse_json(&row.extras_json)?;
            Ok(DatasetView {
                organisation: owner(org),
                language: row.language,
                title: row.title,
                notes: row.notes,
                translations: translations
                    .into_iter()
                    .map(|(lang, t)| DatasetText {
                        lang,
                        title: t.title,
                        notes: t.notes,
                    })
                    .collect(),
                licence: LicenceView::of(&row.licence_id),
                tags: tags.remove(&row.id).unwrap_or_default(),
                themes: themes.remove(&row.id).unwrap_or_default(),
                author: row.author,
                author_email: row.author_email,
                maintainer: row.maintainer,
                maintainer_email: row.maintainer_email,
                version: row.version,
                url: row.source_url,
                temporal_start: row.temporal_start,
                temporal_end: row.temporal_end,
                spatial: row.spatial,
                frequency: row.frequency,
                private: row.private,
                state: row.state,
                extras: extras
                    .into_iter()
                    .map(|(key, value)| DatasetExtra { key, value })
                    .collect(),
                resources: files
                    .remove(&row.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(resources::view)
                    .collect::<ApiResult<_>>()?,
                created_at: row.created_at,
                updated_at: row.updated_at,
                name: row.name,
                id: row.id,
            })
        })
        .collect()
}

/// Stored form of a translation.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TextPair {
    title: String,
    #[serde(default)]
    notes: String,
}

fn one_view(conn: &mut DbConnection, row: Dataset) -> ApiResult<DatasetView> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("view of one dataset is empty")))
}

/// One dataset by id or name.
pub fn get(conn: &mut DbConnection, caller: &Caller, key: &str) -> ApiResult<DatasetView> {
    let row = readable(conn, caller, key)?;
    one_view(conn, row)
}

/// The input that would recreate a dataset as it is (the base of a patch).
pub fn current_input(view: &DatasetView) -> DatasetInput {
    DatasetInput {
        name: view.name.clone(),
        organisation: view.organisation.slug.clone(),
        language: Some(view.language.clone()),
        title: view.title.clone(),
        notes: view.notes.clone(),
        translations: view.translations.clone(),
        licence: Some(view.licence.id.clone()),
        tags: view.tags.clone(),
        themes: view.themes.clone(),
        author: view.author.clone(),
        author_email: view.author_email.clone(),
        maintainer: view.maintainer.clone(),
        maintainer_email: view.maintainer_email.clone(),
        version: view.version.clone(),
        url: view.url.clone(),
        temporal_start: view.temporal_start,
        temporal_end: view.temporal_end,
        spatial: view.spatial.clone(),
        frequency: view.frequency.clone(),
        private: view.private,
        extras: view.extras.clone(),
    }
}

/// Writes checked input over `row` (new or existing) with its tags and themes.
fn apply(
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
    change_log::record(conn, DATASET_KIND, &row.id, Operation::Upsert)?;
    one_view(conn, row)
}

/// Creates a dataset for an organisation the caller edits for.
pub fn create(
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
pub fn update(
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
pub fn patch(
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
pub fn delete(conn: &mut DbConnection, caller: &Caller, key: &str) -> ApiResult<()> {
    let mut row = editable(conn, caller, key)?;
    if row.state != "deleted" {
        row.state = "deleted".into();
        row.updated_at = ids::now();
        store::save_dataset(conn, &row)?;
        change_log::record(conn, DATASET_KIND, &row.id, Operation::Upsert)?;
    }
    Ok(())
}

/// Validated filters of a list.
fn filter_of(conn: &mut DbConnection, query: &DatasetQuery) -> ApiResult<DatasetFilter> {
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
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    query: &DatasetQuery,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<DatasetView>> {
    let page = PageRequest::parse(limit, cursor, CURSOR_SCOPE)?;
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
    let order = match (&page.after, newest) {
        (None, false) => DatasetOrder::Name { after: None },
        (None, true) => DatasetOrder::Newest { after: None },
        (Some(key), false) => DatasetOrder::Name {
            after: Some(parse_name_key(key)?),
        },
        (Some(key), true) => DatasetOrder::Newest {
            after: Some(parse_newest_key(key)?),
        },
    };
    let rows = store::list(conn, &scope_of(caller), &filter, &order, page.fetch_limit())?;
    let (rows, next_cursor) = page.split(rows, CURSOR_SCOPE, |row| {
        if newest {
            newest_key(&row.updated_at, &row.id)
        } else {
            name_key(&row.name, &row.id)
        }
    });
    Ok(Page {
        items: views(conn, rows)?,
        next_cursor,
    })
}

/// Every dataset the caller may see, in full (CKAN's `package_search` filters and facets
/// these in memory after the index has chosen them by text).
pub fn all_readable(
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
pub fn public_count(conn: &mut DbConnection, organisation_id: &str) -> ApiResult<i64> {
    Ok(store::count_public(conn, Some(organisation_id))?)
}

/// Names of the public datasets, A to Z.
pub fn public_names(conn: &mut DbConnection, offset: i64, limit: i64) -> ApiResult<Vec<String>> {
    Ok(store::public_names(conn, offset, limit)?)
}

/// One page of the public datasets, A to Z, and how many there are (the DCAT catalogue).
pub fn public_page(
    conn: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> ApiResult<(Vec<DatasetView>, i64)> {
    let total = store::count_public(conn, None)?;
    let rows = store::public_page(conn, offset, limit)?;
    Ok((views(conn, rows)?, total))
}

/// Tags of the public datasets.
pub fn public_tags(conn: &mut DbConnection, containing: Option<&str>) -> ApiResult<Vec<String>> {
    Ok(store::public_tags(conn, containing)?)
}

fn document(view: DatasetView) -> Option<IndexDocument> {
    if view.state != "active" {
        return None;
    }
    let access = if view.private {
        vec![format!("org:{}", view.organisation.id)]
    } else {
        vec!["public".to_owned()]
    };
    let mut languages = vec![view.language.clone()];
    let mut body = vec![view.notes.clone(), view.name.clone()];
    for text in &view.translations {
        languages.push(text.lang.clone());
        body.push(text.title.clone());
        body.push(text.notes.clone());
    }
    for resource in &view.resources {
        body.push(resource.name.clone());
        body.push(resource.description.clone());
        body.push(resource.format.clone());
    }
    body.extend(view.tags.iter().cloned());
    body.extend(view.spatial.iter().cloned());
    body.push(view.organisation.name.clone());
    Some(IndexDocument {
        kind: DATASET_KIND.into(),
        entity_id: view.id,
        title: view.title,
        body: body.join("\n"),
        organisation_id: Some(view.organisation.id),
        country: Some(view.organisation.country.as_str().to_owned()),
        access,
        updated_at: view.updated_at.and_utc().timestamp(),
        year: view
            .temporal_end
            .or(view.temporal_start)
            .map(|d| chrono::Datelike::year(&d)),
        languages,
        licence: Some(view.licence.id),
        tags: view.tags,
    })
}

pub fn index_document(conn: &mut DbConnection, id: &str) -> ApiResult<Option<IndexDocument>> {
    match store::dataset(conn, id)? {
        Some(row) => Ok(views(conn, vec![row])?.into_iter().find_map(document)),
        None => Ok(None),
    }
}

/// The rebuild scan: documents of the datasets after `after_id`, and the last id seen.
pub fn index_documents_after(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> ApiResult<(Vec<IndexDocument>, Option<String>)> {
    let rows = store::datasets_after_id(conn, after_id, limit)?;
    let last = rows.last().map(|r| r.id.clone());
    Ok((
        views(conn, rows)?
            .into_iter()
            .filter_map(document)
            .collect(),
        last,
    ))
}

pub fn count(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count(conn)?)
}

/// Marks a dataset changed after one of its resources changed (search and the catalogue
/// show resources).
pub(super) fn resources_changed(conn: &mut DbConnection, dataset_id: &str) -> ApiResult<()> {
    store::touch(conn, dataset_id, ids::now())?;
    change_log::record(conn, DATASET_KIND, dataset_id, Operation::Upsert)?;
    Ok(())
}
