//! Identity's queries. Only this module touches these tables.

use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{Membership, Organisation, User};
use silkbridge_schema::tables::{memberships, organisations, users};

pub fn insert_organisation(conn: &mut DbConnection, row: &Organisation) -> QueryResult<()> {
    diesel::insert_into(organisations::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn organisation_by_slug(
    conn: &mut DbConnection,
    slug: &str,
) -> QueryResult<Option<Organisation>> {
    organisations::table
        .filter(organisations::slug.eq(slug))
        .select(Organisation::as_select())
        .first(conn)
        .optional()
}

pub fn organisation_by_id(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Organisation>> {
    organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(conn)
        .optional()
}

/// Filters of the organisation list.
#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    pub country: Option<String>,
    pub kind: Option<String>,
}

/// Organisations ordered by slug, after `after_slug`.
pub fn list_organisations(
    conn: &mut DbConnection,
    filter: &OrganisationFilter,
    after_slug: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Organisation>> {
    let mut query = organisations::table
        .select(Organisation::as_select())
        .order(organisations::slug.asc())
        .limit(limit)
        .into_boxed();
    if let Some(country) = &filter.country {
        query = query.filter(organisations::country.eq(country.clone()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(organisations::kind.eq(kind.clone()));
    }
    if let Some(after) = after_slug {
        query = query.filter(organisations::slug.gt(after.to_owned()));
    }
    query.load(conn)
}

/// Organisations ordered by id after `after_id`: the rebuild scan.
pub fn organisations_after_id(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> QueryResult<Vec<Organisation>> {
    organisations::table
        .filter(organisations::id.gt(after_id))
        .order(organisations::id.asc())
        .limit(limit)
        .select(Organisation::as_select())
        .load(conn)
}

pub fn count_organisations(conn: &mut DbConnection) -> QueryResult<i64> {
    organisations::table.count().get_result(conn)
}

pub fn insert_user(conn: &mut DbConnection, row: &User) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn insert_membership(conn: &mut DbConnection, row: &Membership) -> QueryResult<()> {
    diesel::insert_into(memberships::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn memberships_of_user(conn: &mut DbConnection, user_id: &str) -> QueryResult<Vec<Membership>> {
    memberships::table
        .filter(memberships::user_id.eq(user_id))
        .select(Membership::as_select())
        .load(conn)
}
