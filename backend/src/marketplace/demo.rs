//! The marketplace's demo listings (Uzbek and Azerbaijani IT services, Debian-packaged
//! software), written as their organisations' editors would and approved as a moderator.

use std::collections::BTreeMap;

use serde::Deserialize;
use silkbridge_schema::DbConnection;

use super::input::{DecisionInput, ListingInput, ListingText};
use super::rules;
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::identity::demo::DemoOrganisation;

const MARKETPLACE: &str = include_str!("../../demo/marketplace.json");
const DEBIAN_LISTINGS: &str = include_str!("../../demo/listings-debian.json");

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

/// The demo: the organisations it brings and its listings.
pub(crate) struct Demo {
    pub organisations: Vec<DemoOrganisation>,
    listings: Vec<DemoListing>,
}

pub(crate) fn demo() -> ApiResult<Demo> {
    let marketplace: DemoMarketplace =
        serde_json::from_str(MARKETPLACE).map_err(ApiError::internal)?;
    let mut listings: Vec<DemoListing> =
        serde_json::from_str(DEBIAN_LISTINGS).map_err(ApiError::internal)?;
    listings.extend(marketplace.listings);
    Ok(Demo {
        organisations: marketplace.organisations,
        listings,
    })
}

/// Creates, submits and approves the demo listings; returns how many.
pub(crate) fn seed(conn: &mut DbConnection, caller: &Caller, demo: Demo) -> ApiResult<usize> {
    let mut count = 0;
    for listing in demo.listings {
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
        let created = rules::create(conn, caller, &listing.organisation, input)?;
        rules::submit(conn, caller, &created.id)?;
        rules::decide(
            conn,
            caller,
            &created.id,
            DecisionInput {
                decision: "approve".into(),
                reason: None,
            },
        )?;
        count += 1;
    }
    Ok(count)
}
