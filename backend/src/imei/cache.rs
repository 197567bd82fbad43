//! The status cache: what a status check needs, in memory, so a check never waits for the
//! database. Only listed (grey or black) devices and the known type allocation codes are
//! held, since every other IMEI's answer follows from them: the whole registry may hold
//! tens of millions of devices while the lists hold a few per cent.
//!
//! The database stays the source of truth. The cache is loaded from it at start, refreshed
//! at once for changes this process makes, and follows other processes' changes through the
//! change log (every device or TAC change records an entry in its own transaction).

use std::collections::{HashMap, HashSet};
use std::sync::RwLock;

use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::change_log::{self, Position};
use silkbridge_schema::tables::{imei_devices, imei_tacs};

use super::domain::{Imei, ListStatus, Reason, Standing};
use crate::error::{ApiError, ApiResult};
use crate::identity::domain::Country;

/// Change-log kind of a device row (the id is the IMEI's 15 digits).
pub const DEVICE_KIND: &str = "imei_device";
/// Change-log kind of a TAC row (the id is the eight digits).
pub const TAC_KIND: &str = "imei_tac";

/// A listed device as the cache keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    pub standing: Standing,
    /// The country whose organisation put it on the list.
    pub country: Option<Country>,
}

/// What a status check learns about one IMEI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookup {
    pub standing: Standing,
    pub country: Option<Country>,
    /// Whether the TAC is in the registry's TAC database.
    pub known_tac: bool,
}

#[derive(Default)]
struct Inner {
    listed: HashMap<u64, Listed>,
    tacs: HashSet<u32>,
    position: Position,
}

/// See the module docs.
pub struct StatusCache {
    inner: RwLock<Inner>,
    /// The status of an IMEI whose TAC is unknown and that is not listed.
    unknown_tac_status: ListStatus,
}

impl StatusCache {
    /// An empty cache; `load` fills it.
    pub fn new(unknown_tac_status: ListStatus) -> Self {
        Self {
            inner: RwLock::new(Inner::default()),
            unknown_tac_status,
        }
    }

    /// The answer for one IMEI.
    pub fn lookup(&self, imei: Imei) -> Lookup {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        let known_tac = inner.tacs.contains(&imei.tac());
        if let Some(listed) = inner.listed.get(&imei.as_u64()) {
            return Lookup {
                standing: listed.standing,
                country: listed.country,
                known_tac,
            };
        }
        let standing = if known_tac || self.unknown_tac_status == ListStatus::White {
            Standing::WHITE
        } else {
            Standing {
                status: self.unknown_tac_status,
                reason: Some(Reason::UnknownTac),
            }
        };
        Lookup {
            standing,
            country: None,
            known_tac,
        }
    }

    /// Replaces the contents with the database's. The change-log head is taken before the
    /// tables are read, so a change committed meanwhile is applied again by `follow`
    /// (harmless) rather than missed.
    pub fn load(&self, conn: &mut DbConnection) -> ApiResult<()> {
        let position = change_log::head(conn)?;
        let rows: Vec<ListedRow> = imei_devices::table
            .filter(imei_devices::status.ne(ListStatus::White.as_str()))
            .select(ListedRow::as_select())
            .load(conn)?;
        let mut listed = HashMap::with_capacity(rows.len());
        for row in rows {
            let (imei, entry) = row.into_entry()?;
            listed.insert(imei, entry);
        }
        let tacs: Vec<i32> = imei_tacs::table.select(imei_tacs::tac).load(conn)?;
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        *inner = Inner {
            listed,
            tacs: tacs.into_iter().map(|t| t as u32).collect(),
            position,
        };
        Ok(())
    }

    /// Re-reads these devices from the database (after this process changed them).
    pub fn refresh_devices(&self, conn: &mut DbConnection, imeis: &[Imei]) -> ApiResult<()> {
        for chunk in imeis.chunks(500) {
            let keys: Vec<i64> = chunk.iter().map(|i| i.as_i64()).collect();
            let rows: Vec<ListedRow> = imei_devices::table
                .filter(imei_devices::imei.eq_any(&keys))
                .select(ListedRow::as_select())
                .load(conn)?;
            let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
            for imei in chunk {
                inner.listed.remove(&imei.as_u64());
            }
            for row in rows {
                let (imei, entry) = row.into_entry()?;
                if entry.standing.status != ListStatus::White {
                    inner.listed.insert(imei, entry);
                }
            }
        }
        Ok(())
    }

    /// Re-reads these TACs from the database.
    pub fn refresh_tacs(&self, conn: &mut DbConnection, tacs: &[u32]) -> ApiResult<()> {
        for chunk in tacs.chunks(500) {
            let keys: Vec<i32> = chunk.iter().map(|t| *t as i32).collect();
            let present: Vec<i32> = imei_tacs::table
                .filter(imei_tacs::tac.eq_any(&keys))
                .select(imei_tacs::tac)
                .load(conn)?;
            let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
            for tac in chunk {
                inner.tacs.remove(tac);
            }
            inner.tacs.extend(present.into_iter().map(|t| t as u32));
        }
        Ok(())
    }

    /// Re-reads the whole TAC set (after an import).
    pub fn reload_tacs(&self, conn: &mut DbConnection) -> ApiResult<()> {
        let tacs: Vec<i32> = imei_tacs::table.select(imei_tacs::tac).load(conn)?;
        self.inner.write().unwrap_or_else(|e| e.into_inner()).tacs =
            tacs.into_iter().map(|t| t as u32).collect();
        Ok(())
    }

    /// Applies every change-log entry after the cache's position; returns how many IMEI
    /// entries it applied. Entries of other modules are skipped.
    pub fn follow(&self, conn: &mut DbConnection) -> ApiResult<usize> {
        let mut applied = 0;
        loop {
            let after = self
                .inner
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .position;
            let entries = change_log::read_after(conn, after, 1000)?;
            let Some(last) = entries.last().map(|e| e.position()) else {
                return Ok(applied);
            };
            let mut devices = Vec::new();
            let mut tacs = Vec::new();
            let mut reload_tacs = false;
            for entry in &entries {
                match entry.entity_kind.as_str() {
                    DEVICE_KIND => {
                        if let Ok(parsed) = Imei::parse(&entry.entity_id) {
                            devices.push(parsed.imei);
                        }
                    }
                    TAC_KIND if entry.entity_id == "*" => reload_tacs = true,
                    TAC_KIND => tacs.extend(entry.entity_id.parse::<u32>().ok()),
                    _ => {}
                }
            }
            applied += devices.len() + tacs.len();
            self.refresh_devices(conn, &devices)?;
            self.refresh_tacs(conn, &tacs)?;
            if reload_tacs {
                self.reload_tacs(conn)?;
                applied += 1;
            }
            self.inner
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .position = last;
        }
    }

    /// How many devices are listed and TACs known (for metrics and the CLI).
    pub fn sizes(&self) -> (usize, usize) {
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        (inner.listed.len(), inner.tacs.len())
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = imei_devices)]
struct ListedRow {
    imei: i64,
    status: String,
    reason: Option<String>,
    country: Option<String>,
}

impl ListedRow {
    fn into_entry(self) -> ApiResult<(u64, Listed)> {
        let corrupt = |what: String| ApiError::internal(anyhow::anyhow!("imei_devices: {what}"));
        let status: ListStatus = self.status.parse().map_err(corrupt)?;
        let reason = self
            .reason
            .map(|r| r.parse::<Reason>())
            .transpose()
            .map_err(corrupt)?;
        let country = self
            .country
            .map(|c| c.parse::<Country>())
            .transpose()
            .map_err(corrupt)?;
        Ok((
            self.imei as u64,
            Listed {
                standing: Standing { status, reason },
                country,
            },
        ))
    }
}
