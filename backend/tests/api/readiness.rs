//! `/readyz` tells the truth about search: a node whose index is not built yet or being
//! rebuilt, or that has not applied a change other nodes already show, answers 503 with the
//! reason and its lag (and `/metrics` shows the lag), so a load balancer sends searches
//! elsewhere until it caught up.

use std::time::Duration;

use silkbridge_search_index::{CommitState, SCHEMA_VERSION};

use crate::support::TestApp;

async fn ready(app: &TestApp) -> crate::support::Reply {
    app.get("/readyz").await
}

async fn until_ready(app: &TestApp, what: &str) {
    for _ in 0..400 {
        if ready(app).await.status == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{what}: not ready within 10 s: {}", ready(app).await.body);
}

#[actix_web::test]
async fn a_node_behind_the_change_log_or_rebuilding_is_not_ready() {
    // A test server runs no indexer of its own: its index moves only when the test says.
    let app = TestApp::start_with_config(|config| config.search.ready_max_lag_secs = 1).await;
    let never_built = ready(&app).await;
    assert_eq!(never_built.status, 503, "{}", never_built.body);
    assert_eq!(never_built.json()["index_lag"]["rebuilding"], true);
    app.reindex().await;
    until_ready(&app, "the first index pass").await;

    // Another node's write: in the change log, not in this node's index.
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.connection().unwrap();
        silkbridge::changes::Change::upsert("publication", "written-elsewhere")
            .record(&mut conn)
            .unwrap();
    })
    .await
    .unwrap();
    let fresh = ready(&app).await;
    assert_eq!(
        fresh.status, 200,
        "a change not a second old: {}",
        fresh.body
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let behind = ready(&app).await;
    assert_eq!(behind.status, 503, "{}", behind.body);
    let body = behind.json();
    assert_eq!(body["index_lag"]["entries"], 1, "{body}");
    assert!(
        body["index_lag"]["seconds"].as_u64().unwrap() >= 2,
        "{body}"
    );
    assert!(
        body["search_index"]["error"]
            .as_str()
            .unwrap()
            .contains("1 changes behind"),
        "{body}"
    );
    assert_eq!(body["database"]["ok"], true);
    let metrics = app.get("/metrics").await.body;
    assert!(
        metrics.contains("silkbridge_search_index_lag_entries 1"),
        "{metrics}"
    );
    // Caught up, it is ready again.
    app.reindex().await;
    until_ready(&app, "caught up").await;

    // Rebuilding: not ready, whatever else answers.
    let position = app.state.index.commit_state().unwrap().position;
    app.state
        .index
        .commit(&CommitState {
            schema_version: SCHEMA_VERSION,
            position: None,
            rebuild_target: position,
            ..CommitState::default()
        })
        .unwrap();
    let rebuilding = ready(&app).await;
    assert_eq!(rebuilding.status, 503, "{}", rebuilding.body);
    let body = rebuilding.json();
    assert_eq!(body["index_lag"]["rebuilding"], true, "{body}");
    assert!(
        body["search_index"]["error"]
            .as_str()
            .unwrap()
            .contains("rebuilt"),
        "{body}"
    );
    assert!(
        app.get("/metrics")
            .await
            .body
            .contains("silkbridge_search_index_rebuilding 1")
    );
}
