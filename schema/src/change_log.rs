//! The change log (transactional outbox): every module records "entity X changed" in the same
//! transaction as the change itself, and consumers (the search indexer, webhooks) read it in
//! order from a position they keep themselves. Consumers re-read the entity's current state,
//! so applying an entry twice is harmless and a lost consumer can always catch up.
//!
//! Ordering: on SQLite writers are serialised, so id order is commit order (txid is 0). On
//! PostgreSQL a sequence value is taken before commit, so a row with a smaller id can become
//! visible after a larger one; reading `id > last` would skip it forever. Rows therefore carry
//! their transaction id, readers order by `(txid, id)` and read only rows whose transaction is
//! older than the oldest transaction still running (`pg_snapshot_xmin`): that set can no longer
//! grow, so a position inside it is final.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::models::{ChangeLogEntry, NewChange};
use crate::tables::change_log;
use crate::{DbConnection, DbError, ids};

/// What happened to an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Upsert,
    Delete,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upsert => "upsert",
            Self::Delete => "delete",
        }
    }
}

/// A consumer's place in the log: everything at or before it has been applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub txid: i64,
    pub id: i64,
}

impl Position {
    /// The start of the log.
    pub const START: Position = Position { txid: 0, id: 0 };

    /// Compact text form (`txid:id`) for storing beside a consumer's own state.
    pub fn encode(self) -> String {
        format!("{}:{}", self.txid, self.id)
    }

    pub fn decode(text: &str) -> Option<Self> {
        let (txid, id) = text.split_once(':')?;
        Some(Self {
            txid: txid.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

impl ChangeLogEntry {
    pub fn position(&self) -> Position {
        Position {
            txid: self.txid,
            id: self.id,
        }
    }
}

/// PostgreSQL's commit horizon: the id of the oldest transaction still running. Rows written by
/// transactions below it can no longer be joined by a row that sorts before them, so a reader
/// ordering by `(txid, …)` may move past them for good. Used by every reader that hands out
/// positions (the change log, document events).
pub fn commit_horizon() -> diesel::expression::SqlLiteral<BigInt> {
    sql::<BigInt>("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
}

/// Records a change; call it inside the transaction that makes the change.
pub fn record(
    conn: &mut DbConnection,
    entity_kind: &str,
    entity_id: &str,
    operation: Operation,
) -> Result<(), DbError> {
    diesel::insert_into(change_log::table)
        .values(NewChange {
            entity_kind: entity_kind.to_owned(),
            entity_id: entity_id.to_owned(),
            operation: operation.as_str().to_owned(),
            created_at: ids::now(),
        })
        .execute(conn)?;
    Ok(())
}

/// Reads up to `limit` entries after `after`, in commit-safe order (see the module docs).
pub fn read_after(
    conn: &mut DbConnection,
    after: Position,
    limit: i64,
) -> Result<Vec<ChangeLogEntry>, DbError> {
    use change_log::dsl;
    let is_postgres = matches!(conn, DbConnection::Postgresql(_));
    let mut query = dsl::change_log
        .filter(
            dsl::txid
                .gt(after.txid)
                .or(dsl::txid.eq(after.txid).and(dsl::id.gt(after.id))),
        )
        .order((dsl::txid.asc(), dsl::id.asc()))
        .limit(limit)
        .select(ChangeLogEntry::as_select())
        .into_boxed();
    if is_postgres {
        query = query.filter(dsl::txid.lt(commit_horizon()));
    }
    Ok(query.load(conn)?)
}

/// The position of the newest entry visible to this connection (its own transaction's
/// included), ignoring the commit horizon: what a writer hands its client so that a read on
/// any node can wait until that node's index has applied the write.
pub fn newest(conn: &mut DbConnection) -> Result<Position, DbError> {
    use change_log::dsl;
    Ok(dsl::change_log
        .order((dsl::txid.desc(), dsl::id.desc()))
        .select((dsl::txid, dsl::id))
        .first::<(i64, i64)>(conn)
        .optional()?
        .map_or(Position::START, |(txid, id)| Position { txid, id }))
}

/// The position of the newest entry a reader may consume now; `START` for an empty log.
/// A rebuild takes it before scanning the tables, so changes made during the scan are
/// replayed afterwards rather than lost.
pub fn head(conn: &mut DbConnection) -> Result<Position, DbError> {
    use change_log::dsl;
    let is_postgres = matches!(conn, DbConnection::Postgresql(_));
    let mut query = dsl::change_log
        .order((dsl::txid.desc(), dsl::id.desc()))
        .limit(1)
        .select(ChangeLogEntry::as_select())
        .into_boxed();
    if is_postgres {
        query = query.filter(dsl::txid.lt(commit_horizon()));
    }
    Ok(query
        .first(conn)
        .optional()?
        .map_or(Position::START, |entry| entry.position()))
}

#[cfg(test)]
mod tests {
    use super::Position;

    #[test]
    fn position_round_trips_and_orders() {
        let p = Position { txid: 77, id: 5 };
        assert_eq!(Position::decode(&p.encode()), Some(p));
        assert_eq!(Position::decode("nonsense"), None);
        assert!(Position { txid: 1, id: 9 } < Position { txid: 2, id: 1 });
    }
}
