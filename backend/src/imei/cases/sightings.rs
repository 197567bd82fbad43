//! Telling a reporting agency its lost phone turned up abroad, off the check path. A status
//! check answers from the cache in microseconds; when it finds a lost or stolen device and
//! the caller is an operator's client, it hands (IMEI, operator, time) to this queue and
//! answers at once. One thread writes the sightings into the cases (`transitions::sighted`).
//!
//! The queue is bounded: if it is full (a flood of checks of listed devices), an offer is
//! dropped and counted — the next check or upload of the same device offers it again, and a
//! case needs one sighting per operator per quiet period, not every one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use chrono::{Duration, NaiveDateTime};
use silkbridge_schema::Database;

use super::transitions;
use crate::imei::domain::Imei;

/// A lost or stolen device an operator's client just checked or reported seeing.
pub struct Seen {
    pub imei: Imei,
    pub operator_id: String,
    pub at: NaiveDateTime,
}

/// The hand-off from the check path to the writer.
pub struct SightingQueue {
    sender: SyncSender<Seen>,
    dropped: Arc<AtomicU64>,
}

const CAPACITY: usize = 10_000;

impl SightingQueue {
    /// Starts the writer thread.
    pub fn start(db: Database, quiet_hours: u32) -> anyhow::Result<Self> {
        let (sender, receiver) = sync_channel(CAPACITY);
        let quiet = Duration::hours(i64::from(quiet_hours));
        std::thread::Builder::new()
            .name("imei-sightings".into())
            .spawn(move || write_until_closed(&db, &receiver, quiet))?;
        Ok(Self {
            sender,
            dropped: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Offers a sighting without ever waiting.
    pub fn offer(&self, seen: Seen) {
        if let Err(TrySendError::Full(_)) = self.sender.try_send(seen) {
            let dropped = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if dropped.is_power_of_two() {
                tracing::warn!(dropped, "IMEI sighting queue full: sightings dropped");
            }
        }
    }
}

fn write_until_closed(db: &Database, receiver: &Receiver<Seen>, quiet: Duration) {
    while let Ok(seen) = receiver.recv() {
        // One retry: a transition made by a person at the same moment wins the case's
        // version, and the sighting is written against the case as it now stands.
        for attempt in 0..2 {
            let result = db
                .connection()
                .map_err(crate::error::ApiError::from)
                .and_then(|mut conn| {
                    silkbridge_schema::write_transaction(&mut conn, |conn| {
                        transitions::sighted(conn, seen.imei, &seen.operator_id, seen.at, quiet)
                    })
                });
            match result {
                Ok(_) => break,
                Err(error) if attempt == 1 => {
                    tracing::warn!(imei = %seen.imei, %error, "recording a sighting on its cases failed");
                }
                Err(_) => {}
            }
        }
    }
}
