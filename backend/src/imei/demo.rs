//! The registry's demo data (fictional, see `backend/demo/README.md`): TACs, registered
//! devices and a few reports, written through the same functions as the API.

use serde::Deserialize;
use silkbridge_schema::models::ImeiTac;
use silkbridge_schema::{DbConnection, ids};

use super::domain::{Imei, luhn_check_digit, parse_tac};
use super::lifecycle::{greylist_in, register_in, report_in};
use super::store;
use super::views::{GreylistInput, ReportInput};
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::identity::rules::organisation_by_slug;

pub const DEMO: &str = include_str!("../../demo/imei.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Demo {
    tacs: Vec<DemoTac>,
    registrations: DemoRegistrations,
    reports: Vec<DemoListing>,
    greylist: Vec<DemoListing>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoTac {
    tac: String,
    brand: String,
    model: String,
    device_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoRegistrations {
    organisation: String,
    tacs: Vec<String>,
    per_tac: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DemoListing {
    serial_of: (String, u32),
    reason: String,
    organisation: String,
    case_reference: Option<String>,
    note: Option<String>,
    grace_days: Option<u32>,
}

/// The IMEI with this TAC and serial number (and its check digit).
pub fn imei_of(tac: u32, serial: u32) -> Imei {
    let body = u64::from(tac) * 1_000_000 + u64::from(serial % 1_000_000);
    let digits: Vec<u8> = format!("{body:014}").bytes().map(|b| b - b'0').collect();
    Imei::from_stored((body * 10 + u64::from(luhn_check_digit(&digits))) as i64)
}

fn tac_of(text: &str) -> ApiResult<u32> {
    parse_tac(text).ok_or_else(|| ApiError::internal(anyhow::anyhow!("demo TAC `{text}`")))
}

/// Seeds the registry as `caller` (the demo administrator); returns the devices written.
pub fn seed(conn: &mut DbConnection, caller: &Caller) -> ApiResult<usize> {
    let demo: Demo = serde_json::from_str(DEMO).map_err(ApiError::internal)?;
    let mut rows = Vec::new();
    for tac in &demo.tacs {
        rows.push(ImeiTac {
            tac: tac_of(&tac.tac)? as i32,
            brand: tac.brand.clone(),
            model: tac.model.clone(),
            device_type: tac.device_type.clone(),
            updated_at: ids::now(),
        });
    }
    store::upsert_tacs(conn, &rows)?;
    crate::changes::Change::upsert(super::cache::TAC_KIND, "*").record(conn)?;
    let manufacturer = organisation_by_slug(conn, &demo.registrations.organisation)?;
    let mut imeis = Vec::new();
    for tac in &demo.registrations.tacs {
        let tac = tac_of(tac)?;
        imeis.extend((1..=demo.registrations.per_tac).map(|serial| imei_of(tac, serial)));
    }
    let mut devices =
        register_in(conn, caller, &imeis, Some(&manufacturer.id))?.registered as usize;
    for listing in &demo.reports {
        let organisation = organisation_by_slug(conn, &listing.organisation)?;
        let imei = imei_of(tac_of(&listing.serial_of.0)?, listing.serial_of.1);
        let input = ReportInput {
            reason: listing.reason.clone(),
            case_reference: listing.case_reference.clone().unwrap_or_default(),
            organisation_id: Some(organisation.id),
            note: listing.note.clone(),
        };
        report_in(conn, caller, imei, &input)?;
        devices += usize::from(!imeis.contains(&imei));
    }
    for listing in &demo.greylist {
        let organisation = organisation_by_slug(conn, &listing.organisation)?;
        let imei = imei_of(tac_of(&listing.serial_of.0)?, listing.serial_of.1);
        let input = GreylistInput {
            reason: listing.reason.clone(),
            grace_days: listing.grace_days,
            case_reference: listing.case_reference.clone(),
            organisation_id: Some(organisation.id),
            note: listing.note.clone(),
        };
        greylist_in(conn, caller, imei, &input, 30)?;
        devices += usize::from(!imeis.contains(&imei));
    }
    seed_cases(conn, caller)?;
    Ok(devices)
}

/// The cases of the demo: a phone lost in Tashkent, seen on an Azerbaijani network, found by
/// the Baku police and handed back by the Uzbek embassy in Baku (closed); a stolen phone seen
/// in Baku last week (located, for the workspace); an Azerbaijani fraud case two agencies
/// share. Written through the same functions as the API, as the organisations' editors.
fn seed_cases(conn: &mut DbConnection, caller: &Caller) -> ApiResult<()> {
    use super::cases::access::Viewer;
    use super::cases::domain::{CaseKind, Transition};
    use super::cases::service::open_in;
    use super::cases::transitions::{end_in, found_in, hand_over_in, sighted};
    use super::cases::views::{FoundInput, NewCaseInput};

    let viewer = Viewer::load(conn, caller)?;
    let id_of =
        |conn: &mut DbConnection, slug: &str| organisation_by_slug(conn, slug).map(|o| o.id);
    let (uz_registry, az_registry) = (
        id_of(conn, "demo-uz-device-registry")?,
        id_of(conn, "demo-az-device-registry")?,
    );
    let (baku_police, xezer) = (
        id_of(conn, "demo-baku-police")?,
        id_of(conn, "demo-xezer-mobil")?,
    );
    let quiet = chrono::Duration::hours(24);
    let case = |kind, reference: &str, organisation: &str, summary: &str, imeis: Vec<Imei>| {
        (
            NewCaseInput {
                organisation_id: Some(organisation.to_owned()),
                kind,
                reference: reference.to_owned(),
                confidentiality: None,
                summary: Some(summary.to_owned()),
                imeis: imeis.iter().map(|i| i.to_string()).collect(),
                owner_contact: None,
            },
            imeis,
        )
    };
    let returned = imei_of(35100002, 17);
    let (input, imeis) = case(
        CaseKind::Lost,
        "UZ-LOST-2026-0417",
        &uz_registry,
        "Ipak A2 Pro lost at Tashkent International Airport, terminal 2",
        vec![returned],
    );
    let mut lost = open_in(conn, &viewer, None, &imeis, &input)?;
    sighted(conn, returned, &xezer, ids::now(), quiet)?;
    lost = super::cases::service::reread(conn, &lost.id)?;
    let held = FoundInput {
        organisation_id: Some(baku_police.clone()),
        held_at: "Sabail district police station, Baku".into(),
        note: Some("Handed in by a taxi driver".into()),
    };
    found_in(conn, &viewer, &mut lost, &held)?;
    hand_over_in(
        conn,
        &viewer,
        &mut lost,
        Some("Returned to the owner at the consular section"),
    )?;
    end_in(conn, &viewer, &mut lost, None, Transition::Close, false)?;

    let stolen = imei_of(35100001, 21);
    let (input, imeis) = case(
        CaseKind::Stolen,
        "UZ-ST-2026-1133",
        &uz_registry,
        "Ipak A1 stolen on the Tashkent metro, Chilonzor line",
        vec![stolen],
    );
    open_in(conn, &viewer, None, &imeis, &input)?;
    sighted(conn, stolen, &xezer, ids::now(), quiet)?;

    let (input, imeis) = case(
        CaseKind::Fraud,
        "AZ-FR-2026-0031",
        &az_registry,
        "Handsets of a SIM-box fraud ring seized in Sumqayit",
        vec![imei_of(86200001, 3101), imei_of(86200001, 3102)],
    );
    open_in(conn, &viewer, None, &imeis, &input)?;
    Ok(())
}
