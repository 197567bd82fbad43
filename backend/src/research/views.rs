//! What readers of publications see: the views REST, GraphQL and the portal share.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::Publication;
use utoipa::ToSchema;

use super::files::{self, FileView};
use super::input::{Author, PublicationInput, PublicationText};
use super::store;
use crate::error::{ApiError, ApiResult};
use crate::identity::domain::Country;
use crate::identity::rules as identity;

/// The organisation a publication belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct PublicationOwner {
    pub slug: String,
    pub name: String,
    pub country: Country,
}

/// A publication as a reader sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "Publication")]
#[schema(as = Publication)]
pub struct PublicationView {
    pub id: String,
    pub organisation: PublicationOwner,
    pub publication_type: String,
    pub language: String,
    pub title: String,
    #[serde(rename = "abstract")]
    #[graphql(name = "abstract")]
    pub abstract_text: String,
    pub translations: Vec<PublicationText>,
    pub authors: Vec<Author>,
    pub keywords: Vec<String>,
    pub subjects: Vec<String>,
    pub issued: String,
    pub year: i32,
    pub venue: Option<String>,
    pub doi: Option<String>,
    pub licence: String,
    pub access_level: String,
    pub embargo_until: Option<NaiveDate>,
    /// Increases with every edit; earlier versions are kept.
    pub version: i32,
    pub files: Vec<FileView>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One stored version of a publication's content.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct PublicationVersionView {
    pub version: i32,
    /// `user:<id>` of the editor.
    pub edited_by: String,
    pub edited_at: NaiveDateTime,
    pub content: PublicationInput,
}

pub(super) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> ApiResult<T> {
    serde_json::from_str(text).map_err(ApiError::internal)
}

pub(super) fn to_json<T: Serialize>(value: &T) -> ApiResult<String> {
    serde_json::to_string(value).map_err(ApiError::internal)
}

/// The content of a stored row, as editors wrote it.
pub(super) fn content_of(row: &Publication) -> ApiResult<PublicationInput> {
    let translations: BTreeMap<String, (String, String)> = parse_json(&row.translations_json)?;
    Ok(PublicationInput {
        publication_type: row.publication_type.clone(),
        language: row.language.clone(),
        title: row.title.clone(),
        abstract_text: row.abstract_text.clone(),
        translations: translations
            .into_iter()
            .map(|(lang, (title, abstract_text))| PublicationText {
                lang,
                title,
                abstract_text,
            })
            .collect(),
        authors: parse_json(&row.authors_json)?,
        keywords: parse_json(&row.keywords_json)?,
        subjects: parse_json(&row.subjects_json)?,
        issued: row.issued.clone(),
        venue: row.venue.clone(),
        doi: row.doi.clone(),
        licence: row.licence.clone(),
        access_level: row.access_level.clone(),
        embargo_until: row.embargo_until,
    })
}

pub(super) fn view(conn: &mut DbConnection, row: Publication) -> ApiResult<PublicationView> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a publication view went missing")))
}

/// Views of many publications with a fixed number of queries (owners, files).
pub(super) fn views(
    conn: &mut DbConnection,
    rows: Vec<Publication>,
) -> ApiResult<Vec<PublicationView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let owners =
        identity::organisations_by_ids(conn, rows.iter().map(|r| r.organisation_id.as_str()))?;
    let mut files_by_publication: BTreeMap<String, Vec<FileView>> = BTreeMap::new();
    for file in store::files_of_many(conn, &ids)? {
        files_by_publication
            .entry(file.publication_id.clone())
            .or_default()
            .push(files::view(file));
    }
    rows.into_iter()
        .map(|row| {
            let content = content_of(&row)?;
            let organisation = owners
                .get(&row.organisation_id)
                .map(|o| PublicationOwner {
                    slug: o.slug.clone(),
                    name: o.name.clone(),
                    country: o.country,
                })
                .ok_or_else(|| {
                    ApiError::internal(anyhow::anyhow!(
                        "publication {} has no organisation",
                        row.id
                    ))
                })?;
            Ok(PublicationView {
                files: files_by_publication.remove(&row.id).unwrap_or_default(),
                organisation,
                publication_type: content.publication_type,
                language: content.language,
                title: content.title,
                abstract_text: content.abstract_text,
                translations: content.translations,
                authors: content.authors,
                keywords: content.keywords,
                subjects: content.subjects,
                issued: content.issued,
                venue: content.venue,
                doi: content.doi,
                licence: content.licence,
                access_level: content.access_level,
                embargo_until: content.embargo_until,
                id: row.id,
                year: row.year,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
            })
        })
        .collect()
}

/// What a withdrawn publication leaves for everyone: the last version everyone could read,
/// and when it was withdrawn (a landing page answers 410 with it, so citations still resolve).
#[derive(Debug, Clone, PartialEq)]
pub struct Tombstone {
    pub id: String,
    pub withdrawn_at: NaiveDateTime,
    pub content: PublicationInput,
}
