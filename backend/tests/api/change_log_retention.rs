//! Change-log retention: entries every live node has applied, and older than the window, are
//! deleted — never one a live node still needs; a node away long enough not to hold retention
//! back finds the log pruned past its index and rebuilds rather than miss what was deleted.

use diesel::prelude::*;
use silkbridge::search::retention;
use silkbridge_schema::tables::{change_log, index_positions};

use crate::support::TestApp;

const WEEK: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

async fn blocking<T: Send + 'static>(
    app: &TestApp,
    work: impl FnOnce(&mut silkbridge_schema::DbConnection) -> T + Send + 'static,
) -> T {
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || work(&mut db.connection().unwrap()))
        .await
        .unwrap()
}

async fn changes(app: &TestApp, names: &[&str]) {
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    blocking(app, move |conn| {
        for name in &names {
            silkbridge::changes::Change::upsert("organisation", name)
                .record(conn)
                .unwrap();
        }
    })
    .await;
}

/// Reindexes until the index has applied every entry written so far (on PostgreSQL a
/// transaction still running elsewhere in the cluster holds readers back for a moment).
async fn caught_up(app: &TestApp) {
    for _ in 0..500 {
        app.reindex().await;
        let state = app.state.clone();
        let current = blocking(app, move |conn| {
            let newest = silkbridge_schema::change_log::newest(conn).unwrap();
            let at = state.index.commit_state().unwrap().position;
            at.as_deref()
                .and_then(silkbridge_schema::change_log::Position::decode)
                .is_some_and(|at| at >= newest)
        })
        .await;
        if current {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the index did not catch up");
}

/// Whether the log was pruned past `app`'s index.
async fn behind(app: &TestApp) -> bool {
    let state = app.state.clone();
    blocking(app, move |conn| {
        retention::fell_behind(conn, &state.index).unwrap()
    })
    .await
}

async fn record(app: &TestApp) {
    let state = app.state.clone();
    blocking(app, move |conn| {
        retention::record(conn, &state.node_id, &state.index).unwrap()
    })
    .await;
}

#[actix_web::test]
async fn only_what_every_live_node_applied_is_pruned_and_a_node_left_behind_rebuilds() {
    let first = TestApp::start().await;
    let away = first.cluster_node().await;
    changes(&first, &["early-1", "early-2"]).await;
    caught_up(&away).await;
    changes(&first, &["late-1", "late-2", "late-3"]).await;
    caught_up(&first).await;
    record(&first).await;
    record(&away).await;
    let total: i64 = blocking(&first, |conn| {
        // Everything is old enough for the window.
        diesel::update(change_log::table)
            .set(
                change_log::created_at
                    .eq(silkbridge_schema::ids::now() - chrono::Duration::days(10)),
            )
            .execute(conn)
            .unwrap();
        change_log::table.count().get_result(conn).unwrap()
    })
    .await;

    // Both nodes live: only what the node further behind applied goes.
    let deleted = blocking(&first, |conn| retention::prune(conn, WEEK).unwrap()).await;
    assert_eq!(
        deleted as i64,
        total - 3,
        "the three entries after the away node's position stay"
    );
    let kept: Vec<String> = blocking(&first, |conn| {
        change_log::table
            .order(change_log::id)
            .select(change_log::entity_id)
            .load(conn)
            .unwrap()
    })
    .await;
    assert_eq!(kept, ["late-1", "late-2", "late-3"]);
    assert!(!behind(&away).await);
    // Younger than the window: kept, whoever applied it.
    assert_eq!(
        blocking(&first, |conn| retention::prune(conn, WEEK * 2).unwrap()).await,
        0
    );

    // The away node stops recording: it no longer holds retention back...
    let away_node = away.state.node_id.to_string();
    blocking(&first, move |conn| {
        diesel::update(index_positions::table.find(away_node))
            .set(
                index_positions::updated_at
                    .eq(silkbridge_schema::ids::now() - chrono::Duration::hours(2)),
            )
            .execute(conn)
            .unwrap();
    })
    .await;
    assert_eq!(
        blocking(&first, |conn| retention::prune(conn, WEEK).unwrap()).await,
        3
    );
    // ...and finds the log pruned past its index: its next indexer pass rebuilds.
    assert!(behind(&away).await);
    let state = away.state.clone();
    tokio::task::spawn_blocking(move || {
        silkbridge::search::index_pass(&state, true, &|| false).unwrap()
    })
    .await
    .unwrap();
    assert!(!behind(&away).await);
    assert!(!behind(&first).await);
}
