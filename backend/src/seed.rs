//! Demo data for every module that exists, multilingual and drawn from real public records
//! (see `backend/demo/README.md`): each module's `demo.rs` holds its own, this file runs them
//! in one transaction in the order they depend on. Seeding is idempotent: what exists is left
//! alone.

use serde::Deserialize;
use silkbridge_schema::Database;

use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::identity::demo::DemoOrganisation;
use crate::identity::rules as identity;

/// The IMEI demo's organisations (its devices are seeded by `imei::demo`).
#[derive(Deserialize)]
struct DemoImei {
    organisations: Vec<DemoOrganisation>,
}

/// What a seed run added.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedSummary {
    pub organisations: usize,
    pub users: usize,
    pub listings: usize,
    pub publications: usize,
    pub devices: usize,
    pub programmes: usize,
}

/// Adds the demo data in one transaction.
pub fn demo(db: &Database) -> ApiResult<SeedSummary> {
    let marketplace = crate::marketplace::demo::demo()?;
    let research = crate::research::demo::demo()?;
    let hub = crate::hub::demo::demo()?;
    let imei: DemoImei =
        serde_json::from_str(crate::imei::demo::DEMO).map_err(ApiError::internal)?;
    let mut organisations = crate::identity::demo::organisations()?;
    let mut conn = db.connection()?;
    silkbridge_schema::write_transaction(&mut conn, |conn| {
        // Nodes started together seed one after the other; the later ones find the data
        // there (SQLite has one writer at a time anyway).
        if let silkbridge_schema::DbConnection::Postgresql(_) = conn {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("SELECT pg_advisory_xact_lock(7426110004)")?;
        }
        let mut summary = SeedSummary::default();
        let first_run = identity::count_organisations(conn)? == 0;
        let (mut marketplace, mut research) = (marketplace, research);
        organisations.append(&mut marketplace.organisations);
        organisations.append(&mut research.organisations);
        let mut hub = hub;
        organisations.append(&mut hub.organisations);
        organisations.extend(imei.organisations);
        summary.organisations = crate::identity::demo::seed_organisations(conn, organisations)?;
        if first_run {
            let admin = crate::identity::demo::seed_administrator(conn)?;
            summary.users += 1;
            // The demo content is written as each organisation's editors would write it,
            // and the listings approved as the moderator (the demo administrator) would.
            let caller = Caller::seeding_editor(&admin, identity::organisation_ids(conn)?, true);
            summary.listings = crate::marketplace::demo::seed(conn, &caller, marketplace)?;
            summary.publications = crate::research::demo::seed(conn, &caller, research)?;
            summary.devices = crate::imei::demo::seed(conn, &caller)?;
            summary.programmes = crate::hub::demo::seed(conn, &caller, hub)?;
            summary.users += crate::identity::demo::seed_people(conn)?;
        }
        Ok(summary)
    })
}
