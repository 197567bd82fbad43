//! The index follows the database through the change log, and can always be rebuilt.

use std::ops::ControlFlow;

use silkbridge::search::{self, RebuildOutcome};

use crate::support::{TestApp, eventually};

fn public() -> Vec<String> {
    vec!["public".to_owned()]
}

#[actix_web::test]
async fn writes_reach_the_index_through_the_change_log() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let state = app.state.clone();
    let (applied, hits) = tokio::task::spawn_blocking(move || {
        // A fresh index has no position: the first pass is a rebuild, like the server's.
        let outcome = search::rebuild(&state.db, &state.index, 100, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        assert!(matches!(outcome, RebuildOutcome::Complete { written } if written >= 10));
        let mut conn = state.db.connection().unwrap();
        // Replaying what the rebuild already covered changes nothing (applying is idempotent).
        let before = state.index.num_docs();
        search::apply_pending(&mut conn, &state.index).unwrap();
        let applied = state.index.num_docs() - before;
        let hits = state
            .index
            .simple_search("Statistika", &public(), 10)
            .unwrap();
        (applied, hits)
    })
    .await
    .unwrap();
    assert_eq!(applied, 0);
    assert!(
        hits.1.iter().any(|h| h.title.contains("Azerbaijan")),
        "{hits:?}"
    );

    // A later write is picked up by the tailer.
    let state = app.state.clone();
    let found = tokio::task::spawn_blocking(move || {
        let mut conn = state.db.connection().unwrap();
        silkbridge::identity::rules::create_organisation(
            &mut conn,
            silkbridge::identity::input::NewOrganisationInput {
                slug: "uzinfocom".into(),
                name: "Uzinfocom".into(),
                kind: "company".into(),
                country: "UZ".into(),
                ..Default::default()
            },
        )
        .unwrap();
        // The tailer applies the entry once it is readable (see `eventually`).
        eventually("the new organisation reaches the index", || {
            search::apply_pending(&mut conn, &state.index).unwrap();
            let found = state
                .index
                .simple_search("Uzinfocom", &public(), 10)
                .unwrap()
                .0;
            (found > 0).then_some(found)
        })
    })
    .await
    .unwrap();
    assert_eq!(found, 1);
}

#[actix_web::test]
async fn an_interrupted_rebuild_resumes_where_it_stopped() {
    let app = TestApp::start().await;
    let summary = app.seed_demo().await;
    let seeded =
        (summary.organisations + summary.listings + summary.publications + summary.programmes)
            as u64;
    let state = app.state.clone();
    tokio::task::spawn_blocking(move || {
        let mut batches = 0;
        let first = search::rebuild(&state.db, &state.index, 3, &mut |_| {
            batches += 1;
            if batches == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
        assert_eq!(first, RebuildOutcome::Interrupted { written: 6 });
        assert!(
            state.index.commit_state().unwrap().position.is_none(),
            "not complete yet"
        );

        let mut resumed = false;
        let second = search::rebuild(&state.db, &state.index, 3, &mut |p| {
            resumed = p.resumed;
            ControlFlow::Continue(())
        })
        .unwrap();
        assert!(resumed);
        assert_eq!(
            second,
            RebuildOutcome::Complete {
                written: seeded - 6
            }
        );
        assert_eq!(state.index.num_docs(), seeded);
        assert!(state.index.commit_state().unwrap().position.is_some());
    })
    .await
    .unwrap();
}

#[actix_web::test]
async fn the_server_indexer_rebuilds_a_deleted_index_on_start() {
    let first = TestApp::start().await;
    first.seed_demo().await;
    let index_dir = first.state.config.index_dir();
    let database_url = first.database.url().to_owned();
    let data_dir = first.dir.path().to_owned();
    drop(first.state);
    std::fs::remove_dir_all(&index_dir).unwrap();
    std::fs::create_dir_all(&index_dir).unwrap();
    std::fs::write(index_dir.join("meta.json"), b"{ corrupt").unwrap();

    // A second server on the same database and folder: starts, moves the bad index aside,
    // and its indexer task rebuilds from the database.
    let mut config = silkbridge::config::Config::for_tests(&data_dir, &database_url);
    config.search.poll_interval_ms = 20;
    let state = tokio::task::spawn_blocking(move || silkbridge::state::AppState::open(config))
        .await
        .unwrap()
        .unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let task = search::spawn_indexer(state.clone(), stopped);
    let mut documents = 0;
    for _ in 0..200 {
        documents = state.index.num_docs();
        if documents >= 10 && state.index.commit_state().unwrap().position.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    stop.send(true).unwrap();
    task.await.unwrap();
    assert!(documents >= 10, "rebuilt {documents} documents");
    let aside = std::fs::read_dir(&data_dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("index.unusable-")
        });
    assert!(aside, "the unusable index is kept aside for inspection");
}
