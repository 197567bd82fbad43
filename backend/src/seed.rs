//! Demo data for every module that exists, multilingual and drawn from real public records
//! (see `backend/demo/README.md`). Seeding is idempotent: what exists is left alone.

use std::collections::BTreeMap;

use serde::Deserialize;
use silkbridge_schema::Database;

use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::identity::domain::{Country, Role};
use crate::identity::input::{NewOrganisationInput, NewUserInput};
use crate::identity::rules as identity;
use crate::marketplace::input::{DecisionInput, ListingInput, ListingText};
use crate::marketplace::rules as marketplace;
use crate::research::input::{Author, PublicationInput};
use crate::research::rules as research;

const ORGANISATIONS: &str = include_str!("../demo/organisations.json");
const MARKETPLACE: &str = include_str!("../demo/marketplace.json");
const DEBIAN_LISTINGS: &str = include_str!("../demo/listings-debian.json");
const PUBLICATIONS: &str = include_str!("../demo/publications.json");
const ACL_PUBLICATIONS: &str = include_str!("../demo/publications-acl.json");

/// The IMEI demo's organisations (its devices are seeded by `imei::demo`).
#[derive(Deserialize)]
struct DemoImei {
    organisations: Vec<DemoOrganisation>,
}

/// Publications written for the demo in Uzbek (both scripts), Azerbaijani and Russian.
#[derive(Deserialize)]
struct DemoResearch {
    organisations: Vec<DemoOrganisation>,
    publications: Vec<DemoPublication>,
}

#[derive(Deserialize)]
struct DemoPublication {
    organisation: String,
    #[serde(flatten)]
    content: PublicationInput,
}

/// A record of the ACL Anthology corpus (real papers, CC BY 4.0).
#[derive(Deserialize)]
struct AclRecord {
    title: String,
    #[serde(rename = "abstract")]
    abstract_text: String,
    authors: Vec<String>,
    year: i32,
    venue: Option<String>,
    doi: Option<String>,
    publication_type: String,
    license: String,
}

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
    pub publications: usize,
    pub devices: usize,
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
    let research: DemoResearch = serde_json::from_str(PUBLICATIONS).map_err(ApiError::internal)?;
    let acl: Vec<AclRecord> = serde_json::from_str(ACL_PUBLICATIONS).map_err(ApiError::internal)?;
    organisations.extend(marketplace.organisations);
    organisations.extend(research.organisations);
    let imei: DemoImei =
        serde_json::from_str(crate::imei::demo::DEMO).map_err(ApiError::internal)?;
    organisations.extend(imei.organisations);
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
            // The demo content is written as each organisation's editors would write it,
            // and the listings approved as the moderator (the demo administrator) would.
            let caller = Caller::seeding_editor(&admin.id, identity::organisation_ids(conn)?, true);
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
            summary.publications = seed_publications(conn, &caller, research.publications, acl)?;
            summary.devices = crate::imei::demo::seed(conn, &caller)?;
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

/// The written publications, then the ACL Anthology papers deposited alternately with a
/// Tashkent and a Baku university (demonstration only: neither wrote them). A few are
/// organisation-only or embargoed, to show access control.
fn seed_publications(
    conn: &mut silkbridge_schema::DbConnection,
    caller: &Caller,
    written: Vec<DemoPublication>,
    acl: Vec<AclRecord>,
) -> ApiResult<usize> {
    let mut count = 0;
    for publication in written {
        research::create(conn, caller, &publication.organisation, publication.content)?;
        count += 1;
    }
    for (i, paper) in acl.into_iter().enumerate() {
        let (access_level, embargo_until) = match i % 40 {
            7 => ("organisation", None),
            19 => ("embargoed", chrono::NaiveDate::from_ymd_opt(2031, 1, 1)),
            _ => ("open", None),
        };
        let organisation = if i % 2 == 0 {
            "tuit"
        } else {
            "khazar-university"
        };
        let input = PublicationInput {
            publication_type: paper.publication_type,
            language: "en".into(),
            title: paper.title,
            abstract_text: paper.abstract_text,
            translations: Vec::new(),
            authors: paper
                .authors
                .into_iter()
                .map(|name| Author {
                    name,
                    orcid: None,
                    affiliation: None,
                    organisation: None,
                })
                .collect(),
            keywords: Vec::new(),
            subjects: vec!["6.2 Languages and literature".into()],
            issued: paper.year.to_string(),
            venue: paper.venue,
            doi: paper.doi,
            licence: paper.license,
            access_level: access_level.into(),
            embargo_until,
        };
        research::create(conn, caller, organisation, input)?;
        count += 1;
    }
    Ok(count)
}
