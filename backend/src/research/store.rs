//! The research module's queries. Only this module touches these tables.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{Publication, PublicationFile, PublicationVersion};
use silkbridge_schema::tables::{
    publication_files, publication_languages, publication_versions, publications,
};

pub fn publication(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Publication>> {
    publications::table
        .find(id)
        .select(Publication::as_select())
        .first(conn)
        .optional()
}

pub fn insert_publication(conn: &mut DbConnection, row: &Publication) -> QueryResult<()> {
    diesel::insert_into(publications::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn save_publication(conn: &mut DbConnection, row: &Publication) -> QueryResult<()> {
    diesel::update(publications::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

/// Another live publication with this DOI, if any.
pub fn doi_holder(
    conn: &mut DbConnection,
    doi: &str,
    except_id: &str,
) -> QueryResult<Option<String>> {
    publications::table
        .filter(publications::doi.eq(doi))
        .filter(publications::deleted_at.is_null())
        .filter(publications::id.ne(except_id))
        .select(publications::id)
        .first(conn)
        .optional()
}

pub fn replace_languages(conn: &mut DbConnection, id: &str, langs: &[String]) -> QueryResult<()> {
    diesel::delete(
        publication_languages::table.filter(publication_languages::publication_id.eq(id)),
    )
    .execute(conn)?;
    for lang in langs {
        diesel::insert_into(publication_languages::table)
            .values((
                publication_languages::publication_id.eq(id),
                publication_languages::lang.eq(lang),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_version(conn: &mut DbConnection, row: &PublicationVersion) -> QueryResult<()> {
    diesel::insert_into(publication_versions::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn versions(conn: &mut DbConnection, id: &str) -> QueryResult<Vec<PublicationVersion>> {
    publication_versions::table
        .filter(publication_versions::publication_id.eq(id))
        .order(publication_versions::version.desc())
        .select(PublicationVersion::as_select())
        .load(conn)
}

/// Who may be shown a publication in a list: open ones (or embargoes past `today`) for
/// everyone, plus everything of the organisations in `own`.
#[derive(Debug, Clone, Default)]
pub struct Readable {
    pub own: Vec<String>,
    pub today: Option<NaiveDate>,
}

/// Filters of a publication list, already validated.
#[derive(Debug, Clone, Default)]
pub struct PublicationFilter {
    pub organisation_id: Option<String>,
    pub publication_type: Option<String>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    /// Any of these language tags.
    pub languages: Vec<String>,
    pub licence: Option<String>,
}

/// The order of a list and the keyset position to continue after.
#[derive(Debug, Clone)]
pub enum PublicationOrder {
    /// Most recently changed first.
    Newest {
        after: Option<(NaiveDateTime, String)>,
    },
    /// Most recently issued (by year) first.
    Year { after: Option<(i32, String)> },
    /// Alphabetical by title.
    Title { after: Option<(String, String)> },
}

pub fn search(
    conn: &mut DbConnection,
    readable: &Readable,
    filter: &PublicationFilter,
    order: &PublicationOrder,
    limit: i64,
) -> QueryResult<Vec<Publication>> {
    let mut query = publications::table
        .select(Publication::as_select())
        .filter(publications::deleted_at.is_null())
        .into_boxed();
    let today = readable
        .today
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    query = query.filter(
        publications::access_level
            .eq("open")
            .or(publications::access_level
                .eq("embargoed")
                .and(publications::embargo_until.le(today)))
            .or(publications::organisation_id.eq_any(readable.own.clone())),
    );
    if let Some(org) = &filter.organisation_id {
        query = query.filter(publications::organisation_id.eq(org.clone()));
    }
    if let Some(kind) = &filter.publication_type {
        query = query.filter(publications::publication_type.eq(kind.clone()));
    }
    if let Some(from) = filter.year_from {
        query = query.filter(publications::year.ge(from));
    }
    if let Some(to) = filter.year_to {
        query = query.filter(publications::year.le(to));
    }
    if let Some(licence) = &filter.licence {
        query = query.filter(publications::licence.eq(licence.clone()));
    }
    if !filter.languages.is_empty() {
        query = query.filter(
            publications::id.eq_any(
                publication_languages::table
                    .filter(publication_languages::lang.eq_any(filter.languages.clone()))
                    .select(publication_languages::publication_id),
            ),
        );
    }
    match order {
        PublicationOrder::Newest { after } => {
            query = query.order((publications::updated_at.desc(), publications::id.desc()));
            if let Some((at, id)) = after {
                // The bound first, so the index can seek to the page at any depth.
                query = query.filter(publications::updated_at.le(*at)).filter(
                    publications::updated_at
                        .lt(*at)
                        .or(publications::id.lt(id.clone())),
                );
            }
        }
        PublicationOrder::Year { after } => {
            query = query.order((publications::year.desc(), publications::id.desc()));
            if let Some((year, id)) = after {
                query = query.filter(publications::year.le(*year)).filter(
                    publications::year
                        .lt(*year)
                        .or(publications::id.lt(id.clone())),
                );
            }
        }
        PublicationOrder::Title { after } => {
            query = query.order((publications::title.asc(), publications::id.asc()));
            if let Some((title, id)) = after {
                query = query.filter(publications::title.ge(title.clone())).filter(
                    publications::title
                        .gt(title.clone())
                        .or(publications::id.gt(id.clone())),
                );
            }
        }
    }
    query.limit(limit).load(conn)
}

/// The OAI-PMH selection: what harvesters have seen, by datestamp window and set.
#[derive(Debug, Clone, Default)]
pub struct HarvestFilter {
    pub from: Option<NaiveDateTime>,
    /// Exclusive upper bound.
    pub until_before: Option<NaiveDateTime>,
    pub organisation_id: Option<String>,
    pub publication_type: Option<String>,
}

/// One page of the harvest, in (datestamp, id) order after `after`: an index range scan on
/// `publications_oai`, the same cost at any depth.
pub fn harvest_page(
    conn: &mut DbConnection,
    filter: &HarvestFilter,
    after: Option<&(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<Publication>> {
    let mut query = publications::table
        .select(Publication::as_select())
        .filter(publications::ever_open.eq(true))
        .order((publications::updated_at.asc(), publications::id.asc()))
        .into_boxed();
    if let Some(from) = filter.from {
        query = query.filter(publications::updated_at.ge(from));
    }
    if let Some(before) = filter.until_before {
        query = query.filter(publications::updated_at.lt(before));
    }
    if let Some(org) = &filter.organisation_id {
        query = query.filter(publications::organisation_id.eq(org.clone()));
    }
    if let Some(kind) = &filter.publication_type {
        query = query.filter(publications::publication_type.eq(kind.clone()));
    }
    if let Some((at, id)) = after {
        // `updated_at >= at` first: a range the index seeks to, so a page costs the same at
        // any depth (with only the OR, SQLite walks the harvest from its start).
        query = query.filter(publications::updated_at.ge(*at)).filter(
            publications::updated_at
                .gt(*at)
                .or(publications::id.gt(id.clone())),
        );
    }
    query.limit(limit).load(conn)
}

/// The oldest datestamp harvesters can ask for.
pub fn earliest_datestamp(conn: &mut DbConnection) -> QueryResult<Option<NaiveDateTime>> {
    publications::table
        .filter(publications::ever_open.eq(true))
        .select(diesel::dsl::min(publications::updated_at))
        .first(conn)
}

/// Organisations with something in the harvest (for ListSets).
pub fn harvested_organisations(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    publications::table
        .filter(publications::ever_open.eq(true))
        .select(publications::organisation_id)
        .distinct()
        .load(conn)
}

/// Embargoed publications whose date has come.
/// Opens one embargoed publication if, as committed now, it is still embargoed until a day
/// that has come: only the access fields change, so an edit made since the pass read the
/// row is kept, and a publication made private meanwhile stays private.
pub fn open_if_embargo_ended(
    conn: &mut DbConnection,
    id: &str,
    today: NaiveDate,
    now: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        publications::table
            .find(id)
            .filter(publications::access_level.eq("embargoed"))
            .filter(publications::embargo_until.le(today))
            .filter(publications::deleted_at.is_null()),
    )
    .set((
        publications::access_level.eq("open"),
        publications::ever_open.eq(true),
        publications::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn embargoes_ended(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<Vec<Publication>> {
    publications::table
        .filter(publications::access_level.eq("embargoed"))
        .filter(publications::embargo_until.le(today))
        .filter(publications::deleted_at.is_null())
        .select(Publication::as_select())
        .load(conn)
}

pub fn publications_after_id(
    conn: &mut DbConnection,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<Publication>> {
    publications::table
        .filter(publications::id.gt(after))
        .order(publications::id.asc())
        .limit(limit)
        .select(Publication::as_select())
        .load(conn)
}

pub fn count_publications(conn: &mut DbConnection) -> QueryResult<i64> {
    publications::table.count().get_result(conn)
}

/// Publications that are open now and not deleted: what a harvest must return.
pub fn count_open(conn: &mut DbConnection) -> QueryResult<i64> {
    publications::table
        .filter(publications::deleted_at.is_null())
        .filter(publications::access_level.eq("open"))
        .count()
        .get_result(conn)
}

pub fn files_of_many(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<PublicationFile>> {
    publication_files::table
        .filter(publication_files::publication_id.eq_any(ids))
        .order(publication_files::created_at.asc())
        .select(PublicationFile::as_select())
        .load(conn)
}

pub fn file(
    conn: &mut DbConnection,
    publication_id: &str,
    id: &str,
) -> QueryResult<Option<PublicationFile>> {
    publication_files::table
        .find(id)
        .filter(publication_files::publication_id.eq(publication_id))
        .select(PublicationFile::as_select())
        .first(conn)
        .optional()
}

pub fn count_files(conn: &mut DbConnection, publication_id: &str) -> QueryResult<i64> {
    publication_files::table
        .filter(publication_files::publication_id.eq(publication_id))
        .count()
        .get_result(conn)
}

pub fn insert_file(conn: &mut DbConnection, row: &PublicationFile) -> QueryResult<()> {
    diesel::insert_into(publication_files::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn delete_file(conn: &mut DbConnection, id: &str) -> QueryResult<usize> {
    diesel::delete(publication_files::table.find(id)).execute(conn)
}

/// Which of `keys` a publication file row refers to (for the object sweeper).
pub fn known_object_keys(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<String>> {
    publication_files::table
        .filter(publication_files::object_key.eq_any(keys))
        .select(publication_files::object_key)
        .load(conn)
}
