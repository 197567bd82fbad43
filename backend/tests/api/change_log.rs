//! The change log is read in commit-safe order on both backends.
#![allow(clippy::disallowed_methods)] // these tests write change-log entries directly, as `crate::changes` does

use diesel::Connection;
use silkbridge_schema::change_log::{self, Operation, Position};
use silkbridge_schema::{Backend, Database, PoolOptions};

use crate::support::{TestApp, eventually};

fn record(db: &Database, id: &str) {
    let mut conn = db.connection().unwrap();
    change_log::record(&mut conn, "test", id, Operation::Upsert).unwrap();
}

fn ids_after(db: &Database, position: Position) -> Vec<String> {
    let mut conn = db.connection().unwrap();
    change_log::read_after(&mut conn, position, 100)
        .unwrap()
        .into_iter()
        .map(|e| e.entity_id)
        .collect()
}

#[actix_web::test]
async fn entries_come_back_in_order_after_a_position() {
    let app = TestApp::start().await;
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        for id in ["a", "b", "c"] {
            record(&db, id);
        }
        let all = eventually("three readable entries", || {
            let ids = ids_after(&db, Position::START);
            (ids.len() == 3).then_some(ids)
        });
        assert_eq!(all, ["a", "b", "c"]);
        let mut conn = db.connection().unwrap();
        let first = change_log::read_after(&mut conn, Position::START, 1).unwrap();
        assert_eq!(ids_after(&db, first[0].position()), ["b", "c"]);
        assert_eq!(
            change_log::head(&mut conn).unwrap(),
            change_log::read_after(&mut conn, Position::START, 9).unwrap()[2].position()
        );
    })
    .await
    .unwrap();
}

/// On PostgreSQL a sequence value is taken before commit: a reader must not move past a row
/// whose transaction is still open, or it would skip that row forever once it commits.
#[actix_web::test]
async fn a_reader_never_skips_a_row_that_commits_late() {
    let app = TestApp::start().await;
    if app.state.db.backend() != Backend::Postgres {
        // SQLite serialises writers: a second writer waits, so the case cannot arise there.
        return;
    }
    let url = app.database.url().to_owned();
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        let slow = Database::open(&url, &PoolOptions::default()).unwrap();
        let mut slow_conn = slow.connection().unwrap();
        slow_conn
            .transaction::<_, diesel::result::Error, _>(|conn| {
                // Takes the smaller id and an older transaction id, but is not committed yet.
                change_log::record(conn, "test", "late", Operation::Upsert).unwrap();
                record(&db, "early");
                // "early" is committed, but a reader must wait for "late" to settle.
                assert!(ids_after(&db, Position::START).is_empty());
                Ok(())
            })
            .unwrap();
        // Both are readable once no older writing transaction is open anywhere in the cluster
        // (other tests may hold one for a moment), and in commit-safe order.
        let seen = eventually("both entries readable", || {
            let ids = ids_after(&db, Position::START);
            (ids.len() == 2).then_some(ids)
        });
        assert_eq!(seen, ["late", "early"]);
    })
    .await
    .unwrap();
}
