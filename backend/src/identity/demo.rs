//! Identity's demo data: the organisations every module's demo brings, the demo
//! administrator (also the marketplace moderator) and a few people with their memberships.
//! The e-mail addresses are in the reserved `example.org` domain.

use std::collections::BTreeMap;

use serde::Deserialize;
use silkbridge_schema::DbConnection;

use super::domain::{Country, Role};
use super::input::{NewOrganisationInput, NewUserInput};
use super::rules;
use crate::error::{ApiError, ApiResult};

const ORGANISATIONS: &str = include_str!("../../demo/organisations.json");

/// An organisation as the demo files describe it.
#[derive(Deserialize)]
pub(crate) struct DemoOrganisation {
    slug: String,
    name: String,
    names: BTreeMap<String, String>,
    kind: String,
    country: String,
    website: Option<String>,
}

/// Demo people: (display name, e-mail, country, organisation slug, role). The e-mail
/// addresses are in the reserved `example.org` domain.
const DEMO_PEOPLE: &[(&str, &str, Country, &str, Role)] = &[
    (
        "Dilnoza Karimova",
        "dilnoza.karimova@example.org",
        Country::Uz,
        "stat-uz",
        Role::Editor,
    ),
    (
        "Sardor Yusupov",
        "sardor.yusupov@example.org",
        Country::Uz,
        "botany-uz",
        Role::Editor,
    ),
    (
        "Rashad Aliyev",
        "rashad.aliyev@example.org",
        Country::Az,
        "azstat",
        Role::Editor,
    ),
    (
        "Leyla Mammadova",
        "leyla.mammadova@example.org",
        Country::Az,
        "khazar-university",
        Role::Admin,
    ),
];

/// Identity's own demo organisations (the registry's agencies and universities).
pub(crate) fn organisations() -> ApiResult<Vec<DemoOrganisation>> {
    serde_json::from_str(ORGANISATIONS).map_err(ApiError::internal)
}

/// Creates the organisations that do not exist yet; returns how many it added.
pub(crate) fn seed_organisations(
    conn: &mut DbConnection,
    organisations: Vec<DemoOrganisation>,
) -> ApiResult<usize> {
    let mut added = 0;
    for org in organisations {
        if rules::organisation_by_slug(conn, &org.slug).is_ok() {
            continue;
        }
        rules::create_organisation(
            conn,
            NewOrganisationInput {
                slug: org.slug,
                name: org.name,
                names: org.names,
                kind: org.kind,
                country: org.country,
                website: org.website,
            },
        )?;
        added += 1;
    }
    Ok(added)
}

/// The demo administrator, a platform administrator and moderator; returns their id.
pub(crate) fn seed_administrator(conn: &mut DbConnection) -> ApiResult<String> {
    let admin = rules::create_user(
        conn,
        NewUserInput {
            display_name: "Demo Administrator".into(),
            email: Some("admin@example.org".into()),
            country: None,
            is_platform_admin: true,
        },
    )?;
    rules::set_moderator_unchecked(conn, &admin.id, true)?;
    Ok(admin.id)
}

/// The demo people and their memberships; returns how many.
pub(crate) fn seed_people(conn: &mut DbConnection) -> ApiResult<usize> {
    for (name, email, country, slug, role) in DEMO_PEOPLE {
        let user = rules::create_user(
            conn,
            NewUserInput {
                display_name: (*name).into(),
                email: Some((*email).into()),
                country: Some(*country),
                is_platform_admin: false,
            },
        )?;
        rules::add_membership(conn, slug, &user.id, *role)?;
    }
    Ok(DEMO_PEOPLE.len())
}
