//! Organisation-held keys end to end, with a key made and used outside silkbridge: Python's
//! `cryptography` generates azstat's Ed25519 key and signs its registration statement and a
//! step; `silkbridge documents sign-step` signs another; the platform can no longer sign for
//! azstat; the receipt carries the platform's countersignatures and an audit checkpoint, and
//! `silkbridge verify-receipt` checks it with only the exported key list.

use std::process::{Command, Output};

use reqwest::Method;
use serde_json::{Value, json};

use super::documents::{draft, history, silkbridge, step};
use crate::cast::cast;
use crate::support::{SignedIn, TestApp};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/documents/org_key.py");

/// Runs the agency-side script (Python `cryptography`); `None` (test skipped) without it,
/// unless `.ci/run` requires it.
fn python(args: &[&str]) -> Option<String> {
    let available = Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("SILKBRIDGE_TEST_REQUIRE_CRYPTOGRAPHY").is_none(),
            "SILKBRIDGE_TEST_REQUIRE_CRYPTOGRAPHY is set but Python's cryptography is missing"
        );
        eprintln!("skipped: no Python cryptography (pip install cryptography)");
        return None;
    }
    let output = Command::new("python3")
        .arg(SCRIPT)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap().trim().to_owned())
}

fn sign_step(app: &TestApp, who: &SignedIn, key: &str, id: &str, step: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_silkbridge"))
        .args([
            "documents",
            "sign-step",
            "--key",
            key,
            "--api",
            &app.url(""),
        ])
        .args(["--document", id, "--step", step])
        .env("SILKBRIDGE_TOKEN", &who.access_token)
        .env("SILKBRIDGE_LOG", "warn")
        .output()
        .unwrap()
}

fn verify_receipt(receipt: &std::path::Path, keys: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_silkbridge"))
        .arg("verify-receipt")
        .arg(receipt)
        .arg("--keys")
        .arg(keys)
        .output()
        .unwrap()
}

async fn register(app: &TestApp, who: &SignedIn, statement: &str) -> crate::support::Reply {
    app.send(
        app.authed(
            Method::POST,
            "/api/v1/organisations/azstat/signing-keys",
            &who.access_token,
        )
        .json(&json!({ "statement": statement })),
    )
    .await
}

async fn prepare(app: &TestApp, who: &SignedIn, id: &str, body: Value) -> crate::support::Reply {
    app.send(
        app.authed(
            Method::POST,
            &format!("/api/v1/documents/{id}/steps/prepare"),
            &who.access_token,
        )
        .json(&body),
    )
    .await
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[actix_web::test]
async fn an_agency_signs_with_its_own_key_and_the_receipt_verifies_with_the_key_list_alone() {
    let work = tempfile::tempdir().unwrap();
    let key = work.path().join("azstat.pem");
    let key = key.to_str().unwrap();
    let Some(generated) = python(&["keygen", key]) else {
        return;
    };
    let generated: Value = serde_json::from_str(&generated).unwrap();
    let other_key = work.path().join("other.pem");
    let other_key = other_key.to_str().unwrap();
    python(&["keygen", other_key]).unwrap();
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let azstat = app.get("/api/v1/organisations/azstat").await.json();
    let stat_uz = app.get("/api/v1/organisations/stat-uz").await.json();
    let azstat_id = azstat["id"].as_str().unwrap();
    let statement = python(&["statement", key, azstat_id]).unwrap();

    // Registration: only azstat's admins; only a statement for azstat, signed by its key.
    register(&app, &cast.az, &statement)
        .await
        .problem(403, "forbidden");
    let for_stat_uz = python(&["statement", key, stat_uz["id"].as_str().unwrap()]).unwrap();
    let mut parts: Vec<String> = statement.split('.').map(str::to_owned).collect();
    parts[1] = for_stat_uz.split('.').nth(1).unwrap().to_owned();
    let spliced = parts.join(".");
    for bad in [for_stat_uz.as_str(), spliced.as_str(), "not.a.jws", ""] {
        let refused = register(&app, &cast.org_admin, bad).await;
        let problem = refused.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], "statement", "{problem}");
    }
    let registered = register(&app, &cast.org_admin, &statement).await;
    assert_eq!(registered.status, 200, "{}", registered.body);
    let registered = registered.json();
    assert_eq!(
        registered["kid"], generated["kid"],
        "the RFC 7638 thumbprint"
    );
    assert_eq!(registered["custody"], "organisation");
    register(&app, &cast.org_admin, &statement)
        .await
        .problem(409, "conflict");

    let id = draft(&app, &cast.uz, &[("letter.txt", b"Salom, Baku!\n")]).await;
    let sent = step(&app, &cast.uz, &id, json!({"step": "send"})).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    // The platform cannot sign for azstat any more.
    let unsigned = step(&app, &cast.az, &id, json!({"step": "deliver"})).await;
    let problem = unsigned.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["code"], "required", "{problem}");
    // A key the organisation does not hold now is refused by the signing command.
    let wrong = sign_step(&app, &cast.az, other_key, &id, "deliver");
    assert!(!wrong.status.success());
    assert!(text(&wrong).contains("current key is"), "{}", text(&wrong));
    // Prepared, then changed or replayed: refused, nothing written.
    let prepared = prepare(&app, &cast.az, &id, json!({"step": "deliver"}))
        .await
        .json();
    let signature = python(&["sign", key, prepared["signingInput"].as_str().unwrap()]).unwrap();
    let later = step(
        &app,
        &cast.az,
        &id,
        json!({"step": "accept", "signed_at": prepared["signedAt"], "signature": signature}),
    )
    .await;
    assert_eq!(later.status, 409, "not yet delivered: {}", later.body);
    let shifted = step(
        &app,
        &cast.az,
        &id,
        json!({"step": "deliver", "signed_at": "2026-12-07T10:00:00.000001Z", "signature": signature}),
    )
    .await;
    shifted.problem(422, "validation_failed");
    let steps = history(&app, &cast.uz, &id).await;
    assert_eq!(steps.as_array().unwrap().len(), 1);

    // Delivered with the command, accepted with Python's signature.
    let delivered = sign_step(&app, &cast.az, key, &id, "deliver");
    assert!(delivered.status.success(), "{}", text(&delivered));
    let prepared = prepare(&app, &cast.az, &id, json!({"step": "accept"}))
        .await
        .json();
    assert_eq!(prepared["kid"], generated["kid"]);
    assert_eq!(prepared["payload"]["seq"], 3);
    let signature = python(&["sign", key, prepared["signingInput"].as_str().unwrap()]).unwrap();
    let accepted = step(
        &app,
        &cast.az,
        &id,
        json!({"step": "accept", "signed_at": prepared["signedAt"], "signature": signature}),
    )
    .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert_eq!(accepted.json()["recipients"][0]["state"], "accepted");
    let custody: Vec<Value> = history(&app, &cast.uz, &id)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["custody"].clone())
        .collect();
    assert_eq!(
        custody,
        [
            json!("platform"),
            json!("organisation"),
            json!("organisation")
        ]
    );

    // The receipt: countersigned steps and a checkpoint; the exported key list alone verifies it.
    let receipt = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/documents/{id}/receipts/3"),
            &cast.uz.access_token,
        ))
        .await
        .json();
    assert!(
        receipt["steps"][2]["countersignature"]["signature"].is_string(),
        "{receipt}"
    );
    assert!(
        receipt["checkpoint"]["length"].as_i64().unwrap() > 0,
        "{receipt}"
    );
    let receipt_file = work.path().join("receipt.json");
    std::fs::write(&receipt_file, receipt.to_string()).unwrap();
    let exported = work.path().join("keys.json");
    let output = silkbridge(
        &app,
        &["keys", "export", "--out", exported.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", text(&output));
    let served = work.path().join("served-keys.json");
    std::fs::write(&served, app.get("/api/v1/signing-keys").await.body).unwrap();
    for list in [&exported, &served] {
        let checked = verify_receipt(&receipt_file, list);
        assert!(checked.status.success(), "{}", text(&checked));
        let said = text(&checked);
        assert!(
            said.contains("acceptance") && said.contains("organisation-held key"),
            "{said}"
        );
        assert!(
            said.contains("countersigned") && said.contains("audit checkpoint"),
            "{said}"
        );
    }
    // Without its countersignature, or against a list whose azstat key was swapped, not valid.
    let mut stripped = receipt.clone();
    stripped["steps"][2]
        .as_object_mut()
        .unwrap()
        .remove("countersignature");
    let stripped_file = work.path().join("stripped.json");
    std::fs::write(&stripped_file, stripped.to_string()).unwrap();
    let refused = verify_receipt(&stripped_file, &exported);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("countersignature"),
        "{}",
        text(&refused)
    );
    let list: Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let jws = list["jws"].as_str().unwrap();
    let mut segments: Vec<String> = jws.split('.').map(str::to_owned).collect();
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = String::from_utf8(engine.decode(&segments[1]).unwrap()).unwrap();
    let swapped = payload.replace(
        generated["x"].as_str().unwrap(),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    );
    assert_ne!(swapped, payload);
    segments[1] = engine.encode(swapped);
    let forged_list = work.path().join("forged-keys.json");
    std::fs::write(
        &forged_list,
        json!({"format": list["format"], "jws": segments.join(".")}).to_string(),
    )
    .unwrap();
    let refused = verify_receipt(&receipt_file, &forged_list);
    assert!(!refused.status.success());
    assert!(text(&refused).contains("altered"), "{}", text(&refused));
    // The receipt's checkpoint holds the audit trail to account.
    let receipt_arg = receipt_file.to_str().unwrap();
    let audit = silkbridge(&app, &["audit", "verify", "--checkpoint", receipt_arg]);
    assert!(audit.status.success(), "{}", text(&audit));
    // Online, against the published keys: the same.
    let online = app
        .send(
            app.client
                .post(app.url("/api/v1/documents/receipts/verify"))
                .json(&receipt),
        )
        .await
        .json();
    assert_eq!(online["valid"], true, "{online}");
    assert_eq!(online["custody"], "organisation", "{online}");

    // The stored history: intact, until a countersignature is removed from the database.
    let intact = silkbridge(&app, &["documents", "verify"]);
    assert!(intact.status.success(), "{}", text(&intact));
    strip_countersignature(&app, &id, 2).await;
    let found = silkbridge(&app, &["documents", "verify", "--document", &id]);
    assert!(!found.status.success());
    assert!(
        text(&found).contains("step 2") && text(&found).contains("countersignature"),
        "{}",
        text(&found)
    );

    // The command registers the next key itself; the old one stays published, retired.
    let rotated = Command::new(env!("CARGO_BIN_EXE_silkbridge"))
        .args([
            "documents",
            "register-key",
            "--key",
            other_key,
            "--api",
            &app.url(""),
        ])
        .args(["--organisation", "azstat"])
        .env("SILKBRIDGE_TOKEN", &cast.org_admin.access_token)
        .env("SILKBRIDGE_LOG", "warn")
        .output()
        .unwrap();
    assert!(rotated.status.success(), "{}", text(&rotated));
    let keys = app
        .get("/api/v1/organisations/azstat/signing-keys")
        .await
        .json();
    let current: Vec<&Value> = keys
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["valid_until"].is_null())
        .collect();
    assert_eq!(current.len(), 1, "{keys}");
    assert_ne!(current[0]["kid"], generated["kid"]);
    assert_eq!(current[0]["custody"], "organisation");
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .any(|k| k["kid"] == generated["kid"])
    );
}

/// Removes the platform's countersignature of step `seq` (playing the operator).
async fn strip_countersignature(app: &TestApp, id: &str, seq: i32) {
    let (db, doc) = (app.state.db.clone(), id.to_owned());
    tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use silkbridge_schema::tables::document_steps::dsl;
        let mut conn = db.connection().unwrap();
        let changed = diesel::update(
            dsl::document_steps
                .filter(dsl::document_id.eq(&doc))
                .filter(dsl::seq.eq(seq)),
        )
        .set(dsl::countersignature.eq(None::<String>))
        .execute(&mut conn)
        .unwrap();
        assert_eq!(changed, 1);
    })
    .await
    .unwrap();
}
