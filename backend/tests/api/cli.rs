//! The binary: bad configuration ends with one clear line and a non-zero exit; the data
//! commands work on either backend.

use std::process::{Command, Output};

use crate::support::TestApp;

fn silkbridge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_silkbridge"))
        .args(args)
        .env_remove("SILKBRIDGE_CONFIG")
        .env_remove("SILKBRIDGE_DATABASE_URL")
        .env_remove("SILKBRIDGE_DATA_DIR")
        .env_remove("SILKBRIDGE_BIND")
        .env("SILKBRIDGE_LOG", "warn")
        .output()
        .unwrap()
}

/// Asserts a failure reported as exactly one `silkbridge: error:` line containing `expected`.
fn assert_one_line_error(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "should fail: {stderr}");
    assert!(!stderr.contains("panicked"), "a panic: {stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected: {stderr}");
    assert!(lines[0].starts_with("silkbridge: error: "), "{stderr}");
    assert!(
        lines[0].contains(expected),
        "expected `{expected}` in: {stderr}"
    );
}

#[test]
fn unknown_database_scheme_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let output = silkbridge(&[
        "serve",
        "--data-dir",
        data,
        "--database-url",
        "mysql://root@localhost/x",
    ]);
    assert_one_line_error(&output, "unknown database scheme `mysql`");
}

#[test]
fn unwritable_data_folder_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let data = blocker.join("data");
    let output = silkbridge(&["serve", "--data-dir", data.to_str().unwrap()]);
    assert_one_line_error(&output, "data folder");
}

#[test]
fn port_in_use_is_one_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let output = silkbridge(&[
        "serve",
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--bind",
        &address,
    ]);
    assert_one_line_error(&output, &format!("cannot listen on {address}"));
}

#[test]
fn unknown_configuration_keys_are_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("silkbridge.toml");
    std::fs::write(&file, "bnid = \"127.0.0.1:1\"\n").unwrap();
    let output = silkbridge(&["serve", "--config", file.to_str().unwrap()]);
    assert_one_line_error(&output, "bnid");
}

#[actix_web::test]
async fn seed_reindex_and_admin_commands_work_on_the_test_backend() {
    // The TestApp provides the isolated database (SQLite or PostgreSQL); its server is idle.
    let app = TestApp::start().await;
    // A folder of its own (its own index), with the server's keys, as a second node has.
    let work = tempfile::tempdir().unwrap();
    copy_folder(&app.dir.path().join("keys"), &work.path().join("keys"));
    let data = work.path().to_str().unwrap().to_owned();
    let url = app.database.url().to_owned();
    let base = ["--data-dir", data.as_str(), "--database-url", url.as_str()];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        silkbridge(&args)
    };

    let seeded = run(&["seed", "--demo"]);
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    assert!(String::from_utf8_lossy(&seeded.stdout).contains(
        "26 organisations, 10 users, 8 listings, 312 publications, 18 datasets, 1 documents, 103 devices and 4 programmes"
    ));

    let created = run(&[
        "admin",
        "create-organisation",
        "--slug",
        "uzbektelecom",
        "--name",
        "Uzbektelecom",
        "--kind",
        "operator",
        "--country",
        "UZ",
        "--name-in",
        "uz-Cyrl=Ўзбектелеком",
    ]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let refused = run(&[
        "admin",
        "create-organisation",
        "--slug",
        "x",
        "--name",
        "X",
        "--kind",
        "ngo",
        "--country",
        "UZ",
    ]);
    assert_one_line_error(&refused, "kind: unknown organisation kind `ngo`");

    let admin = run(&[
        "admin",
        "create-admin",
        "--name",
        "First Admin",
        "--organisation",
        "uzbektelecom",
    ]);
    assert!(
        admin.status.success(),
        "{}",
        String::from_utf8_lossy(&admin.stderr)
    );

    let reindexed = run(&["reindex"]);
    let stdout = String::from_utf8_lossy(&reindexed.stdout);
    assert!(
        reindexed.status.success(),
        "{}",
        String::from_utf8_lossy(&reindexed.stderr)
    );
    // 24 demo organisations + the one created above + 8 published listings + 312 publications
    // + 18 datasets + 1 document (restricted and private ones are indexed too, findable by
    // their organisation only).
    assert!(stdout.contains("370 searchable"), "{stdout}");

    let audit = run(&["audit", "verify"]);
    // 8 approvals of demo listings, 6 demo registry changes (one registration, four reports,
    // one grey-listing), 8 steps of the demo IMEI cases (the returned phone's open, sighting,
    // found, hand-over and close; the stolen phone's open and sighting; the fraud case's open),
    // 4 steps of the demo document (create, send, deliver, accept), the
    // organisation and the administrator above (20), then the demo content written by its
    // organisations' editors: 312 publications, 18 datasets and their 20 resources.
    let audit_out = String::from_utf8_lossy(&audit.stdout);
    assert!(
        audit.status.success(),
        "{:?}: {}",
        audit.status,
        String::from_utf8_lossy(&audit.stderr)
    );
    assert!(
        audit_out.contains("audit chain intact: 403 entries"),
        "{audit_out}"
    );

    let status = run(&["migrate", "--status"]);
    assert!(String::from_utf8_lossy(&status.stdout).contains("no pending migrations"));
}

#[test]
fn biometric_evaluation_prints_distributions_eer_and_a_threshold() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("labelled.jsonl");
    // Synthetic templates: 20 subjects, 3 captures each.
    let mut lines = String::new();
    for subject in 0..20u64 {
        for capture in 0..3u64 {
            let values =
                silkbridge::biometrics::synthetic::float_capture(subject, capture, 512, 0.3);
            let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            lines.push_str(&format!(
                "{{\"subjectId\": \"s{subject}\", \"template\": {{\"format\": \"float32\", \"dimension\": 512, \"vendor\": \"synthetic\", \"quality\": 80, \"data\": \"{data}\"}}}}\n"
            ));
        }
    }
    std::fs::write(&file, lines).unwrap();
    let output = silkbridge(&[
        "--data-dir",
        dir.path().to_str().unwrap(),
        "biometrics",
        "evaluate",
        file.to_str().unwrap(),
        "--target-far",
        "0.01",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("genuine pairs: 60"), "{stdout}");
    assert!(stdout.contains("impostor pairs: 1710"), "{stdout}");
    assert!(
        stdout.contains("EER: 0.0000"),
        "well-separated synthetic sets: {stdout}"
    );
    assert!(stdout.contains("threshold for FAR ≤ 0.01"), "{stdout}");
    // A malformed line is one clear error naming it.
    std::fs::write(&file, "{\"subjectId\": \"s1\", \"template\": {\"format\": \"float32\", \"dimension\": 3, \"vendor\": \"x\", \"quality\": 80, \"data\": \"AAAA\"}}\n").unwrap();
    let bad = silkbridge(&[
        "--data-dir",
        dir.path().to_str().unwrap(),
        "biometrics",
        "evaluate",
        file.to_str().unwrap(),
    ]);
    assert_one_line_error(&bad, "line 1: dimension wrong_dimension");
}

#[actix_web::test]
async fn the_first_administrator_is_granted_after_signing_in_or_invited_by_link() {
    use reqwest::Method;

    let app = TestApp::start_federated().await;
    let work = tempfile::tempdir().unwrap();
    copy_folder(&app.dir.path().join("keys"), &work.path().join("keys"));
    let data = work.path().to_str().unwrap().to_owned();
    let url = app.database.url().to_owned();
    let run = |extra: &[&str]| {
        let mut args = vec!["--data-dir", data.as_str(), "--database-url", url.as_str()];
        args.extend_from_slice(extra);
        silkbridge(&args)
    };
    let stdout = |output: &Output| String::from_utf8_lossy(&output.stdout).into_owned();

    // Someone signs in through their provider; the operator finds them and grants.
    let first = app.login("UZ", "first-operator").await;
    let listed = run(&["admin", "sign-ins"]);
    assert!(listed.status.success(), "{listed:?}");
    assert!(
        stdout(&listed).contains(&first.user_id),
        "{}",
        stdout(&listed)
    );
    assert!(stdout(&listed).contains("Test person first-operator"));
    let granted = run(&["admin", "grant-admin", "--user", &first.user_id]);
    assert!(granted.status.success(), "{granted:?}");
    let me = app
        .send(app.authed(Method::GET, "/api/v1/me", &first.access_token))
        .await
        .json();
    assert_eq!(me["platform_admin"], true, "{me}");

    // An account nobody can sign in to is never made an administrator.
    let nobody = app.person("AZ", "no identity", &[]).await;
    assert_one_line_error(
        &run(&["admin", "grant-admin", "--user", &nobody.user_id]),
        "has never signed in",
    );
    assert_one_line_error(
        &run(&["admin", "grant-admin", "--user", "no-such-user"]),
        "not found",
    );

    // Or a one-time link, accepted once by whoever signs in with it.
    let invited = run(&["admin", "invite", "--platform-admin", "--days", "2"]);
    assert!(invited.status.success(), "{invited:?}");
    let link = stdout(&invited);
    let token = link
        .split("/invite/")
        .nth(1)
        .unwrap_or_else(|| panic!("no link: {link}"))
        .trim()
        .to_owned();
    let accept = |who: &crate::support::SignedIn| {
        app.send(
            app.authed(
                Method::POST,
                "/api/v1/invitations/accept",
                &who.access_token,
            )
            .json(&serde_json::json!({"token": token})),
        )
    };
    let second = app.login("AZ", "second-operator").await;
    assert_eq!(accept(&second).await.status, 200);
    let me = app
        .send(app.authed(Method::GET, "/api/v1/me", &second.access_token))
        .await
        .json();
    assert_eq!(me["platform_admin"], true, "{me}");
    accept(&nobody).await.problem(409, "conflict");
    assert_one_line_error(
        &run(&["admin", "invite", "--organisation", "no-such-org"]),
        "not found",
    );
    assert_one_line_error(
        &run(&["admin", "invite", "--platform-admin", "--days", "90"]),
        "expires_in_days",
    );
    let audit = run(&["audit", "verify"]);
    assert!(audit.status.success(), "{audit:?}");
}

/// Copies a folder of files (the keys folder).
pub(super) fn copy_folder(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}
