//! Demo data for every module that exists, multilingual and drawn from real public records
//! (see `backend/demo/README.md`). Seeding is idempotent: what exists is left alone.

use std::collections::BTreeMap;

use serde::Deserialize;
use silkbridge_schema::Database;

use crate::error::{ApiError, ApiResult};
use crate::identity::caller::{Caller, UserCaller};
use crate::identity::domain::{Country, Role};
use crate::identity::service::{self as identity, NewOrganisationInput, NewUserInput};
use crate::marketplace::service::{self as marketplace, DecisionInput, ListingInput, ListingText};

const ORGANISATIONS: &str = include_str!("../demo/organisations.json");
const MARKETPLACE: &str = include_str!("../demo/marketplace.json");
const DEBIAN_LISTINGS: &str = include_str!("../demo/listings-debian.json");

#[derive(Deserialize)]
struct DemoMarketplace {
    organisations: Vec<DemoOrganisation>,
    listings: Vec<DemoListing>,
}

#[derive(Deserialize)]
struct DemoListing {
    organisation: String,
    kind: String,
    title: String,
    description: String,
    #[serde(default)]
    translations: BTreeMap<String, DemoText>,
    categories: Vec<String>,
    countries: Vec<String>,
    price_model: String,
    price_min: Option<i64>,
    price_max: Option<i64>,
    currency: Option<String>,
    starts_at: Option<chrono::NaiveDateTime>,
    ends_at: Option<chrono::NaiveDateTime>,
    contact_url: Option<String>,
}

#[derive(Deserialize)]
struct DemoText {
    title: String,
    description: String,
}

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
    pub listings: usize,
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
    let mut organisations: Vec<DemoOrganisation> =
        serde_json::from_str(ORGANISATIONS).map_err(ApiError::internal)?;
    let marketplace: DemoMarketplace =
        serde_json::from_str(MARKETPLACE).map_err(ApiError::internal)?;
    let mut listings: Vec<DemoListing> =
        serde_json::from_str(DEBIAN_LISTINGS).map_err(ApiError::internal)?;
    organisations.extend(marketplace.organisations);
    listings.extend(marketplace.listings);
    let mut conn = db.connection()?;
    silkbridge_schema::write_transaction(&mut conn, |conn| {
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
            let admin = identity::create_user(
                conn,
                NewUserInput {
                    display_name: "Demo Administrator".into(),
                    email: Some("admin@example.org".into()),
                    country: None,
                    is_platform_admin: true,
                },
            )?;
            identity::set_moderator_unchecked(conn, &admin.id, true)?;
            summary.users += 1;
            // The demo administrator (a platform admin and moderator) lists and approves.
            let caller = Caller::User(UserCaller {
                id: admin.id.clone(),
                session_id: "demo-seed".into(),
                platform_admin: true,
                moderator: true,
                memberships: Vec::new(),
            });
            for listing in listings {
                let input = ListingInput {
                    kind: listing.kind,
                    title: listing.title,
                    description: listing.description,
                    translations: listing
                        .translations
                        .into_iter()
                        .map(|(lang, t)| ListingText {
                            lang,
                            title: t.title,
                            description: t.description,
                        })
                        .collect(),
                    categories: listing.categories,
                    countries: listing.countries,
                    price_model: listing.price_model,
                    price_min: listing.price_min,
                    price_max: listing.price_max,
                    currency: listing.currency,
                    starts_at: listing.starts_at,
                    ends_at: listing.ends_at,
                    contact_email: None,
                    contact_url: listing.contact_url,
                };
                let created = marketplace::create(conn, &caller, &listing.organisation, input)?;
                marketplace::submit(conn, &caller, &created.id)?;
                marketplace::decide(
                    conn,
                    &caller,
                    &created.id,
                    DecisionInput {
                        decision: "approve".into(),
                        reason: None,
                    },
                )?;
                summary.listings += 1;
            }
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
