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

fn silkbridge(app: &TestApp, args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_silkbridge"))
        .args([
            "--data-dir",
            app.dir.path().to_str().unwrap(),
            "--database-url",
            app.database.url(),
        ])
        .args(args)
        .env_remove("SILKBRIDGE_CONFIG")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Appends `n` entries, as `crate::changes` does.
async fn append(app: &TestApp, n: usize) {
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.connection().unwrap();
        for entry in 0..n {
            audit::record(
                &mut conn,
                "test",
                "test.append",
                &format!("n:{entry}"),
                serde_json::json!({"n": entry}),
            )
            .unwrap();
        }
    })
    .await
    .unwrap();
}

/// Runs SQL on the test database, as an operator with database access could.
async fn tamper(app: &TestApp, sql: String) {
    use diesel::connection::SimpleConnection;
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || db.connection().unwrap().batch_execute(&sql).unwrap())
        .await
        .unwrap();
}

async fn newest_seq(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    use silkbridge_schema::tables::audit_log;
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        audit_log::table
            .select(diesel::dsl::max(audit_log::seq))
            .first::<Option<i64>>(&mut db.connection().unwrap())
            .unwrap()
            .unwrap()
    })
    .await
    .unwrap()
}

#[actix_web::test]
async fn deleting_the_newest_entries_is_named_by_the_signed_checkpoint() {
    let app = TestApp::start().await;
    append(&app, 12).await;
    let out = app.dir.path().join("checkpoint.json");
    let (ok, text) = silkbridge(
        &app,
        &["audit", "checkpoint", "--out", out.to_str().unwrap()],
    );
    assert!(ok, "{text}");
    let length = newest_seq(&app).await;
    let (ok, text) = silkbridge(&app, &["audit", "verify"]);
    assert!(ok && text.contains("1 checkpoints hold"), "{text}");
    // The newest three entries deleted: the chain is consistent with itself, the checkpoint
    // names what is gone.
    tamper(
        &app,
        format!("DELETE FROM audit_log WHERE seq > {}", length - 3),
    )
    .await;
    assert_eq!(
        audit::verify(&mut app.state.db.connection().unwrap()).unwrap(),
        ChainCheck::Intact {
            entries: (length - 3) as u64
        },
        "the hash chain alone cannot tell"
    );
    let (ok, text) = silkbridge(&app, &["audit", "verify"]);
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!("entries {} to {length} are missing", length - 2)),
        "{text}"
    );
}

#[actix_web::test]
async fn a_consistent_rewrite_is_caught_by_a_checkpoint_kept_elsewhere() {
    use sha2::{Digest, Sha256};
    let app = TestApp::start().await;
    let cast = crate::cast::cast(&app).await;
    append(&app, 5).await;
    // The other country's node keeps a copy, fetched through the API.
    let kept = app
        .send(app.authed(
            reqwest::Method::GET,
            "/api/v1/audit/checkpoints/latest",
            &cast.admin.access_token,
        ))
        .await;
    assert_eq!(kept.status, 200, "{}", kept.body);
    let file = app.dir.path().join("kept.json");
    std::fs::write(&file, &kept.body).unwrap();
    let length = kept.json()["length"].as_i64().unwrap();

    // An operator rewrites an entry and recomputes every hash after it, and drops the
    // database's checkpoints: the chain and the database alone now look intact.
    let db = app.state.db.clone();
    let rows: Vec<(i64, chrono::NaiveDateTime, String, String, String, String)> = {
        use diesel::prelude::*;
        use silkbridge_schema::tables::audit_log;
        audit_log::table
            .order(audit_log::seq.asc())
            .select((
                audit_log::seq,
                audit_log::at,
                audit_log::actor,
                audit_log::action,
                audit_log::target,
                audit_log::details,
            ))
            .load(&mut db.connection().unwrap())
            .unwrap()
    };
    let mut prev = audit::GENESIS.to_owned();
    let mut sql = String::from("DELETE FROM audit_checkpoints;\n");
    for (i, (seq, at, actor, action, target, details)) in rows.iter().enumerate() {
        let details = if i == 2 {
            "{\"n\":\"forged\"}".to_owned()
        } else {
            details.clone()
        };
        let canonical = serde_json::json!([
            prev,
            at.and_utc().timestamp_micros(),
            actor,
            action,
            target,
            details
        ]);
        let hash = hex::encode(Sha256::digest(canonical.to_string().as_bytes()));
        sql.push_str(&format!(
            "UPDATE audit_log SET details = '{}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {seq};\n",
            details.replace('\'', "''")
        ));
        prev = hash;
    }
    tamper(&app, sql).await;
    let (ok, text) = silkbridge(&app, &["audit", "verify"]);
    assert!(ok, "without a copy the rewrite passes: {text}");
    let (ok, text) = silkbridge(
        &app,
        &["audit", "verify", "--checkpoint", file.to_str().unwrap()],
    );
    assert!(!ok, "{text}");
    assert!(
        text.contains(&format!(
            "entry {length} is not the one the checkpoint signed"
        )),
        "{text}"
    );

    // A checkpoint altered to fit is not the platform's signature.
    let mut forged: serde_json::Value = serde_json::from_str(&kept.body).unwrap();
    forged["head"] = serde_json::json!(prev);
    std::fs::write(&file, forged.to_string()).unwrap();
    let (ok, text) = silkbridge(
        &app,
        &["audit", "verify", "--checkpoint", file.to_str().unwrap()],
    );
    assert!(
        !ok && text.contains("its signature is not the platform key's"),
        "{text}"
    );

    // Who may fetch checkpoints: platform administrators and partners with `audit:read`.
    assert_eq!(
        app.get("/api/v1/audit/checkpoints/latest").await.status,
        401
    );
    let member = app
        .send(app.authed(
            reqwest::Method::GET,
            "/api/v1/audit/checkpoints/latest",
            &cast.buyer.access_token,
        ))
        .await;
    assert_eq!(member.status, 403);
    let auditor = app
        .partner(
            &cast.admin,
            serde_json::json!({"name": "AZ node", "scopes": ["audit:read"]}),
        )
        .await;
    let fetched = app
        .send(app.authed(
            reqwest::Method::GET,
            "/api/v1/audit/checkpoints/latest",
            &auditor.token,
        ))
        .await;
    assert_eq!(fetched.status, 200, "{}", fetched.body);
}
