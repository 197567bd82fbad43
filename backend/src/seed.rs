//! Demo data for every module that exists, multilingual and drawn from real public records
//! (see `backend/demo/README.md`). Seeding is idempotent: what exists is left alone.

use std::collections::BTreeMap;

use serde::Deserialize;
use silkbridge_schema::Database;

use crate::error::{ApiError, ApiResult};
use crate::identity::domain::{Country, Role};
use crate::identity::service::{self as identity, NewOrganisationInput, NewUserInput};

const ORGANISATIONS: &str = include_str!("../demo/organisations.json");

#[derive(Deserialize)]
struct DemoOrganisation {
    slug: String,
    name: String,
    names: BTreeMap<String, String>,
    kind: String,
    country: String,
    website: Option<String>,
}

/// What a seed run added.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedSummary {
    pub organisations: usize,
    pub users: usize,
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

/// Adds the demo data in one transaction.
pub fn demo(db: &Database) -> ApiResult<SeedSummary> {
    let organisations: Vec<DemoOrganisation> =
        serde_json::from_str(ORGANISATIONS).map_err(ApiError::internal)?;
    let mut conn = db.connection()?;
    use diesel::Connection;
    conn.transaction(|conn| {
        let mut summary = SeedSummary::default();
        let first_run = identity::count_organisations(conn)? == 0;
        for org in organisations {
            if identity::organisation_by_slug(conn, &org.slug).is_ok() {
                continue;
            }
            identity::create_organisation(
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
            summary.organisations += 1;
        }
        if first_run {
            identity::create_user(
                conn,
                NewUserInput {
                    display_name: "Demo Administrator".into(),
                    email: Some("admin@example.org".into()),
                    country: None,
                    is_platform_admin: true,
                },
            )?;
            summary.users += 1;
            for (name, email, country, slug, role) in DEMO_PEOPLE {
                let user = identity::create_user(
                    conn,
                    NewUserInput {
                        display_name: (*name).into(),
                        email: Some((*email).into()),
                        country: Some(*country),
                        is_platform_admin: false,
                    },
                )?;
                identity::add_membership(conn, slug, &user.id, *role)?;
                summary.users += 1;
            }
        }
        Ok(summary)
    })
}
