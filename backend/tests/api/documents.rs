//! Documents: a full exchange between a UZ and an AZ agency, every illegal transition refused,
//! outsiders refused on every path, tampering found by the verify commands, receipts checked
//! offline, and webhooks that reach a receiver which was down at first, once per event.

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{Value, json};

pub use crate::cast::cast;
use crate::support::{SignedIn, TestApp};

fn start_config(config: &mut silkbridge::config::Config) {
    config.documents.webhook_https_only = false;
    config.documents.webhook_private_addresses = true;
    config.documents.webhook_retry_base_ms = 100;
    config.documents.webhook_retry_max_secs = 1;
    config.documents.webhook_poll_ms = 50;
}

pub async fn draft(app: &TestApp, who: &SignedIn, files: &[(&str, &[u8])]) -> String {
    let reply = app
        .send(
            app.authed(Method::POST, "/api/v1/documents", &who.access_token)
                .json(&json!({
                    "sender": "stat-uz",
                    "subject": "Hamkorlik toʻgʻrisida xat / Письмо о сотрудничестве",
                    "document_type": "letter",
                    "reference_number": "01-15/2025",
                    "confidentiality": "internal",
                    "recipients": ["azstat"]
                })),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    for (name, bytes) in files {
        let reply = app
            .send(
                app.authed(
                    Method::POST,
                    &format!("/api/v1/documents/{id}/files?file_name={name}"),
                    &who.access_token,
                )
                .header("content-type", "application/octet-stream")
                .body(bytes.to_vec()),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    id
}

pub async fn step(app: &TestApp, who: &SignedIn, id: &str, body: Value) -> crate::support::Reply {
    app.send(
        app.authed(
            Method::POST,
            &format!("/api/v1/documents/{id}/steps"),
            &who.access_token,
        )
        .json(&body),
    )
    .await
}

/// The caller's events once at least `n` are readable. Events are read in commit order: on
/// PostgreSQL an event becomes readable once no older transaction is still running anywhere
/// in the cluster (where other tests write too), which can take a moment.
pub async fn events_settled(app: &TestApp, token: &str, n: usize) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let events = app
            .send(app.authed(Method::GET, "/api/v1/documents/events", token))
            .await
            .json();
        let seen = events.as_array().map_or(0, Vec::len);
        if seen >= n || std::time::Instant::now() > deadline {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

pub async fn history(app: &TestApp, who: &SignedIn, id: &str) -> Value {
    app.send(app.authed(
        Method::GET,
        &format!("/api/v1/documents/{id}/history"),
        &who.access_token,
    ))
    .await
    .json()
}

fn step_names(history: &Value) -> Vec<&str> {
    history
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect()
}

pub fn silkbridge(app: &TestApp, args: &[&str]) -> Output {
    let data = app.dir.path().to_str().unwrap();
    Command::new(env!("CARGO_BIN_EXE_silkbridge"))
        .args(["--data-dir", data, "--database-url", app.database.url()])
        .args(args)
        .env_remove("SILKBRIDGE_CONFIG")
        .env_remove("SILKBRIDGE_DATABASE_URL")
        .env_remove("SILKBRIDGE_DATA_DIR")
        .env("SILKBRIDGE_LOG", "warn")
        .output()
        .unwrap()
}

const LETTER: &[u8] = "Hurmatli hamkasblar! Уважаемые коллеги!\n".as_bytes();
const ANNEX: &[u8] = b"region,population\nToshkent,3040000\n";

#[actix_web::test]
async fn a_uz_and_an_az_agency_exchange_a_document_with_signed_receipts() {
    let app = TestApp::start_with_config(start_config).await;
    let cast = cast(&app).await;
    let id = draft(
        &app,
        &cast.uz,
        &[("letter.txt", LETTER), ("annex.csv", ANNEX)],
    )
    .await;
    // Recipients see nothing of a draft.
    let hidden = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/documents/{id}"),
            &cast.az.access_token,
        ))
        .await;
    hidden.problem(404, "not_found");

    let sent = step(&app, &cast.uz, &id, json!({"step": "send"})).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let sent = sent.json();
    assert_eq!(sent["state"], "sent");
    assert_eq!(sent["recipients"][0]["state"], "sent");
    assert_eq!(sent["recipients"][0]["organisation"]["country"], "AZ");
    let digest = sent["content_digest"].as_str().unwrap().to_owned();

    let inbox = app
        .send(app.authed(
            Method::GET,
            "/api/v1/documents?mailbox=inbox",
            &cast.az.access_token,
        ))
        .await
        .json();
    assert_eq!(inbox["items"][0]["id"], id.as_str());
    let file = &inbox["items"][0]["files"][0];
    let bytes = app
        .send(app.authed(
            Method::GET,
            file["url"].as_str().unwrap(),
            &cast.az.access_token,
        ))
        .await;
    assert_eq!(bytes.status, 200);
    assert!([LETTER, ANNEX].contains(&bytes.body.as_bytes()));

    for action in ["deliver", "accept", "sign"] {
        let reply = step(&app, &cast.az, &id, json!({"step": action})).await;
        assert_eq!(reply.status, 200, "{action}: {}", reply.body);
    }
    let done = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/documents/{id}"),
            &cast.uz.access_token,
        ))
        .await
        .json();
    assert_eq!(done["recipients"][0]["state"], "signed");

    // The history: four steps, each by the acting organisation, chained by hashes.
    let history = history(&app, &cast.az, &id).await;
    let steps = step_names(&history);
    assert_eq!(steps, vec!["send", "deliver", "accept", "sign"]);
    assert_eq!(history[0]["actor"], sent["sender"]["id"]);
    assert_eq!(
        history[1]["actor"],
        sent["recipients"][0]["organisation"]["id"]
    );

    // Events for each side, by polling (REST and GraphQL).
    let az_events = events_settled(&app, &cast.az.access_token, 1).await;
    events_settled(&app, &cast.uz.access_token, 3).await;
    let types: Vec<&str> = az_events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["document.sent"]);
    let uz_events = app
        .send(
            app.authed(Method::POST, "/graphql", &cast.uz.access_token)
                .json(&json!({"query": "{ documentEvents { eventType documentId } }"})),
        )
        .await
        .json();
    let types: Vec<&str> = uz_events["data"]["documentEvents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec!["document.delivered", "document.accepted", "document.signed"]
    );

    // The delivery receipt: valid through the API, and offline with the CLI.
    let receipt = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/documents/{id}/receipts/2"),
            &cast.uz.access_token,
        ))
        .await;
    assert_eq!(receipt.status, 200, "{}", receipt.body);
    let receipt = receipt.json();
    assert_eq!(receipt["kind"], "delivery");
    assert_eq!(receipt["steps"].as_array().unwrap().len(), 2);
    let check = app
        .send(
            app.client
                .post(app.url("/api/v1/documents/receipts/verify"))
                .json(&receipt),
        )
        .await
        .json();
    assert_eq!(check["valid"], true, "{check}");
    let work = tempfile::tempdir().unwrap();
    let receipt_file = work.path().join("receipt.json");
    std::fs::write(&receipt_file, receipt.to_string()).unwrap();
    let annex_file = work.path().join("annex.csv");
    std::fs::write(&annex_file, ANNEX).unwrap();
    let keys_file = work.path().join("keys.json");
    let mut published = Vec::new();
    for slug in ["stat-uz", "azstat"] {
        let keys = app
            .get(&format!("/api/v1/organisations/{slug}/signing-keys"))
            .await
            .json();
        published.extend(keys.as_array().unwrap().iter().cloned());
    }
    std::fs::write(&keys_file, Value::Array(published).to_string()).unwrap();
    let offline = Command::new(env!("CARGO_BIN_EXE_silkbridge"))
        .arg("verify-receipt")
        .arg(&receipt_file)
        .arg("--keys")
        .arg(&keys_file)
        .arg("--file")
        .arg(&annex_file)
        .output()
        .unwrap();
    assert!(
        offline.status.success(),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );
    assert!(String::from_utf8_lossy(&offline.stdout).contains("receipt valid: delivery"));
    // A file that is not the one sent is refused.
    std::fs::write(&annex_file, b"region,population\nToshkent,1\n").unwrap();
    let other = Command::new(env!("CARGO_BIN_EXE_silkbridge"))
        .arg("verify-receipt")
        .arg(&receipt_file)
        .arg("--file")
        .arg(&annex_file)
        .output()
        .unwrap();
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stderr).contains("not a file this receipt covers"));
    // A forged signature, a changed manifest, or a step moved are refused, offline and online.
    let mut forged = receipt.clone();
    let jws = forged["steps"][1]["jws"].as_str().unwrap().to_owned();
    let flipped = if jws.ends_with('A') {
        format!("{}B", &jws[..jws.len() - 1])
    } else {
        format!("{}A", &jws[..jws.len() - 1])
    };
    forged["steps"][1]["jws"] = json!(flipped);
    let mut altered = receipt.clone();
    altered["manifest"]["subject"] = json!("Another subject");
    let mut truncated = receipt.clone();
    truncated["steps"].as_array_mut().unwrap().remove(0);
    for (what, bad) in [
        ("forged", forged),
        ("altered", altered),
        ("truncated", truncated),
    ] {
        let check = app
            .send(
                app.client
                    .post(app.url("/api/v1/documents/receipts/verify"))
                    .json(&bad),
            )
            .await
            .json();
        assert_eq!(check["valid"], false, "{what}: {check}");
        std::fs::write(&receipt_file, bad.to_string()).unwrap();
        let offline = Command::new(env!("CARGO_BIN_EXE_silkbridge"))
            .arg("verify-receipt")
            .arg(&receipt_file)
            .output()
            .unwrap();
        assert!(!offline.status.success(), "{what} accepted offline");
    }
    assert_eq!(digest.len(), 64);

    // Key rotation keeps earlier receipts verifiable.
    let rotated = app
        .send(app.authed(
            Method::POST,
            "/api/v1/organisations/azstat/signing-keys/rotate",
            &cast.org_admin.access_token,
        ))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let keys = app
        .get("/api/v1/organisations/azstat/signing-keys")
        .await
        .json();
    assert_eq!(keys.as_array().unwrap().len(), 2);
    assert!(
        keys[1]["valid_until"].is_string(),
        "the old key is retired, still published"
    );
    let check = app
        .send(
            app.client
                .post(app.url("/api/v1/documents/receipts/verify"))
                .json(&receipt),
        )
        .await
        .json();
    assert_eq!(check["valid"], true, "{check}");
    let verify = silkbridge(&app, &["documents", "verify"]);
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(
        String::from_utf8_lossy(&verify.stdout).contains("1 documents, 4 signed steps, 2 files")
    );
}

#[actix_web::test]
async fn every_illegal_transition_is_refused() {
    let app = TestApp::start_with_config(start_config).await;
    let cast = cast(&app).await;
    let empty = draft(&app, &cast.uz, &[]).await;
    step(&app, &cast.uz, &empty, json!({"step": "send"}))
        .await
        .problem(422, "validation_failed");
    let id = draft(&app, &cast.uz, &[("letter.txt", LETTER)]).await;
    step(&app, &cast.uz, &id, json!({"step": "recall"}))
        .await
        .problem(409, "invalid_transition");
    step(&app, &cast.az, &id, json!({"step": "deliver"}))
        .await
        .problem(404, "not_found");
    step(&app, &cast.uz, &id, json!({"step": "send"})).await;
    step(&app, &cast.uz, &id, json!({"step": "send"}))
        .await
        .problem(409, "invalid_transition");
    step(&app, &cast.uz, &id, json!({"step": "deliver"}))
        .await
        .problem(403, "forbidden");
    for early in ["accept", "reject", "sign"] {
        step(&app, &cast.az, &id, json!({"step": early, "reason": "x"}))
            .await
            .problem(409, "invalid_transition");
    }
    // Drafts only change while they are drafts.
    let edit = app
        .send(app.authed(Method::PUT, &format!("/api/v1/documents/{id}"), &cast.uz.access_token).json(&json!({
            "sender": "stat-uz", "subject": "Changed", "document_type": "letter", "reference_number": "x", "recipients": ["azstat"]
        })))
        .await;
    edit.problem(409, "invalid_transition");
    let upload = app
        .send(
            app.authed(
                Method::POST,
                &format!("/api/v1/documents/{id}/files?file_name=late.txt"),
                &cast.uz.access_token,
            )
            .body("late"),
        )
        .await;
    upload.problem(409, "invalid_transition");
    step(&app, &cast.az, &id, json!({"step": "deliver"})).await;
    step(&app, &cast.az, &id, json!({"step": "deliver"}))
        .await
        .problem(409, "invalid_transition");
    step(&app, &cast.uz, &id, json!({"step": "recall"}))
        .await
        .problem(409, "invalid_transition");
    step(&app, &cast.az, &id, json!({"step": "sign"}))
        .await
        .problem(409, "invalid_transition");
    step(&app, &cast.az, &id, json!({"step": "reject"}))
        .await
        .problem(422, "validation_failed");
    let rejected = step(
        &app,
        &cast.az,
        &id,
        json!({"step": "reject", "reason": "The annex is missing."}),
    )
    .await;
    assert_eq!(
        rejected.json()["recipients"][0]["reason"],
        "The annex is missing."
    );
    for late in ["accept", "sign", "reject", "deliver"] {
        step(&app, &cast.az, &id, json!({"step": late, "reason": "x"}))
            .await
            .problem(409, "invalid_transition");
    }
    let unknown = step(&app, &cast.az, &id, json!({"step": "approve"})).await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    // GraphQL refuses the same way.
    let reply = app
        .send(app.authed(Method::POST, "/graphql", &cast.az.access_token).json(&json!({
            "query": "mutation($id: String!) { documentStep(id: $id, step: ACCEPT) { state } }",
            "variables": {"id": id}
        })))
        .await
        .json();
    assert_eq!(
        reply["errors"][0]["extensions"]["code"], "invalid_transition",
        "{reply}"
    );
    // Recall before delivery works once; afterwards the recipient no longer sees it.
    let second = draft(&app, &cast.uz, &[("letter.txt", LETTER)]).await;
    step(&app, &cast.uz, &second, json!({"step": "send"})).await;
    let recalled = step(&app, &cast.uz, &second, json!({"step": "recall"})).await;
    assert_eq!(recalled.json()["state"], "recalled");
    step(&app, &cast.uz, &second, json!({"step": "recall"}))
        .await
        .problem(409, "invalid_transition");
    step(&app, &cast.uz, &second, json!({"step": "send"}))
        .await
        .problem(409, "invalid_transition");
    step(&app, &cast.az, &second, json!({"step": "deliver"}))
        .await
        .problem(404, "not_found");
    // Every refusal left the history as it was.
    let history = history(&app, &cast.uz, &id).await;
    let steps = step_names(&history);
    assert_eq!(steps, vec!["send", "deliver", "reject"]);
    assert_eq!(history[2]["reason"], "The annex is missing.");
    assert!(history[0]["reason"].is_null());
}

#[actix_web::test]
async fn outsiders_are_refused_on_every_path() {
    let app = TestApp::start_with_config(start_config).await;
    let cast = cast(&app).await;
    let id = draft(&app, &cast.uz, &[("letter.txt", LETTER)]).await;
    step(&app, &cast.uz, &id, json!({"step": "send"})).await;
    step(&app, &cast.az, &id, json!({"step": "deliver"})).await;
    app.reindex().await;
    events_settled(&app, &cast.uz.access_token, 1).await;
    let file_url = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/documents/{id}"),
            &cast.uz.access_token,
        ))
        .await
        .json()["files"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let partner_az = app
        .partner(&cast.admin, json!({"name": "AZ document gateway", "organisation": "azstat", "scopes": ["documents:exchange"]}))
        .await;
    let partner_other = app
        .partner(&cast.admin, json!({"name": "CBAR document gateway", "organisation": "cbar", "scopes": ["documents:exchange"]}))
        .await;
    let partner_unscoped = app
        .partner(
            &cast.admin,
            json!({"name": "AZ IMEI", "organisation": "azstat", "scopes": ["imei:read"]}),
        )
        .await;
    let as_who = |token: Option<&str>, method: Method, path: &str| match token {
        Some(token) => app.authed(method, path, token),
        None => app.client.request(method, app.url(path)),
    };
    for (who, token, sees) in [
        ("sender", Some(cast.uz.access_token.as_str()), true),
        ("recipient", Some(cast.az.access_token.as_str()), true),
        ("recipient's gateway", Some(partner_az.token.as_str()), true),
        ("outsider", Some(cast.outsider.access_token.as_str()), false),
        (
            "platform admin",
            Some(cast.admin.access_token.as_str()),
            false,
        ),
        ("other gateway", Some(partner_other.token.as_str()), false),
        (
            "unscoped partner",
            Some(partner_unscoped.token.as_str()),
            false,
        ),
        ("anonymous", None, false),
    ] {
        let get = app
            .send(as_who(
                token,
                Method::GET,
                &format!("/api/v1/documents/{id}"),
            ))
            .await;
        assert_eq!(get.status == 200, sees, "{who}: get {}", get.status);
        let list = app
            .send(as_who(token, Method::GET, "/api/v1/documents"))
            .await;
        assert_eq!(list.body.contains(&id), sees, "{who}: list");
        let file = app.send(as_who(token, Method::GET, &file_url)).await;
        assert_eq!(file.status == 200, sees, "{who}: file");
        let history = app
            .send(as_who(
                token,
                Method::GET,
                &format!("/api/v1/documents/{id}/history"),
            ))
            .await;
        assert_eq!(history.status == 200, sees, "{who}: history");
        let receipt = app
            .send(as_who(
                token,
                Method::GET,
                &format!("/api/v1/documents/{id}/receipts/2"),
            ))
            .await;
        assert_eq!(receipt.status == 200, sees, "{who}: receipt");
        let events = app
            .send(as_who(token, Method::GET, "/api/v1/documents/events"))
            .await;
        assert_eq!(events.body.contains(&id), sees, "{who}: events");
        let graphql = app
            .send(
                as_who(token, Method::POST, "/graphql")
                    .json(&json!({"query": format!("{{ document(id: \"{id}\") {{ id }} }}")})),
            )
            .await
            .json();
        assert_eq!(
            graphql["data"]["document"].is_object(),
            sees,
            "{who}: GraphQL {graphql}"
        );
        let search = app
            .send(as_who(
                token,
                Method::GET,
                "/api/v1/search?q=hamkorlik&kind=document",
            ))
            .await;
        assert_eq!(
            search.body.contains(&id),
            sees,
            "{who}: search {}",
            search.body
        );
        if !sees {
            let act = app
                .send(
                    as_who(
                        token,
                        Method::POST,
                        &format!("/api/v1/documents/{id}/steps"),
                    )
                    .json(&json!({"step": "accept"})),
                )
                .await;
            assert!(
                matches!(act.status, 401 | 403 | 404),
                "{who}: step {}",
                act.status
            );
        }
    }
    // The recipient's gateway may act for its organisation.
    let accepted = step(
        &app,
        &SignedIn {
            user_id: String::new(),
            access_token: partner_az.token.clone(),
            refresh_token: String::new(),
            me: Value::Null,
        },
        &id,
        json!({"step": "accept"}),
    )
    .await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
}

#[actix_web::test]
async fn a_changed_file_signature_or_audit_row_is_found_by_the_verify_commands() {
    let app = TestApp::start_with_config(start_config).await;
    let cast = cast(&app).await;
    let id = draft(&app, &cast.uz, &[("letter.txt", LETTER)]).await;
    step(&app, &cast.uz, &id, json!({"step": "send"})).await;
    step(&app, &cast.az, &id, json!({"step": "deliver"})).await;
    let intact = silkbridge(&app, &["documents", "verify"]);
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );

    // One byte of the stored file.
    let folder = app.dir.path().join("objects").join("documents").join(&id);
    let stored = std::fs::read_dir(&folder)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let original = std::fs::read(&stored).unwrap();
    let mut changed = original.clone();
    changed[0] ^= 0x01;
    std::fs::write(&stored, &changed).unwrap();
    let found = silkbridge(&app, &["documents", "verify"]);
    assert!(!found.status.success());
    let stderr = String::from_utf8_lossy(&found.stderr);
    assert!(
        stderr.contains(&id) && stderr.contains("letter.txt") && stderr.contains("altered"),
        "{stderr}"
    );
    std::fs::write(&stored, &original).unwrap();

    // One character of a signature.
    let original_jws = step_jws(&app, &id, None).await;
    let mut forged = original_jws.clone().into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    step_jws(&app, &id, Some(String::from_utf8(forged).unwrap())).await;
    let found = silkbridge(&app, &["documents", "verify", "--document", &id]);
    assert!(!found.status.success());
    let stderr = String::from_utf8_lossy(&found.stderr);
    assert!(
        stderr.contains("step 2") && stderr.contains("signature"),
        "{stderr}"
    );
    step_jws(&app, &id, Some(original_jws)).await;
    assert!(silkbridge(&app, &["documents", "verify"]).status.success());

    // One audit row of the exchange.
    let audit_ok = silkbridge(&app, &["audit", "verify"]);
    assert!(
        audit_ok.status.success(),
        "{}",
        String::from_utf8_lossy(&audit_ok.stderr)
    );
    let db = app.state.db.clone();
    let target = format!("document:{id}");
    let seq: i64 = tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use silkbridge_schema::tables::audit_log::dsl;
        let mut conn = db.connection().unwrap();
        let seq: i64 = dsl::audit_log
            .filter(dsl::target.eq(&target))
            .filter(dsl::action.eq("document.deliver"))
            .select(dsl::seq)
            .first(&mut conn)
            .unwrap();
        diesel::update(dsl::audit_log.filter(dsl::seq.eq(seq)))
            .set(dsl::details.eq("{\"seq\":2,\"tampered\":true}"))
            .execute(&mut conn)
            .unwrap();
        seq
    })
    .await
    .unwrap();
    let broken = silkbridge(&app, &["audit", "verify"]);
    assert!(!broken.status.success());
    assert!(
        String::from_utf8_lossy(&broken.stderr).contains(&format!("entry {seq}")),
        "{}",
        String::from_utf8_lossy(&broken.stderr)
    );
}

/// The stored JWS of step 2 of `id`, replaced by `new` when given (to play the attacker).
async fn step_jws(app: &TestApp, id: &str, new: Option<String>) -> String {
    let db = app.state.db.clone();
    let doc = id.to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use silkbridge_schema::tables::document_steps::dsl;
        let mut conn = db.connection().unwrap();
        let step = dsl::document_steps
            .filter(dsl::document_id.eq(&doc))
            .filter(dsl::seq.eq(2));
        let jws: String = step.select(dsl::jws).first(&mut conn).unwrap();
        if let Some(new) = new {
            diesel::update(step)
                .set(dsl::jws.eq(new))
                .execute(&mut conn)
                .unwrap();
        }
        jws
    })
    .await
    .unwrap()
}

/// A webhook receiver that keeps what it processed once per idempotency key, checks each
/// signature, and answers 503 to the first delivery of `flaky` (as if its answer were lost
/// after processing).
#[derive(Default)]
struct Receiver {
    processed: BTreeMap<String, Value>,
    requests: usize,
    duplicates: usize,
    bad_signatures: usize,
    flaky_left: usize,
}

#[actix_web::test]
async fn a_webhook_receiver_that_was_down_gets_every_event_exactly_once() {
    let app = TestApp::start_with_config(start_config).await;
    let cast = cast(&app).await;
    // A port nobody listens on yet: the receiver is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut secrets = BTreeMap::new();
    for slug in ["stat-uz", "azstat"] {
        let reply = app
            .send(
                app.authed(
                    Method::PUT,
                    &format!("/api/v1/organisations/{slug}/webhook"),
                    &cast.org_admin.access_token,
                )
                .json(&json!({"url": format!("http://127.0.0.1:{port}/hooks/{slug}")})),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        secrets.insert(
            slug.to_owned(),
            reply.json()["secret"].as_str().unwrap().to_owned(),
        );
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let dispatcher = silkbridge::outbox::spawn(app.state.clone(), stopped);
    let first = draft(&app, &cast.uz, &[("letter.txt", LETTER)]).await;
    step(&app, &cast.uz, &first, json!({"step": "send"})).await;
    step(&app, &cast.az, &first, json!({"step": "deliver"})).await;
    step(&app, &cast.az, &first, json!({"step": "accept"})).await;
    let second = draft(&app, &cast.uz, &[("letter.txt", LETTER)]).await;
    step(&app, &cast.uz, &second, json!({"step": "send"})).await;
    // Let several deliveries fail while nobody listens.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let pending = |who: &SignedIn| {
        app.send(app.authed(Method::GET, "/api/v1/documents/events", &who.access_token))
    };
    let uz_events = events_settled(&app, &cast.uz.access_token, 2).await;
    let az_events = events_settled(&app, &cast.az.access_token, 2).await;
    let expected: BTreeSet<String> = uz_events
        .as_array()
        .unwrap()
        .iter()
        .chain(az_events.as_array().unwrap())
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        expected.len(),
        4,
        "sent ×2 to azstat, delivered and accepted to stat-uz"
    );
    assert!(
        uz_events
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["delivered_at"].is_null()),
        "the receiver was down"
    );

    // The receiver comes up; the first delivery it gets is processed but answered 503.
    let state = Arc::new(Mutex::new(Receiver {
        flaky_left: 1,
        ..Receiver::default()
    }));
    let receiver_state = state.clone();
    let secrets = Arc::new(secrets);
    let server = actix_web::HttpServer::new(move || {
        let state = receiver_state.clone();
        let secrets = secrets.clone();
        actix_web::App::new().route(
            "/hooks/{slug}",
            actix_web::web::post().to(
                move |req: actix_web::HttpRequest,
                      slug: actix_web::web::Path<String>,
                      body: actix_web::web::Bytes| {
                    let state = state.clone();
                    let secrets = secrets.clone();
                    async move {
                        let header = |name: &str| {
                            req.headers()
                                .get(name)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_owned()
                        };
                        let key = header("idempotency-key");
                        let signature = header("x-silkbridge-signature");
                        let timestamp: i64 = signature
                            .trim_start_matches("t=")
                            .split(',')
                            .next()
                            .unwrap_or("0")
                            .parse()
                            .unwrap_or(0);
                        let body_text = String::from_utf8_lossy(&body).into_owned();
                        let expected = silkbridge::outbox::signature(
                            secrets[slug.as_str()].as_bytes(),
                            timestamp,
                            &body_text,
                        )
                        .unwrap();
                        let mut state = state.lock().unwrap();
                        state.requests += 1;
                        if signature != expected {
                            state.bad_signatures += 1;
                            return actix_web::HttpResponse::Unauthorized().finish();
                        }
                        if state.processed.contains_key(&key) {
                            state.duplicates += 1;
                            return actix_web::HttpResponse::Ok().finish();
                        }
                        state
                            .processed
                            .insert(key, serde_json::from_slice(&body).unwrap());
                        if state.flaky_left > 0 {
                            state.flaky_left -= 1;
                            return actix_web::HttpResponse::ServiceUnavailable().finish();
                        }
                        actix_web::HttpResponse::Ok().finish()
                    }
                },
            ),
        )
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", port))
    .unwrap()
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let mut delivered = false;
    for _ in 0..200 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let all: Vec<Value> = [
            pending(&cast.uz).await.json(),
            pending(&cast.az).await.json(),
        ]
        .iter()
        .flat_map(|v| v.as_array().unwrap().clone())
        .collect();
        if all.iter().all(|e| e["delivered_at"].is_string()) {
            delivered = true;
            break;
        }
    }
    assert!(delivered, "every event delivered once the receiver is up");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let _ = stop.send(true);
    let _ = dispatcher.await;
    handle.stop(false).await;
    let state = state.lock().unwrap();
    let processed: BTreeSet<String> = state.processed.keys().cloned().collect();
    assert_eq!(processed, expected, "every event processed exactly once");
    assert_eq!(state.bad_signatures, 0);
    assert_eq!(
        state.duplicates, 1,
        "the one delivery whose answer was lost came again and was dropped by its key"
    );
    assert_eq!(
        state.requests,
        expected.len() + 1,
        "no delivery after a success"
    );
    let sent = state
        .processed
        .values()
        .filter(|e| e["type"] == "document.sent")
        .count();
    assert_eq!(sent, 2);
}

#[actix_web::test]
async fn drafts_webhooks_and_key_rotation_refuse_bad_input_and_the_wrong_callers() {
    // Default configuration: webhooks must be https and reach only public addresses.
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let create = |who: &SignedIn, body: Value| {
        app.send(
            app.authed(Method::POST, "/api/v1/documents", &who.access_token)
                .json(&body),
        )
    };
    let bad = create(
        &cast.uz,
        json!({"sender": "stat-uz", "subject": " ", "document_type": "letter",
               "reference_number": "1", "confidentiality": "secret",
               "recipients": ["stat-uz", "nowhere", "azstat", "azstat"]}),
    )
    .await
    .problem(422, "validation_failed");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "subject",
        "confidentiality",
        "recipients/0",
        "recipients/1",
        "recipients/3",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let valid = json!({"sender": "stat-uz", "subject": "S", "document_type": "letter",
                       "reference_number": "1", "recipients": ["azstat"]});
    create(&cast.az, valid.clone())
        .await
        .problem(403, "forbidden");
    let anonymous = app
        .send(app.client.post(app.url("/api/v1/documents")).json(&valid))
        .await;
    anonymous.problem(401, "unauthenticated");
    let id = draft(&app, &cast.uz, &[]).await;
    let badly_named = app
        .send(
            app.authed(
                Method::POST,
                &format!("/api/v1/documents/{id}/files?file_name=../x"),
                &cast.uz.access_token,
            )
            .body("x"),
        )
        .await;
    badly_named.problem(400, "invalid_parameter");
    let reply = app
        .send(app.authed(Method::POST, "/graphql", &cast.az.access_token).json(&json!({
            "query": "mutation($i: DocumentInput!) { createDocument(input: $i) { id } }",
            "variables": {"i": {"sender": "stat-uz", "subject": "S", "documentType": "letter", "referenceNumber": "1", "recipients": ["azstat"]}}
        })))
        .await
        .json();
    assert_eq!(
        reply["errors"][0]["extensions"]["code"], "forbidden",
        "{reply}"
    );

    // Webhooks: the organisation's admins only, a URL, https.
    let put = |who: Option<&SignedIn>, url: &str| {
        let request = match who {
            Some(who) => app.authed(
                Method::PUT,
                "/api/v1/organisations/azstat/webhook",
                &who.access_token,
            ),
            None => app
                .client
                .put(app.url("/api/v1/organisations/azstat/webhook")),
        };
        app.send(request.json(&json!({ "url": url })))
    };
    put(Some(&cast.az), "https://az.example/hook")
        .await
        .problem(403, "forbidden");
    put(Some(&cast.outsider), "https://az.example/hook")
        .await
        .problem(403, "forbidden");
    put(None, "https://az.example/hook")
        .await
        .problem(401, "unauthenticated");
    let not_url = put(Some(&cast.org_admin), "not a url")
        .await
        .problem(422, "validation_failed");
    assert_eq!(not_url["errors"][0]["field"], "url");
    let plain = put(Some(&cast.org_admin), "http://az.example/hook")
        .await
        .problem(422, "validation_failed");
    assert_eq!(plain["errors"][0]["code"], "https_required");
    let get_webhook = |who: &SignedIn| {
        app.send(app.authed(
            Method::GET,
            "/api/v1/organisations/azstat/webhook",
            &who.access_token,
        ))
    };
    // Nothing inside the platform's network: loopback, private, link-local (cloud metadata).
    for inward in [
        "https://127.0.0.1/hook",
        "https://10.0.0.7/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]:8443/hook",
        "https://localhost/hook",
    ] {
        let refused = put(Some(&cast.org_admin), inward)
            .await
            .problem(422, "validation_failed");
        assert_eq!(
            refused["errors"][0]["code"], "non_public_address",
            "{inward}"
        );
    }
    get_webhook(&cast.org_admin).await.problem(404, "not_found");
    let set = put(Some(&cast.org_admin), "https://az.example/hook").await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert!(set.json()["secret"].as_str().is_some_and(|s| s.len() >= 43));
    let shown = get_webhook(&cast.org_admin).await.json();
    assert_eq!(shown["url"], "https://az.example/hook");
    assert!(shown["secret"].is_null(), "the secret is shown once");
    get_webhook(&cast.az).await.problem(403, "forbidden");
    app.send(app.authed(
        Method::DELETE,
        "/api/v1/organisations/azstat/webhook",
        &cast.az.access_token,
    ))
    .await
    .problem(403, "forbidden");
    let graphql = |who: &SignedIn, query: &str| {
        app.send(
            app.authed(Method::POST, "/graphql", &who.access_token)
                .json(&json!({ "query": query })),
        )
    };
    let refused = graphql(
        &cast.az,
        "{ documentWebhook(organisation: \"azstat\") { url } }",
    )
    .await
    .json();
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "forbidden",
        "{refused}"
    );
    let refused = graphql(&cast.az, "mutation { setDocumentWebhook(organisation: \"azstat\", url: \"https://x.example\") { url } }").await.json();
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "forbidden",
        "{refused}"
    );
    let deleted = graphql(
        &cast.org_admin,
        "mutation { deleteDocumentWebhook(organisation: \"azstat\") }",
    )
    .await
    .json();
    assert_eq!(deleted["data"]["deleteDocumentWebhook"], true, "{deleted}");
    get_webhook(&cast.org_admin).await.problem(404, "not_found");

    // Key rotation: the organisation's admins only.
    app.send(app.authed(
        Method::POST,
        "/api/v1/organisations/azstat/signing-keys/rotate",
        &cast.az.access_token,
    ))
    .await
    .problem(403, "forbidden");
    app.send(
        app.client
            .post(app.url("/api/v1/organisations/azstat/signing-keys/rotate")),
    )
    .await
    .problem(401, "unauthenticated");
    app.send(app.authed(
        Method::POST,
        "/api/v1/organisations/nowhere/signing-keys/rotate",
        &cast.org_admin.access_token,
    ))
    .await
    .problem(404, "not_found");
    let refused = graphql(
        &cast.az,
        "mutation { rotateSigningKey(organisation: \"azstat\") { kid } }",
    )
    .await
    .json();
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "forbidden",
        "{refused}"
    );
    let rotated = graphql(
        &cast.org_admin,
        "mutation { rotateSigningKey(organisation: \"azstat\") { kid validUntil } }",
    )
    .await
    .json();
    assert!(
        rotated["data"]["rotateSigningKey"]["kid"].is_string(),
        "{rotated}"
    );
    assert!(rotated["data"]["rotateSigningKey"]["validUntil"].is_null());
    let keys = app
        .get("/api/v1/organisations/azstat/signing-keys")
        .await
        .json();
    assert_eq!(
        keys.as_array().unwrap().len(),
        1,
        "refusals made no key; the rotation made the first"
    );
}
