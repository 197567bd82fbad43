//! Row types: what a table holds, in storage form (plain strings for enumerations, naive UTC
//! timestamps). Validation and the domain enums live in the backend modules that own the rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::tables::{change_log, memberships, organisations, users};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: String,
    pub slug: String,
    pub name: String,
    /// Names by language tag (`uz-Latn`, `uz-Cyrl`, `az`, `ru`, `en`) as a JSON object.
    pub names_json: String,
    pub kind: String,
    pub country: String,
    pub website: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub country: Option<String>,
    pub is_platform_admin: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub organisation_id: String,
    pub user_id: String,
    pub role: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = change_log)]
pub struct ChangeLogEntry {
    pub id: i64,
    pub txid: i64,
    pub entity_kind: String,
    pub entity_id: String,
    pub operation: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = change_log)]
pub struct NewChange {
    pub entity_kind: String,
    pub entity_id: String,
    pub operation: String,
    pub created_at: NaiveDateTime,
}
