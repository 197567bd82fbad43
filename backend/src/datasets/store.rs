//! The open-data module's queries. Only this module touches these tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{Dataset, DatasetResource};
use silkbridge_schema::tables::{dataset_resources, dataset_tags, dataset_themes, datasets};

pub fn dataset(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Dataset>> {
    datasets::table
        .find(id)
        .select(Dataset::as_select())
        .first(conn)
        .optional()
}

/// Every dataset a key may name: the one with that id, and those with that name (names are
/// unique within an organisation and among public datasets, not across private ones).
/// Oldest first, so a choice among them is stable.
pub fn datasets_keyed(conn: &mut DbConnection, key: &str) -> QueryResult<Vec<Dataset>> {
    datasets::table
        .filter(datasets::id.eq(key).or(datasets::name.eq(key)))
        .order((datasets::created_at.asc(), datasets::id.asc()))
        .limit(50)
        .select(Dataset::as_select())
        .load(conn)
}

/// Whether `name` is taken where its owner could see it: by another dataset of the same
/// organisation (deleted ones keep their names) or by any dataset that is not private. A
/// private dataset of another organisation does not count: saying so would confirm its name.
pub fn name_taken(
    conn: &mut DbConnection,
    name: &str,
    organisation_id: &str,
    except_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        datasets::table
            .filter(datasets::name.eq(name))
            .filter(datasets::id.ne(except_id))
            .filter(
                datasets::organisation_id
                    .eq(organisation_id)
                    .or(datasets::private.eq(false)),
            ),
    ))
    .get_result(conn)
}

pub fn insert_dataset(conn: &mut DbConnection, row: &Dataset) -> QueryResult<()> {
    diesel::insert_into(datasets::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn save_dataset(conn: &mut DbConnection, row: &Dataset) -> QueryResult<()> {
    diesel::update(datasets::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(drop)
}

pub fn touch(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(datasets::table.find(id))
        .set(datasets::updated_at.eq(at))
        .execute(conn)
        .map(drop)
}

pub fn replace_tags(conn: &mut DbConnection, id: &str, tags: &[String]) -> QueryResult<()> {
    diesel::delete(dataset_tags::table.filter(dataset_tags::dataset_id.eq(id))).execute(conn)?;
    for tag in tags {
        diesel::insert_into(dataset_tags::table)
            .values((dataset_tags::dataset_id.eq(id), dataset_tags::tag.eq(tag)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn replace_themes(conn: &mut DbConnection, id: &str, themes: &[String]) -> QueryResult<()> {
    diesel::delete(dataset_themes::table.filter(dataset_themes::dataset_id.eq(id)))
        .execute(conn)?;
    for theme in themes {
        diesel::insert_into(dataset_themes::table)
            .values((
                dataset_themes::dataset_id.eq(id),
                dataset_themes::theme.eq(theme),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// (dataset id, tag) of these datasets, tags in order.
pub fn tags_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    dataset_tags::table
        .filter(dataset_tags::dataset_id.eq_any(ids))
        .order((dataset_tags::dataset_id, dataset_tags::tag))
        .select((dataset_tags::dataset_id, dataset_tags::tag))
        .load(conn)
}

pub fn themes_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    dataset_themes::table
        .filter(dataset_themes::dataset_id.eq_any(ids))
        .order((dataset_themes::dataset_id, dataset_themes::theme))
        .select((dataset_themes::dataset_id, dataset_themes::theme))
        .load(conn)
}

pub fn resources_of(conn: &mut DbConnection, ids: &[String]) -> QueryResult<Vec<DatasetResource>> {
    dataset_resources::table
        .filter(dataset_resources::dataset_id.eq_any(ids))
        .order((dataset_resources::dataset_id, dataset_resources::position))
        .select(DatasetResource::as_select())
        .load(conn)
}

pub fn resource(conn: &mut DbConnection, id: &str) -> QueryResult<Option<DatasetResource>> {
    dataset_resources::table
        .find(id)
        .select(DatasetResource::as_select())
        .first(conn)
        .optional()
}

pub fn insert_resource(conn: &mut DbConnection, row: &DatasetResource) -> QueryResult<()> {
    diesel::insert_into(dataset_resources::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn delete_resource(conn: &mut DbConnection, id: &str) -> QueryResult<()> {
    diesel::delete(dataset_resources::table.find(id))
        .execute(conn)
        .map(drop)
}

/// The position after the dataset's last resource, and how many it has.
pub fn resource_slot(conn: &mut DbConnection, dataset_id: &str) -> QueryResult<(i32, i64)> {
    let (max, count): (Option<i32>, i64) = dataset_resources::table
        .filter(dataset_resources::dataset_id.eq(dataset_id))
        .select((
            diesel::dsl::max(dataset_resources::position),
            diesel::dsl::count_star(),
        ))
        .first(conn)?;
    Ok((max.map_or(0, |m| m + 1), count))
}

/// Who may be shown a dataset in a list: active public ones for everyone, plus the active
/// private ones of the organisations in `own`.
#[derive(Debug, Clone, Default)]
pub struct Readable {
    pub own: Vec<String>,
}

/// Filters of a dataset list, already validated.
#[derive(Debug, Clone, Default)]
pub struct DatasetFilter {
    pub organisation_id: Option<String>,
    pub tag: Option<String>,
    pub theme: Option<String>,
    pub licence: Option<String>,
    /// Only datasets with a resource of this format (upper-case).
    pub format: Option<String>,
    /// Only these ids (a full-text pre-selection).
    pub ids: Option<Vec<String>>,
}

/// The order of a list and the keyset position to continue after.
#[derive(Debug, Clone)]
pub enum DatasetOrder {
    /// By name, A to Z.
    /// By (name, id): names repeat across organisations' private datasets.
    Name { after: Option<(String, String)> },
    /// Most recently changed first.
    Newest {
        after: Option<(NaiveDateTime, String)>,
    },
}

pub fn list(
    conn: &mut DbConnection,
    readable: &Readable,
    filter: &DatasetFilter,
    order: &DatasetOrder,
    limit: i64,
) -> QueryResult<Vec<Dataset>> {
    let mut query = datasets::table
        .select(Dataset::as_select())
        .filter(datasets::state.eq("active"))
        .into_boxed();
    query = query.filter(
        datasets::private
            .eq(false)
            .or(datasets::organisation_id.eq_any(readable.own.clone())),
    );
    if let Some(org) = &filter.organisation_id {
        query = query.filter(datasets::organisation_id.eq(org.clone()));
    }
    if let Some(licence) = &filter.licence {
        query = query.filter(datasets::licence_id.eq(licence.clone()));
    }
    if let Some(tag) = &filter.tag {
        query = query.filter(
            datasets::id.eq_any(
                dataset_tags::table
                    .filter(dataset_tags::tag.eq(tag.clone()))
                    .select(dataset_tags::dataset_id),
            ),
        );
    }
    if let Some(theme) = &filter.theme {
        query = query.filter(
            datasets::id.eq_any(
                dataset_themes::table
                    .filter(dataset_themes::theme.eq(theme.clone()))
                    .select(dataset_themes::dataset_id),
            ),
        );
    }
    if let Some(format) = &filter.format {
        query = query.filter(
            datasets::id.eq_any(
                dataset_resources::table
                    .filter(dataset_resources::format.eq(format.clone()))
                    .select(dataset_resources::dataset_id),
            ),
        );
    }
    if let Some(ids) = &filter.ids {
        query = query.filter(datasets::id.eq_any(ids.clone()));
    }
    match order {
        DatasetOrder::Name { after } => {
            query = query.order((datasets::name.asc(), datasets::id.asc()));
            if let Some((name, id)) = after {
                query = query.filter(
                    datasets::name.gt(name.clone()).or(datasets::name
                        .eq(name.clone())
                        .and(datasets::id.gt(id.clone()))),
                );
            }
        }
        DatasetOrder::Newest { after } => {
            query = query.order((datasets::updated_at.desc(), datasets::id.desc()));
            if let Some((at, id)) = after {
                query = query
                    .filter(datasets::updated_at.le(*at))
                    .filter(datasets::updated_at.lt(*at).or(datasets::id.lt(id.clone())));
            }
        }
    }
    query.limit(limit).load(conn)
}

/// Names of the active public datasets, A to Z (CKAN's `package_list`).
pub fn public_names(conn: &mut DbConnection, offset: i64, limit: i64) -> QueryResult<Vec<String>> {
    datasets::table
        .filter(datasets::state.eq("active"))
        .filter(datasets::private.eq(false))
        .order(datasets::name.asc())
        .select(datasets::name)
        .offset(offset)
        .limit(limit)
        .load(conn)
}

/// Active public datasets, A to Z, one page (the DCAT catalogue).
pub fn public_page(conn: &mut DbConnection, offset: i64, limit: i64) -> QueryResult<Vec<Dataset>> {
    datasets::table
        .filter(datasets::state.eq("active"))
        .filter(datasets::private.eq(false))
        .order(datasets::name.asc())
        .select(Dataset::as_select())
        .offset(offset)
        .limit(limit)
        .load(conn)
}

/// Active public datasets, of one organisation or all.
pub fn count_public(conn: &mut DbConnection, organisation_id: Option<&str>) -> QueryResult<i64> {
    let mut query = datasets::table
        .filter(datasets::state.eq("active"))
        .filter(datasets::private.eq(false))
        .into_boxed();
    if let Some(org) = organisation_id {
        query = query.filter(datasets::organisation_id.eq(org.to_owned()));
    }
    query.count().get_result(conn)
}

/// Distinct tags of active public datasets, A to Z (CKAN's `tag_list`).
pub fn public_tags(conn: &mut DbConnection, containing: Option<&str>) -> QueryResult<Vec<String>> {
    let mut query = dataset_tags::table
        .inner_join(datasets::table)
        .filter(datasets::state.eq("active"))
        .filter(datasets::private.eq(false))
        .select(dataset_tags::tag)
        .distinct()
        .order(dataset_tags::tag.asc())
        .into_boxed();
    if let Some(text) = containing {
        query = query.filter(dataset_tags::tag.like(format!("%{text}%")));
    }
    query.load(conn)
}

pub fn datasets_after_id(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> QueryResult<Vec<Dataset>> {
    datasets::table
        .filter(datasets::id.gt(after_id))
        .order(datasets::id.asc())
        .select(Dataset::as_select())
        .limit(limit)
        .load(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    datasets::table.count().get_result(conn)
}

/// Which of `keys` a resource row refers to (for the object sweeper).
pub fn known_object_keys(conn: &mut DbConnection, keys: &[String]) -> QueryResult<Vec<String>> {
    dataset_resources::table
        .filter(dataset_resources::object_key.eq_any(keys))
        .select(dataset_resources::object_key.assume_not_null())
        .load(conn)
}
