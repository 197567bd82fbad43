//! The read audit: who asked about which IMEI, when. Operators check devices tens of
//! thousands of times a second, far more than the hash-chained audit log (one writer, one
//! hash at a time) can take, so reads go to their own table, written in batches by one
//! thread. Checks hand their entry over and answer at once; if the writer falls behind by
//! more than the configured queue (the database is down, say), checks are refused with 503:
//! the registry never answers a read it cannot audit. Entries still queued when the process
//! is killed outright are lost (at most one batch in normal operation); `drain` writes them
//! on an orderly stop.
//!
//! Fairness: a bulk check of a million IMEIs would refill the queue as fast as the writer
//! empties it, and every single check arriving meanwhile would find it full and get 503. Bulk
//! entries may therefore take at most half of the queue (they wait for room in that half);
//! the other half is kept for single checks, which never wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diesel::prelude::*;
use silkbridge_schema::models::NewImeiRead;
use silkbridge_schema::tables::imei_reads;
use silkbridge_schema::{Database, DbConnection, ids};
use tokio::sync::{Semaphore, mpsc};

use super::domain::{Imei, ListStatus};
use crate::error::{ApiError, ApiResult, ErrorCode};

/// Entries written per transaction: large batches are what makes a million-IMEI bulk check
/// auditable in seconds.
const BATCH: usize = 20_000;

/// Rows per insert statement on SQLite (5 parameters each, under its 32,766 limit).
const SQLITE_ROWS_PER_STATEMENT: usize = 5_000;

/// How the IMEI was asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A partner's single check (REST, GraphQL or the 5G-EIR path).
    Check,
    /// One IMEI of a bulk check.
    Bulk,
    /// A citizen's public check.
    Public,
    /// A full record with its history.
    Record,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Check => "check",
            Self::Bulk => "bulk",
            Self::Public => "public",
            Self::Record => "record",
        }
    }
}

/// The sending side; cheap to clone.
#[derive(Clone)]
pub struct ReadLog {
    sender: mpsc::Sender<NewImeiRead>,
    /// Entries handed over and not yet written.
    pending: Arc<AtomicUsize>,
    /// Room for bulk entries: half the queue. A bulk entry takes a permit before it is sent;
    /// the writer gives it back once the entry is in the database.
    bulk_room: Arc<Semaphore>,
}

/// The share of the queue bulk checks may fill; the rest is kept for single checks.
fn bulk_share(capacity: usize) -> usize {
    (capacity / 2).max(1)
}

impl ReadLog {
    /// Starts the writer thread.
    pub fn start(db: Database, capacity: usize) -> anyhow::Result<Self> {
        let (log, receiver) = Self::unstarted(capacity);
        let (counter, bulk_room) = (log.pending.clone(), log.bulk_room.clone());
        std::thread::Builder::new()
            .name("imei-read-audit".into())
            .spawn(move || write_until_closed(db, receiver, counter, bulk_room))
            .map_err(|e| anyhow::anyhow!("cannot start the read-audit thread: {e}"))?;
        Ok(log)
    }

    /// The sending side and the queue, with no writer yet.
    fn unstarted(capacity: usize) -> (Self, mpsc::Receiver<NewImeiRead>) {
        let capacity = capacity.max(2);
        let (sender, receiver) = mpsc::channel(capacity);
        let log = Self {
            sender,
            pending: Arc::new(AtomicUsize::new(0)),
            bulk_room: Arc::new(Semaphore::new(bulk_share(capacity))),
        };
        (log, receiver)
    }

    fn entry(actor: &str, imei: Imei, channel: Channel, status: ListStatus) -> NewImeiRead {
        NewImeiRead {
            at: ids::now(),
            actor: actor.to_owned(),
            imei: imei.as_i64(),
            channel: channel.as_str().to_owned(),
            status: status.as_str().to_owned(),
        }
    }

    /// Queues an entry, or refuses the read with 503 when the queue is full.
    pub fn record_now(
        &self,
        actor: &str,
        imei: Imei,
        channel: Channel,
        status: ListStatus,
    ) -> ApiResult<()> {
        self.pending.fetch_add(1, Ordering::Relaxed);
        self.sender
            .try_send(Self::entry(actor, imei, channel, status))
            .map_err(|_| {
                self.pending.fetch_sub(1, Ordering::Relaxed);
                ApiError::new(
                    ErrorCode::ServiceUnavailable,
                    "the read audit is behind; retry shortly",
                )
            })
    }

    /// Queues a bulk entry, waiting for room in the bulk half of the queue (bulk checks slow
    /// down rather than fail, and never take the room single checks need).
    pub async fn record_bulk(&self, actor: &str, imei: Imei, status: ListStatus) -> ApiResult<()> {
        let stopped = || ApiError::new(ErrorCode::ServiceUnavailable, "the read audit has stopped");
        // Given back by the writer once the entry is written.
        self.bulk_room
            .acquire()
            .await
            .map_err(|_| stopped())?
            .forget();
        self.pending.fetch_add(1, Ordering::Relaxed);
        self.sender
            .send(Self::entry(actor, imei, Channel::Bulk, status))
            .await
            .map_err(|_| {
                self.pending.fetch_sub(1, Ordering::Relaxed);
                stopped()
            })
    }

    /// Entries handed over and not yet in the database.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Relaxed)
    }

    /// Waits until everything queued so far is written, or `timeout` passes; returns whether
    /// the queue emptied. For an orderly stop and for tests.
    pub async fn drain(&self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.pending() > 0 {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        true
    }
}

fn write_until_closed(
    db: Database,
    mut receiver: mpsc::Receiver<NewImeiRead>,
    pending: Arc<AtomicUsize>,
    bulk_room: Arc<Semaphore>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = receiver.blocking_recv() {
        batch.push(first);
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(entry) => batch.push(entry),
                Err(_) => break,
            }
        }
        // Nothing is dropped: a failed write is retried, with back-off, until it succeeds;
        // meanwhile the queue fills and checks get 503.
        let mut backoff = Duration::from_millis(50);
        while let Err(error) = write(&db, &batch) {
            tracing::error!(error = %error, rows = batch.len(), "read audit write failed; retrying");
            std::thread::sleep(backoff);
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
        pending.fetch_sub(batch.len(), Ordering::Relaxed);
        let bulk = Channel::Bulk.as_str();
        bulk_room.add_permits(batch.iter().filter(|e| e.channel == bulk).count());
        batch.clear();
    }
}

#[allow(clippy::ptr_arg)] // diesel's COPY takes `&Vec`, not a slice
fn write(db: &Database, rows: &Vec<NewImeiRead>) -> anyhow::Result<()> {
    let mut conn = db.connection()?;
    // The derive-built connection enum cannot batch; its variants can, each its fastest way:
    // COPY on PostgreSQL, multi-row inserts in one transaction on SQLite.
    match &mut *conn {
        DbConnection::Sqlite(conn) => {
            conn.transaction(|conn| {
                for chunk in rows.chunks(SQLITE_ROWS_PER_STATEMENT) {
                    diesel::insert_into(imei_reads::table)
                        .values(chunk)
                        .execute(conn)?;
                }
                Ok::<_, diesel::result::Error>(())
            })?;
        }
        DbConnection::Postgresql(conn) => {
            diesel::copy_from(imei_reads::table)
                .from_insertable(rows)
                .execute(conn)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bulk check running against a stalled writer fills only its half of the queue: single
    /// checks still get in (before, the bulk took every slot and singles got 503).
    #[actix_web::test]
    async fn a_running_bulk_check_leaves_room_for_single_checks() {
        let (log, mut receiver) = ReadLog::unstarted(10);
        let bulk = log.clone();
        let filling = actix_web::rt::spawn(async move {
            for n in 0..1_000 {
                bulk.record_bulk("partner:bulk", Imei::from_stored(n), ListStatus::White)
                    .await
                    .expect("queued");
            }
        });
        // Let the bulk check fill what it may.
        while log.pending() < bulk_share(10) {
            actix_web::rt::task::yield_now().await;
        }
        for _ in 0..20 {
            actix_web::rt::task::yield_now().await;
        }
        assert_eq!(log.pending(), 5, "bulk entries wait beyond their half");
        for n in 0..5 {
            log.record_now(
                "partner:one",
                Imei::from_stored(n),
                Channel::Check,
                ListStatus::White,
            )
            .expect("a single check is accepted while a bulk check runs");
        }
        // The queue is now truly full: a sixth single check is refused rather than lost.
        let refused = log.record_now(
            "partner:one",
            Imei::from_stored(9),
            Channel::Check,
            ListStatus::White,
        );
        assert!(refused.is_err());
        // The writer gives the bulk's room back as it writes.
        let mut written = 0;
        while written < 1_005 {
            let entry = receiver.recv().await.expect("entry");
            if entry.channel == Channel::Bulk.as_str() {
                log.bulk_room.add_permits(1);
            }
            log.pending.fetch_sub(1, Ordering::Relaxed);
            written += 1;
        }
        filling.await.expect("bulk finished");
        assert_eq!(log.pending(), 0);
    }
}
