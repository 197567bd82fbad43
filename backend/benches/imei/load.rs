//! The registry the benchmark checks against: `devices` IMEIs over 100 generated TACs
//! (synthetic, not GSMA allocations), one in a hundred black- or grey-listed, written with
//! multi-row inserts straight into the IMEI tables (loading is not what is measured).

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use silkbridge::imei::demo::imei_of;
use silkbridge_schema::{Database, DbConnection};

pub const TACS: u32 = 100;
const FIRST_TAC: u32 = 35_200_000;

/// The `i`-th IMEI of the registry (0-based).
pub fn nth_imei(i: u64, devices: u64) -> u64 {
    let per_tac = devices.div_ceil(u64::from(TACS));
    let tac = FIRST_TAC + (i / per_tac) as u32;
    imei_of(tac, (i % per_tac) as u32).as_u64()
}

/// Whether the `i`-th device is listed (one in a hundred).
pub fn is_listed(i: u64) -> bool {
    i % 100 == 7
}

fn registry_size(conn: &mut DbConnection) -> i64 {
    use silkbridge_schema::tables::imei_devices::dsl;
    dsl::imei_devices.count().get_result(conn).unwrap_or(0)
}

/// Loads the registry unless it already holds `devices` devices.
pub fn ensure(db: &Database, devices: u64) {
    let mut conn = db.connection().unwrap();
    if registry_size(&mut conn) == devices as i64 {
        eprintln!("registry already holds {devices} devices");
        return;
    }
    conn.batch_execute("DELETE FROM imei_reads; DELETE FROM imei_events; DELETE FROM imei_devices; DELETE FROM imei_tacs;")
        .unwrap();
    let now = "'2026-11-25 00:00:00'";
    let tacs: Vec<String> = (0..TACS)
        .map(|t| {
            format!(
                "({}, 'Bench (synthetic)', 'Model {t}', 'Smartphone', {now})",
                FIRST_TAC + t
            )
        })
        .collect();
    conn.batch_execute(&format!(
        "INSERT INTO imei_tacs (tac, brand, model, device_type, updated_at) VALUES {}",
        tacs.join(",")
    ))
    .unwrap();
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(devices);
    let mut i = 0u64;
    while i < devices {
        let mut sql = String::from("BEGIN;");
        for _ in 0..40 {
            if i >= devices {
                break;
            }
            let end = (i + 5_000).min(devices);
            let rows: Vec<String> = (i..end)
                .map(|n| {
                    let imei = nth_imei(n, devices);
                    if is_listed(n) {
                        let (status, reason, country) = match n % 3 {
                            0 => ("black", "stolen", "UZ"),
                            1 => ("black", "lost", "AZ"),
                            _ => ("grey", "customs_unregistered", "AZ"),
                        };
                        format!("({imei}, '{status}', '{reason}', '{country}', {now})")
                    } else {
                        format!("({imei}, 'white', NULL, NULL, {now})")
                    }
                })
                .collect();
            sql.push_str(&format!(
                "INSERT INTO imei_devices (imei, status, reason, country, updated_at) VALUES {};",
                rows.join(",")
            ));
            i = end;
        }
        sql.push_str("COMMIT;");
        conn.batch_execute(&sql).unwrap();
        bar.set_position(i);
    }
    bar.finish_and_clear();
    if matches!(*conn, DbConnection::Postgresql(_)) {
        conn.batch_execute("VACUUM ANALYZE imei_devices").unwrap();
    }
    eprintln!(
        "loaded {devices} devices in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
