//! The one way a write records what it changed, inside its own transaction: the change-log
//! entry that search and every node's caches follow, and, for audited actions, the entry in
//! the hash-chained audit trail. Services and their rules call this; `change_log::record` and
//! `audit::record` are disallowed anywhere else (clippy.toml), so no store function records
//! behind a service's back and no audited action forgets its entry.
//!
//! Audited: everything done on behalf of a person or partner that changes who may do what or
//! what others see — identity management (organisations, memberships, moderators, partners,
//! sign-ins and sign-outs), publications, datasets and their resources, marketplace
//! moderation, document steps, signing keys, webhooks, and every IMEI and biometric call.
//! Not audited: drafts no one else sees yet (listing drafts, document drafts before they are
//! sent, both kept with their own revision history), enquiries (their row names the sender),
//! and system passes without an actor (embargo release, expiry purges) whose outcome the
//! change log and the rows themselves record.

use serde_json::Value;
use silkbridge_schema::DbConnection;
use silkbridge_schema::change_log::Operation;

use crate::error::ApiResult;

/// One entity a write changed: its change-log kind and id.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    kind: &'a str,
    id: &'a str,
    operation: Operation,
}

impl<'a> Change<'a> {
    /// The entity was created or changed.
    pub fn upsert(kind: &'a str, id: &'a str) -> Self {
        Self {
            kind,
            id,
            operation: Operation::Upsert,
        }
    }

    /// The entity is gone.
    pub fn delete(kind: &'a str, id: &'a str) -> Self {
        Self {
            kind,
            id,
            operation: Operation::Delete,
        }
    }

    /// Records the change-log entry only (drafts, system passes).
    #[allow(clippy::disallowed_methods)] // the one caller of change_log::record
    pub fn record(self, conn: &mut DbConnection) -> ApiResult<()> {
        silkbridge_schema::change_log::record(conn, self.kind, self.id, self.operation)?;
        Ok(())
    }

    /// Records the change-log entry and an audit entry naming the entity (`kind:id`).
    pub fn audited(
        self,
        conn: &mut DbConnection,
        actor: &str,
        action: &str,
        details: Value,
    ) -> ApiResult<()> {
        self.record(conn)?;
        audit(
            conn,
            actor,
            action,
            &format!("{}:{}", self.kind, self.id),
            details,
        )
    }
}

/// Records an audited action that changes nothing search or the caches follow (memberships,
/// partners, sign-ins, reads of IMEI and biometric data). `actor` is `user:<id>`,
/// `partner:<id>`, `cli` or `system`.
#[allow(clippy::disallowed_methods)] // the one caller of audit::record
pub fn audit(
    conn: &mut DbConnection,
    actor: &str,
    action: &str,
    target: &str,
    details: Value,
) -> ApiResult<()> {
    crate::audit::record(conn, actor, action, target, details)
}
