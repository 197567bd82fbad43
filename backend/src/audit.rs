//! The platform's tamper-evident audit trail. Each entry's hash covers its content and the
//! previous entry's hash, so altering or deleting an entry breaks the chain from there on;
//! `silkbridge audit verify` names the first entry that does not fit.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use silkbridge_schema::models::{AuditEntry, NewAuditEntry};
use silkbridge_schema::tables::audit_log;
use silkbridge_schema::{DbConnection, ids};

use crate::error::{ApiError, ApiResult};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn entry_hash(
    prev_hash: &str,
    at: &chrono::NaiveDateTime,
    actor: &str,
    action: &str,
    target: &str,
    details: &str,
) -> String {
    let canonical = serde_json::json!([
        prev_hash,
        at.and_utc().timestamp_micros(),
        actor,
        action,
        target,
        details
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Appends an entry; call inside the transaction of the change it records. `actor` is
/// `user:<id>`, `partner:<id>`, `cli` or `system`.
pub fn record(
    conn: &mut DbConnection,
    actor: &str,
    action: &str,
    target: &str,
    details: Value,
) -> ApiResult<()> {
    // A transaction of its own (a savepoint inside the caller's), so the lock below always
    // covers reading the predecessor and inserting, even when a caller forgot to open one.
    silkbridge_schema::write_transaction(conn, |conn| {
        append(conn, actor, action, target, &details.to_string())
    })
}

fn append(
    conn: &mut DbConnection,
    actor: &str,
    action: &str,
    target: &str,
    details: &str,
) -> ApiResult<()> {
    // Appends must be serialised so each sees its predecessor: SQLite has one writer at a
    // time; on PostgreSQL a transaction-scoped advisory lock does it.
    if let DbConnection::Postgresql(_) = conn {
        conn.batch_execute("SELECT pg_advisory_xact_lock(7426110001)")?;
    }
    let prev_hash = audit_log::table
        .order(audit_log::seq.desc())
        .select(audit_log::hash)
        .first::<String>(conn)
        .optional()?
        .unwrap_or_else(|| GENESIS.to_owned());
    let at = ids::now();
    let hash = entry_hash(&prev_hash, &at, actor, action, target, details);
    diesel::insert_into(audit_log::table)
        .values(NewAuditEntry {
            at,
            actor: actor.to_owned(),
            action: action.to_owned(),
            target: target.to_owned(),
            details: details.to_owned(),
            prev_hash,
            hash,
        })
        .execute(conn)?;
    Ok(())
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    Intact {
        entries: u64,
    },
    /// The first entry that does not fit: altered content, or a predecessor missing.
    Broken {
        seq: i64,
        reason: String,
    },
}

/// Walks the whole chain in order.
pub fn verify(conn: &mut DbConnection) -> ApiResult<ChainCheck> {
    let mut expected_prev = GENESIS.to_owned();
    let mut after = 0i64;
    let mut count = 0u64;
    loop {
        let batch: Vec<AuditEntry> = audit_log::table
            .filter(audit_log::seq.gt(after))
            .order(audit_log::seq.asc())
            .limit(1000)
            .select(AuditEntry::as_select())
            .load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(ChainCheck::Intact { entries: count });
        };
        after = last.seq;
        for entry in batch {
            if entry.prev_hash != expected_prev {
                return Ok(ChainCheck::Broken {
                    seq: entry.seq,
                    reason: "its predecessor is missing or was altered".into(),
                });
            }
            let recomputed = entry_hash(
                &entry.prev_hash,
                &entry.at,
                &entry.actor,
                &entry.action,
                &entry.target,
                &entry.details,
            );
            if recomputed != entry.hash {
                return Ok(ChainCheck::Broken {
                    seq: entry.seq,
                    reason: "its content does not match its hash".into(),
                });
            }
            expected_prev = entry.hash;
            count += 1;
        }
    }
}

/// Entries about a target, newest first (for administrators' views).
pub fn entries_for(
    conn: &mut DbConnection,
    target: &str,
    limit: i64,
) -> ApiResult<Vec<AuditEntry>> {
    audit_log::table
        .filter(audit_log::target.eq(target))
        .order(audit_log::seq.desc())
        .limit(limit)
        .select(AuditEntry::as_select())
        .load(conn)
        .map_err(ApiError::from)
}
