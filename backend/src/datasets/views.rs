//! What readers of datasets see: the views REST, GraphQL, CKAN, DCAT and the portal share.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{Dataset, DatasetResource};
use utoipa::ToSchema;

use super::domain;
use super::input::{DatasetExtra, DatasetInput, DatasetText};
use super::resources::{self, ResourceView};
use super::store::{self};
use crate::error::{ApiError, ApiResult};
use crate::identity::domain::Country;
use crate::identity::rules as identity;
use crate::identity::views::OrganisationView;

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

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> ApiResult<T> {
    serde_json::from_str(text).map_err(ApiError::internal)
}

pub(super) fn to_json<T: Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

pub(super) fn owner(org: &OrganisationView) -> DatasetOwner {
    DatasetOwner {
        id: org.id.clone(),
        slug: org.slug.clone(),
        name: org.name.clone(),
        country: org.country,
    }
}

/// Full views of `rows`, in order: one query each for owners, tags, themes and resources.
pub(crate) fn views(conn: &mut DbConnection, rows: Vec<Dataset>) -> ApiResult<Vec<DatasetView>> {
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
pub(super) struct TextPair {
    pub(super) title: String,
    #[serde(default)]
    pub(super) notes: String,
}

pub(super) fn one_view(conn: &mut DbConnection, row: Dataset) -> ApiResult<DatasetView> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("view of one dataset is empty")))
}

/// The input that would recreate a dataset as it is (the base of a patch).
pub(crate) fn current_input(view: &DatasetView) -> DatasetInput {
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
