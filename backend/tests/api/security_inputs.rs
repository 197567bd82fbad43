//! Security I, input an attacker controls: bodies that split characters, trickle or never
//! end, forms of endless fields, invented HTTP methods, redirect targets a browser reads
//! differently, probes that write, abandoned objects, webhook hosts that reach inward, and
//! client addresses behind proxies.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use silkbridge::identity::domain::Role;

use super::datasets::{create, dataset, upload};
use crate::support::TestApp;

#[actix_web::test]
async fn a_csv_whose_fields_split_a_character_is_refused_not_a_dropped_connection() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let editor = app
        .person("UZ", "Data editor", &[("stat-uz", Role::Editor)])
        .await;
    create(&app, &editor, dataset(json!({}))).await;
    let mut body = b"a,b\n".to_vec();
    while body.len() < 700 {
        body.extend_from_slice(b"x,y\n");
    }
    body.extend_from_slice(b"\xD0,\x90\n");
    let reply = upload(
        &app,
        &editor,
        "aholi-soni-2024",
        "split.csv",
        "text/csv",
        body,
    )
    .await;
    let problem = reply.problem(422, "validation_failed");
    assert!(problem.to_string().contains("not UTF-8"), "{problem}");
}

/// A multipart form of `count` text fields of `size` bytes each.
fn form(count: usize, size: usize) -> (String, Vec<u8>) {
    let boundary = "silkbridge-test-boundary";
    let mut body = Vec::new();
    for i in 0..count {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\ncontent-disposition: form-data; name=\"f{i}\"\r\n\r\n{}\r\n",
                "v".repeat(size)
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[actix_web::test]
async fn ckan_multipart_forms_are_bounded_and_anonymous_writes_refused_first() {
    let app = TestApp::start_with(|config, _| config.limits.json_body_bytes = 256 * 1024).await;
    app.seed_demo().await;
    let editor = app
        .person("UZ", "Data editor", &[("stat-uz", Role::Editor)])
        .await;
    let action = app.url("/api/3/action/resource_create");
    // Anonymous: refused as CKAN refuses, before 16 MiB of fields are read.
    let (kind, body) = form(256, 64 * 1024);
    let reply = app
        .send(
            app.client
                .post(&action)
                .header("content-type", &kind)
                .body(body),
        )
        .await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(reply.json()["error"]["__type"], "Authorization Error");
    // Signed in: many fields, each within its own limit, are 413 together.
    let (kind, body) = form(64, 60 * 1024);
    let reply = app
        .send(
            app.client
                .post(&action)
                .header("x-ckan-api-key", &editor.access_token)
                .header("content-type", &kind)
                .body(body),
        )
        .await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    // And so are endless tiny fields.
    let (kind, body) = form(5_000, 1);
    let reply = app
        .send(
            app.client
                .post(&action)
                .header("x-ckan-api-key", &editor.access_token)
                .header("content-type", &kind)
                .body(body),
        )
        .await;
    assert_eq!(reply.status, 413, "{}", reply.body);
}

#[actix_web::test]
async fn a_trickling_sightings_upload_holds_no_transaction_and_times_out() {
    let app = TestApp::start_with(|config, _| config.limits.body_idle_timeout_secs = 2).await;
    app.seed_demo().await;
    app.reindex().await;
    let admin = app.platform_admin().await;
    let operator = app
        .partner(
            &admin,
            json!({
                "name": "Xəzər Mobil EIR",
                "organisation": "demo-xezer-mobil",
                "scopes": ["imei:observe"],
                "rate_limit_per_minute": 10_000
            }),
        )
        .await;
    let editor = app
        .person("UZ", "Data editor", &[("stat-uz", Role::Editor)])
        .await;

    // The operator sends a line, then nothing more.
    let first = futures_util::stream::iter([Ok::<_, std::io::Error>(
        b"imei,imsi\n490154203237518,434051234567890\n".to_vec(),
    )]);
    let body = reqwest::Body::wrap_stream(futures_util::StreamExt::chain(
        first,
        futures_util::stream::pending(),
    ));
    let request = app
        .authed(Method::POST, "/api/v1/imei/observations", &operator.token)
        .header("content-type", "text/csv")
        .body(body);
    let trickle = actix_web::rt::spawn(async move { request.send().await });
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Meanwhile other writes go through at once, and reach search.
    let started = Instant::now();
    create(
        &app,
        &editor,
        dataset(json!({"name": "written-during-the-trickle", "title": "Trickle canary"})),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "a write waited {:?} on the upload",
        started.elapsed()
    );
    app.search_until("/api/v1/search?q=canary", "Trickle canary")
        .await;

    // The silent upload is given up, and stored nothing.
    let answer = trickle.await.unwrap().unwrap();
    assert_eq!(
        answer.status().as_u16(),
        408,
        "{}",
        answer.text().await.unwrap()
    );
    let stored: i64 = {
        use diesel::prelude::*;
        use silkbridge_schema::tables::imei_sightings;
        let mut conn = app.state.db.connection().unwrap();
        imei_sightings::table
            .filter(imei_sightings::imsi.eq("434051234567890"))
            .count()
            .get_result(&mut conn)
            .unwrap()
    };
    assert_eq!(stored, 0, "a given-up upload stored its first line");
}

#[actix_web::test]
async fn invented_methods_do_not_become_metric_series() {
    let app = TestApp::start().await;
    for method in ["FOOBAR", "XYZZY1", "PURGE2"] {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        app.send(app.client.request(method, app.url("/healthz")))
            .await;
    }
    let metrics = app.get("/metrics").await;
    for invented in ["FOOBAR", "XYZZY1", "PURGE2"] {
        assert!(
            !metrics.body.contains(invented),
            "{invented} became a label"
        );
    }
    assert!(
        metrics.body.contains("method=\"other\""),
        "{}",
        metrics.body
    );
}

#[actix_web::test]
async fn return_to_cannot_send_a_browser_to_another_site() {
    let app = TestApp::start().await;
    for target in [
        "/%09/evil.example/",
        "/%0a/evil.example/",
        "//evil.example/",
        "/%5Cevil.example/",
    ] {
        let reply = app.get(&format!("/auth/UZ/login?return_to={target}")).await;
        reply.problem(400, "invalid_parameter");
    }
}

#[actix_web::test]
async fn readiness_probes_do_not_write() {
    let app = TestApp::start().await;
    app.reindex().await;
    assert_eq!(app.get("/readyz").await.status, 200);
    let marker = app.dir.path().join("objects/_silkbridge/readyz");
    let first = std::fs::metadata(&marker).unwrap().modified().unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    for _ in 0..5 {
        assert_eq!(app.get("/readyz").await.status, 200);
    }
    let after = std::fs::metadata(&marker).unwrap().modified().unwrap();
    assert_eq!(first, after, "the probe rewrote its marker");
}

#[actix_web::test]
async fn the_sweep_collects_old_unreferenced_objects_and_staging_files_only() {
    use object_store::ObjectStoreExt;
    let app = TestApp::start().await;
    app.seed_demo().await;
    let editor = app
        .person("UZ", "Data editor", &[("stat-uz", Role::Editor)])
        .await;
    create(&app, &editor, dataset(json!({}))).await;
    let kept = upload(
        &app,
        &editor,
        "aholi-soni-2024",
        "kept.csv",
        "text/csv",
        b"a\n1\n".to_vec(),
    )
    .await;
    assert_eq!(kept.status, 201, "{}", kept.body);
    let orphan = object_store::path::Path::from("datasets/gone/orphan");
    app.state
        .objects
        .put(&orphan, "left behind".into())
        .await
        .unwrap();
    let fresh = object_store::path::Path::from("datasets/gone/fresh");
    app.state
        .objects
        .put(&fresh, "an upload still recording".into())
        .await
        .unwrap();
    let objects = app.dir.path().join("objects");
    let staging = objects.join("datasets/gone/upload#7");
    std::fs::write(&staging, "a killed upload").unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(48 * 3600);
    for path in [objects.join("datasets/gone/orphan"), staging.clone()] {
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    // Everything the demo and the upload wrote is old too: only rows decide.
    for entry in walk(&objects) {
        if !entry.ends_with("fresh") {
            let _ = std::fs::File::options()
                .write(true)
                .open(&entry)
                .and_then(|f| f.set_modified(old));
        }
    }
    let before = walk(&objects).len();
    let report = silkbridge::sweep::sweep(&app.state, silkbridge::sweep::GRACE)
        .await
        .unwrap();
    assert_eq!(report.deleted, 1, "{report:?}");
    assert_eq!(report.staging_files_removed, 1, "{report:?}");
    assert!(app.state.objects.head(&orphan).await.is_err());
    assert!(
        app.state.objects.head(&fresh).await.is_ok(),
        "too young to judge"
    );
    assert!(!staging.exists());
    assert_eq!(walk(&objects).len(), before - 2);
    let download = app.get(kept.json()["url"].as_str().unwrap()).await;
    assert_eq!((download.status, download.body.as_str()), (200, "a\n1\n"));
}

fn walk(root: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            if entry.path().is_dir() {
                folders.push(entry.path());
            } else {
                found.push(entry.path());
            }
        }
    }
    found
}

#[actix_web::test]
async fn webhook_hosts_that_embed_an_inward_ipv4_address_are_refused() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let admin = app
        .person("UZ", "Organisation admin", &[("stat-uz", Role::Admin)])
        .await;
    for url in [
        "https://[64:ff9b::7f00:1]/hook",
        "https://[::ffff:0:a9fe:a9fe]/latest/meta-data",
        "https://[2002:a00:1::]/hook",
        "https://[::127.0.0.1]/hook",
    ] {
        let reply = app
            .send(
                app.authed(
                    Method::PUT,
                    "/api/v1/organisations/stat-uz/webhook",
                    &admin.access_token,
                )
                .json(&json!({ "url": url })),
            )
            .await;
        reply.problem(422, "validation_failed");
    }
}

async fn check(app: &TestApp, forwarded: &str) -> crate::support::Reply {
    app.send(
        app.client
            .get(app.url("/api/v1/imei/public/490154203237518"))
            .header("x-forwarded-for", forwarded),
    )
    .await
}

#[actix_web::test]
async fn citizen_checks_count_per_client_behind_a_trusted_proxy_only() {
    // Behind our balancer (the loopback peer): each citizen has a bucket of their own.
    let app = TestApp::start_with(|config, _| {
        config.imei.public_checks_per_minute = 2;
        config.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    for citizen in ["198.51.100.1", "198.51.100.2", "198.51.100.3"] {
        for _ in 0..2 {
            assert_eq!(check(&app, citizen).await.status, 200);
        }
    }
    check(&app, "198.51.100.1")
        .await
        .problem(429, "rate_limited");
    // An IPv6 citizen rotating addresses inside one /64 is one citizen.
    assert_eq!(check(&app, "2001:db8:5:6::1").await.status, 200);
    assert_eq!(check(&app, "2001:db8:5:6::2").await.status, 200);
    check(&app, "2001:db8:5:6::3")
        .await
        .problem(429, "rate_limited");

    // Without a trusted proxy the header is anyone's to write: one bucket for the peer.
    let app = TestApp::start_with(|config, _| config.imei.public_checks_per_minute = 2).await;
    assert_eq!(check(&app, "198.51.100.1").await.status, 200);
    assert_eq!(check(&app, "198.51.100.2").await.status, 200);
    check(&app, "198.51.100.3")
        .await
        .problem(429, "rate_limited");
}
