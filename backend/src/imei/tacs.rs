//! Importing type allocation codes (brand, model, device type) from CSV, as the GSMA TAC
//! database and national registries export them. The file is checked whole first, so a bad
//! row changes nothing; then it is applied in batches, each recording how far it got, so an
//! interrupted import resumes where it stopped (the file is recognised by its SHA-256).

use std::collections::HashMap;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;

use diesel::prelude::*;
use sha2::{Digest, Sha256};
use silkbridge_schema::models::ImeiTac;
use silkbridge_schema::tables::imei_tac_imports;
use silkbridge_schema::{Database, DbConnection, ids};

use super::domain::parse_tac;
use super::store;

/// Rows per transaction (and per progress checkpoint).
const BATCH: usize = 1000;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub records: u64,
    /// Records an earlier, interrupted run had already applied.
    pub resumed_from: u64,
    pub already_complete: bool,
    /// The progress callback asked to stop; running the import again resumes.
    pub interrupted: bool,
}

/// Which column holds what; the GSMA's and common registry headers are recognised.
struct Columns {
    tac: usize,
    brand: usize,
    model: usize,
    device_type: Option<usize>,
}

fn key(header: &str) -> String {
    header
        .trim()
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

fn columns(headers: &csv::StringRecord) -> anyhow::Result<Columns> {
    let index: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (key(h), i))
        .collect();
    let find = |names: &[&str]| names.iter().find_map(|n| index.get(*n).copied());
    let tac = find(&["tac", "typeallocationcode"])
        .ok_or_else(|| anyhow::anyhow!("no `tac` column in the header"))?;
    let brand = find(&["brand", "brandname", "manufacturer", "manufacturername"])
        .ok_or_else(|| anyhow::anyhow!("no `brand` (or `manufacturer`) column in the header"))?;
    let model = find(&["model", "modelname", "marketingname"])
        .ok_or_else(|| anyhow::anyhow!("no `model` (or `marketing_name`) column in the header"))?;
    Ok(Columns {
        tac,
        brand,
        model,
        device_type: find(&["devicetype", "type", "equipmenttype"]),
    })
}

fn row(columns: &Columns, record: &csv::StringRecord, line: u64) -> anyhow::Result<ImeiTac> {
    let field = |i: usize| record.get(i).unwrap_or_default().trim().to_owned();
    let tac = parse_tac(&field(columns.tac)).ok_or_else(|| {
        anyhow::anyhow!(
            "line {line}: `{}` is not an 8-digit TAC",
            field(columns.tac)
        )
    })?;
    let brand = field(columns.brand);
    let model = field(columns.model);
    if brand.is_empty() || model.is_empty() {
        anyhow::bail!("line {line}: brand and model are required");
    }
    Ok(ImeiTac {
        tac: tac as i32,
        brand,
        model,
        device_type: columns
            .device_type
            .map(field)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "unknown".to_owned()),
        updated_at: ids::now(),
    })
}

fn reader(path: &Path) -> anyhow::Result<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn file_sha256(path: &Path) -> anyhow::Result<String> {
    let mut file =
        std::fs::File::open(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buffer[..n]);
    }
}

/// Checks every row; returns how many records the file holds.
pub fn validate(path: &Path) -> anyhow::Result<u64> {
    let mut reader = reader(path)?;
    let columns = columns(reader.headers()?)?;
    let mut count = 0u64;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| anyhow::anyhow!("line {}: {e}", i + 2))?;
        row(&columns, &record, i as u64 + 2)?;
        count += 1;
    }
    Ok(count)
}

/// Imports (or resumes importing) a TAC file. `progress` gets the records applied so far
/// after each batch and may stop the import there (as an interruption would).
pub fn import(
    db: &Database,
    path: &Path,
    restart: bool,
    progress: &mut dyn FnMut(u64) -> ControlFlow<()>,
) -> anyhow::Result<ImportSummary> {
    let digest = file_sha256(path)?;
    let mut conn = db.connection()?;
    let state: Option<(i64, Option<chrono::NaiveDateTime>)> = imei_tac_imports::table
        .find(&digest)
        .select((
            imei_tac_imports::records_done,
            imei_tac_imports::finished_at,
        ))
        .first(&mut conn)
        .optional()?;
    let (done, finished) = match state {
        Some(_) if restart => (0, false),
        Some((done, finished)) => (done as u64, finished.is_some()),
        None => (0, false),
    };
    if finished {
        return Ok(ImportSummary {
            records: done,
            resumed_from: done,
            already_complete: true,
            interrupted: false,
        });
    }
    let mut reader = reader(path)?;
    let columns = columns(reader.headers()?)?;
    let mut applied = done;
    let _ = progress(applied);
    let mut batch = Vec::with_capacity(BATCH);
    for (i, record) in reader.records().enumerate().skip(done as usize) {
        let record = record.map_err(|e| anyhow::anyhow!("line {}: {e}", i + 2))?;
        batch.push(row(&columns, &record, i as u64 + 2)?);
        if batch.len() == BATCH {
            applied += apply(&mut conn, &digest, &batch, applied, false)?;
            batch.clear();
            if progress(applied).is_break() {
                return Ok(ImportSummary {
                    records: applied,
                    resumed_from: done,
                    already_complete: false,
                    interrupted: true,
                });
            }
        }
    }
    applied += apply(&mut conn, &digest, &batch, applied, true)?;
    let _ = progress(applied);
    Ok(ImportSummary {
        records: applied,
        resumed_from: done,
        already_complete: false,
        interrupted: false,
    })
}

/// Applies one batch and moves the checkpoint in the same transaction.
fn apply(
    conn: &mut DbConnection,
    digest: &str,
    batch: &[ImeiTac],
    before: u64,
    last: bool,
) -> anyhow::Result<u64> {
    silkbridge_schema::write_transaction(conn, |conn| {
        store::upsert_tacs(conn, batch).map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::changes::Change::upsert(super::cache::TAC_KIND, "*")
            .record(conn)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let done = (before + batch.len() as u64) as i64;
        let finished_at = last.then(ids::now);
        let updated = diesel::update(imei_tac_imports::table.find(digest))
            .set((
                imei_tac_imports::records_done.eq(done),
                imei_tac_imports::finished_at.eq(finished_at),
            ))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(imei_tac_imports::table)
                .values((
                    imei_tac_imports::file_sha256.eq(digest),
                    imei_tac_imports::records_done.eq(done),
                    imei_tac_imports::finished_at.eq(finished_at),
                ))
                .execute(conn)?;
        }
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(batch.len() as u64)
}
