//! The research module's rules. REST, GraphQL, OAI-PMH, citations, the indexer and the seed
//! all come through here, so they agree on who may read what.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use silkbridge_schema::change_log::{self, Operation};
use silkbridge_schema::models::{Publication, PublicationVersion};
use silkbridge_schema::{DbConnection, ids};
use silkbridge_search_index::IndexDocument;
use utoipa::ToSchema;

use super::content::{self, Author, CheckedContent, PublicationInput, PublicationText};
use super::domain::PublicationType;
use super::files::{self, FileView};
use super::store::{self, PublicationFilter, PublicationOrder, Readable};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::pagination::{Page, PageRequest, cursor_time, invalid_cursor, parse_cursor_time};
use crate::identity::caller::Caller;
use crate::identity::domain::{Country, LANGUAGE_TAGS};
use crate::identity::policy::{self, Action, authorize};
use crate::identity::service as identity;
use crate::validate::Validator;

/// The change-log and search kind of publications.
pub const PUBLICATION_KIND: &str = "publication";
const CURSOR_SCOPE: &str = "publications";

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

/// Whether everyone may read the publication on `today`.
pub(super) fn open_on(row: &Publication, today: NaiveDate) -> bool {
    readable_by_all(&row.access_level, row.embargo_until, today)
}

/// Whether content of this access level is readable by everyone on `day`: open, or
/// embargoed with the embargo past.
fn readable_by_all(access_level: &str, embargo_until: Option<NaiveDate>, day: NaiveDate) -> bool {
    match access_level {
        "open" => true,
        "embargoed" => embargo_until.is_some_and(|until| until <= day),
        _ => false,
    }
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// A publication the caller may read, else 404: restricted publications do not reveal that
/// they exist to outsiders.
pub(super) fn readable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Publication> {
    let not_found = || ApiError::not_found(format_args!("publication `{id}`"));
    let row = store::publication(conn, id)?.ok_or_else(not_found)?;
    if row.deleted_at.is_some() {
        return Err(not_found());
    }
    let member = authorize(
        caller,
        Action::ReadOwn {
            organisation_id: &row.organisation_id,
        },
    )
    .is_ok();
    if open_on(&row, today()) || member {
        Ok(row)
    } else {
        Err(not_found())
    }
}

/// A publication the caller may edit (its organisation's editors).
pub(super) fn editable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Publication> {
    let row = readable(conn, caller, id)?;
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

/// Writes checked content into a row.
fn fill(row: &mut Publication, content: &CheckedContent) -> ApiResult<()> {
    let input = &content.input;
    let translations: BTreeMap<&str, (&str, &str)> = input
        .translations
        .iter()
        .map(|t| {
            (
                t.lang.as_str(),
                (t.title.as_str(), t.abstract_text.as_str()),
            )
        })
        .collect();
    row.publication_type = input.publication_type.clone();
    row.language = input.language.clone();
    row.title = input.title.clone();
    row.abstract_text = input.abstract_text.clone();
    row.translations_json = to_json(&translations)?;
    row.authors_json = to_json(&input.authors)?;
    row.keywords_json = to_json(&input.keywords)?;
    row.subjects_json = to_json(&input.subjects)?;
    row.issued = input.issued.clone();
    row.year = content.year;
    row.venue = input.venue.clone();
    row.doi = input.doi.clone();
    row.licence = input.licence.clone();
    row.access_level = input.access_level.clone();
    row.embargo_until = input.embargo_until;
    row.ever_open = row.ever_open || open_on(row, today());
    Ok(())
}

/// Refuses a DOI another live publication already carries.
fn check_doi_unique(conn: &mut DbConnection, row: &Publication) -> ApiResult<()> {
    if let Some(doi) = &row.doi
        && let Some(holder) = store::doi_holder(conn, doi, &row.id)?
    {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("DOI {doi} is already registered for publication {holder}"),
        ));
    }
    Ok(())
}

/// Saves the row's languages, its version and a change-log entry: the steps every write ends with.
fn record(
    conn: &mut DbConnection,
    row: &Publication,
    content: &CheckedContent,
    by: &str,
) -> ApiResult<()> {
    store::replace_languages(conn, &row.id, &content.languages())?;
    store::insert_version(
        conn,
        &PublicationVersion {
            publication_id: row.id.clone(),
            version: row.version,
            content_json: to_json(&content.input)?,
            edited_by: by.to_owned(),
            edited_at: row.updated_at,
        },
    )?;
    changed(conn, &row.id)
}

fn changed(conn: &mut DbConnection, id: &str) -> ApiResult<()> {
    change_log::record(conn, PUBLICATION_KIND, id, Operation::Upsert)?;
    Ok(())
}

/// Creates a publication of the organisation `slug` (its editors).
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    input: PublicationInput,
) -> ApiResult<PublicationView> {
    let organisation = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &organisation.id,
        },
    )?;
    let content = content::check(conn, input)?;
    let now = ids::now();
    let mut row = Publication {
        id: ids::new_id(),
        organisation_id: organisation.id,
        publication_type: String::new(),
        language: String::new(),
        title: String::new(),
        abstract_text: String::new(),
        translations_json: "{}".into(),
        authors_json: "[]".into(),
        keywords_json: "[]".into(),
        subjects_json: "[]".into(),
        issued: String::new(),
        year: 0,
        venue: None,
        doi: None,
        licence: String::new(),
        access_level: String::new(),
        embargo_until: None,
        version: 1,
        ever_open: false,
        deleted_at: None,
        created_by: caller.actor(),
        created_at: now,
        updated_at: now,
    };
    fill(&mut row, &content)?;
    check_doi_unique(conn, &row)?;
    store::insert_publication(conn, &row)?;
    record(conn, &row, &content, &caller.actor())?;
    view(conn, row)
}

/// Replaces a publication's content (its organisation's editors); the previous version stays
/// in the history.
pub fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: PublicationInput,
) -> ApiResult<PublicationView> {
    let mut row = editable(conn, caller, id)?;
    let content = content::check(conn, input)?;
    fill(&mut row, &content)?;
    check_doi_unique(conn, &row)?;
    row.version += 1;
    row.updated_at = ids::now();
    store::save_publication(conn, &row)?;
    record(conn, &row, &content, &caller.actor())?;
    view(conn, row)
}

/// Withdraws a publication (its organisation's editors). The row stays, so harvesters that
/// saw it are told it is deleted; its files stay until an administrator purges them.
pub fn delete(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<()> {
    let mut row = editable(conn, caller, id)?;
    let now = ids::now();
    row.deleted_at = Some(now);
    row.updated_at = now;
    store::save_publication(conn, &row)?;
    changed(conn, &row.id)
}

/// Opens embargoed publications whose date has come: they become `open` with a fresh
/// datestamp, so incremental harvesters pick them up. Run at start and periodically.
pub fn release_embargoes(conn: &mut DbConnection) -> ApiResult<usize> {
    let today = today();
    let mut opened = 0;
    for row in store::embargoes_ended(conn, today)? {
        if store::open_if_embargo_ended(conn, &row.id, today, ids::now())? {
            changed(conn, &row.id)?;
            opened += 1;
        }
    }
    Ok(opened)
}

pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<PublicationView> {
    let row = readable(conn, caller, id)?;
    view(conn, row)
}

/// Every version of a publication's content the caller may read, newest first. Members of
/// the owning organisation see them all; everyone else sees only the versions that were open
/// while they were current (a draft kept `organisation` before it was opened stays private).
pub fn versions(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Vec<PublicationVersionView>> {
    let row = readable(conn, caller, id)?;
    let member = authorize(
        caller,
        Action::ReadOwn {
            organisation_id: &row.organisation_id,
        },
    )
    .is_ok();
    let mut shown = Vec::new();
    // Newest first: each version was current until the next one was written.
    let mut current_until = today();
    for v in store::versions(conn, id)? {
        let content: PublicationInput = parse_json(&v.content_json)?;
        let superseded = current_until;
        current_until = v.edited_at.date();
        // A version was readable by everyone at some point if it was so on the day the next
        // version replaced it (or today, for the current one).
        if member || readable_by_all(&content.access_level, content.embargo_until, superseded) {
            shown.push(PublicationVersionView {
                version: v.version,
                edited_by: v.edited_by,
                edited_at: v.edited_at,
                content,
            });
        }
    }
    Ok(shown)
}

/// Publications by id, in the order asked, each one the caller may read (citation export).
/// An id the caller may not read is a 404, like a single read.
pub fn readable_many(
    conn: &mut DbConnection,
    caller: &Caller,
    ids: &[String],
) -> ApiResult<Vec<PublicationView>> {
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.push(readable(conn, caller, id)?);
    }
    views(conn, rows)
}

fn view(conn: &mut DbConnection, row: Publication) -> ApiResult<PublicationView> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a publication view went missing")))
}

/// Views of many publications with a fixed number of queries (owners, files).
fn views(conn: &mut DbConnection, rows: Vec<Publication>) -> ApiResult<Vec<PublicationView>> {
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

/// Filters and order of a publication list, as received.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, async_graphql::InputObject)]
#[into_params(parameter_in = Query)]
pub struct PublicationQuery {
    /// An organisation's slug.
    pub organisation: Option<String>,
    /// article, conference_paper, report, thesis, book, book_chapter, dataset_paper, preprint.
    pub publication_type: Option<String>,
    /// Issued in this year.
    pub year: Option<i32>,
    /// Issued in or after this year.
    pub year_from: Option<i32>,
    /// Issued in or before this year.
    pub year_to: Option<i32>,
    /// Readable in this language: uz (either script), uz-Latn, uz-Cyrl, az, ru or en.
    pub language: Option<String>,
    /// An SPDX licence id.
    pub licence: Option<String>,
    /// `newest` (default: last changed first), `year` (latest issued first) or `title`.
    pub sort: Option<String>,
}

fn filter_of(
    conn: &mut DbConnection,
    query: &PublicationQuery,
) -> ApiResult<(PublicationFilter, String)> {
    let mut check = Validator::default();
    let mut filter = PublicationFilter::default();
    if let Some(slug) = &query.organisation {
        filter.organisation_id = Some(identity::organisation_by_slug(conn, slug)?.id);
    }
    if let Some(kind) = &query.publication_type {
        filter.publication_type = check
            .parse::<PublicationType>("publication_type", kind)
            .map(|k| k.as_str().to_owned());
    }
    filter.year_from = query.year.or(query.year_from);
    filter.year_to = query.year.or(query.year_to);
    if let (Some(from), Some(to)) = (filter.year_from, filter.year_to)
        && to < from
    {
        check.fail("year_to", "invalid_range", "year_to is before year_from");
    }
    match query.language.as_deref() {
        None => {}
        Some("uz") => filter.languages = vec!["uz-Latn".into(), "uz-Cyrl".into()],
        Some(lang) if LANGUAGE_TAGS.contains(&lang) => filter.languages = vec![lang.to_owned()],
        Some(_) => check.fail(
            "language",
            "unknown_value",
            format!("language must be uz or one of {}", LANGUAGE_TAGS.join(", ")),
        ),
    }
    if let Some(licence) = &query.licence {
        match super::domain::normalise_licence(licence) {
            Ok(id) => filter.licence = Some(id),
            Err(message) => check.fail("licence", "unknown_value", message),
        }
    }
    let sort = query.sort.clone().unwrap_or_else(|| "newest".into());
    if !["newest", "year", "title"].contains(&sort.as_str()) {
        check.fail(
            "sort",
            "unknown_value",
            "sort must be newest, year or title",
        );
    }
    check.finish()?;
    Ok((filter, sort))
}

/// Publications the caller may read, filtered, sorted and paginated by keyset.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    query: &PublicationQuery,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<PublicationView>> {
    let (filter, sort) = filter_of(conn, query)?;
    let scope = format!("{CURSOR_SCOPE}:{sort}");
    let page = PageRequest::parse(limit, cursor, &scope)?;
    let after = page
        .after
        .as_deref()
        .map(|key| key.split_once('\u{1e}').ok_or_else(invalid_cursor))
        .transpose()?;
    let order = match (sort.as_str(), after) {
        ("year", after) => PublicationOrder::Year {
            after: after
                .map(|(y, id)| {
                    Ok::<_, ApiError>((y.parse().map_err(|_| invalid_cursor())?, id.to_owned()))
                })
                .transpose()?,
        },
        ("title", after) => PublicationOrder::Title {
            after: after.map(|(t, id)| (t.to_owned(), id.to_owned())),
        },
        (_, after) => PublicationOrder::Newest {
            after: after
                .map(|(at, id)| Ok::<_, ApiError>((parse_cursor_time(at)?, id.to_owned())))
                .transpose()?,
        },
    };
    let readable = Readable {
        own: policy::read_scope(caller),
        today: Some(today()),
    };
    let rows = store::search(conn, &readable, &filter, &order, page.fetch_limit())?;
    let (rows, next_cursor) = page.split(rows, &scope, |row| {
        let key = match sort.as_str() {
            "year" => row.year.to_string(),
            "title" => row.title.clone(),
            _ => cursor_time(&row.updated_at),
        };
        format!("{key}\u{1e}{}", row.id)
    });
    Ok(Page {
        items: views(conn, rows)?,
        next_cursor,
    })
}

/// The index form of a publication (`country` is its organisation's): the access tokens say
/// who may find it.
fn document(row: &Publication, country: &str) -> ApiResult<Option<IndexDocument>> {
    if row.deleted_at.is_some() {
        return Ok(None);
    }
    let content = content_of(row)?;
    let mut languages = vec![content.language.clone()];
    languages.extend(content.translations.iter().map(|t| t.lang.clone()));
    let tags = content.keywords.clone();
    let mut body = vec![content.abstract_text];
    for text in content.translations {
        body.push(text.title);
        body.push(text.abstract_text);
    }
    body.extend(content.authors.into_iter().map(|a| a.name));
    body.extend(content.keywords);
    body.extend(content.subjects);
    body.extend(content.venue);
    body.extend(content.doi);
    let access = if open_on(row, today()) {
        vec!["public".to_owned()]
    } else {
        vec![format!("org:{}", row.organisation_id)]
    };
    Ok(Some(IndexDocument {
        kind: PUBLICATION_KIND.into(),
        entity_id: row.id.clone(),
        title: row.title.clone(),
        body: body.join("\n"),
        organisation_id: Some(row.organisation_id.clone()),
        country: Some(country.to_owned()),
        access,
        updated_at: row.updated_at.and_utc().timestamp(),
        year: Some(row.year),
        languages,
        licence: Some(row.licence.clone()),
        tags,
    }))
}

/// Search documents of publications, with their organisations' countries read in one query.
fn documents(conn: &mut DbConnection, rows: &[Publication]) -> ApiResult<Vec<IndexDocument>> {
    let owners =
        identity::organisations_by_ids(conn, rows.iter().map(|r| r.organisation_id.as_str()))?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let country = owners
            .get(&row.organisation_id)
            .map(|o| o.country.as_str())
            .unwrap_or_default();
        out.extend(document(row, country)?);
    }
    Ok(out)
}

pub fn index_document(conn: &mut DbConnection, id: &str) -> ApiResult<Option<IndexDocument>> {
    match store::publication(conn, id)? {
        Some(row) => Ok(documents(conn, &[row])?.pop()),
        None => Ok(None),
    }
}

/// The rebuild scan: documents of the publications after `after_id`, and the last id seen.
pub fn index_documents_after(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> ApiResult<(Vec<IndexDocument>, Option<String>)> {
    let rows = store::publications_after_id(conn, after_id, limit)?;
    let last = rows.last().map(|r| r.id.clone());
    Ok((documents(conn, &rows)?, last))
}

pub fn count(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count_publications(conn)?)
}

/// Publications open to everyone now: what a complete harvest must return.
pub fn count_open(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count_open(conn)?)
}
