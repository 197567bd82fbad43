//! The audit chain stays one chain under concurrent appends.
#![allow(clippy::disallowed_methods)] // these tests append to the chain directly, as `crate::changes` does

use silkbridge::audit::{self, ChainCheck};

use crate::support::TestApp;

#[actix_web::test]
async fn concurrent_appends_keep_a_single_intact_chain() {
    let app = TestApp::start().await;
    let writers: Vec<_> = (0..6)
        .map(|writer| {
            let db = app.state.db.clone();
            std::thread::spawn(move || {
                let mut conn = db.connection().unwrap();
                for entry in 0..10 {
                    // No surrounding transaction: record must serialise itself.
                    audit::record(
                        &mut conn,
                        &format!("test:{writer}"),
                        "test.append",
                        &format!("n:{entry}"),
                        serde_json::json!({}),
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    let db = app.state.db.clone();
    let check =
        tokio::task::spawn_blocking(move || audit::verify(&mut db.connection().unwrap()).unwrap())
            .await
            .unwrap();
    assert_eq!(check, ChainCheck::Intact { entries: 60 });
}
