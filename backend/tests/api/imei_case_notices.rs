//! IMEI cases tell organisations' own systems through their webhook: the reporting registry
//! hears that its lost phone was seen abroad, found and handed over; the embassy assigned
//! hears that it has a phone to hand over; the finder and the operator hear nothing of the
//! owner's case; no delivery carries the subscriber's IMSI or the owner's contact.

use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde_json::{Value, json};
use silkbridge::identity::domain::Role;

use super::imei_cases::{CONTACT, call, crew, fresh_imei, open_lost};
use crate::cast::cast;
use crate::support::{SignedIn, TestApp};

const IMSI: &str = "400019876543210";

/// What the receiver got: (path, event header, signature header, body).
type Received = Arc<Mutex<Vec<(String, String, String, String)>>>;

/// A webhook receiver on a free port that answers 200 to everything and keeps what it got.
fn receiver() -> (u16, Received, actix_web::dev::ServerHandle) {
    let received: Received = Arc::default();
    let kept = received.clone();
    let server = actix_web::HttpServer::new(move || {
        let kept = kept.clone();
        actix_web::App::new().default_service(actix_web::web::to(
            move |req: actix_web::HttpRequest, body: actix_web::web::Bytes| {
                let kept = kept.clone();
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    kept.lock().unwrap().push((
                        req.path().to_owned(),
                        header("x-silkbridge-event"),
                        header("x-silkbridge-signature"),
                        String::from_utf8_lossy(&body).into_owned(),
                    ));
                    actix_web::HttpResponse::Ok().finish()
                }
            },
        ))
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .unwrap();
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (port, received, handle)
}

async fn set_webhook(app: &TestApp, admin: &SignedIn, slug: &str, port: u16) -> String {
    let reply = call(
        app,
        &admin.access_token,
        Method::PUT,
        &format!("/api/v1/organisations/{slug}/webhook"),
        Some(json!({"url": format!("http://127.0.0.1:{port}/hooks/{slug}")})),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["secret"].as_str().unwrap().to_owned()
}

/// Runs the dispatcher until `n` deliveries about case `id` arrived (or nothing more is due),
/// and answers those. (The demo's cases have notices of their own, delivered too.)
async fn delivered(
    app: &TestApp,
    received: &Received,
    id: &str,
    n: usize,
) -> Vec<(String, String, String, String)> {
    let client = silkbridge::http::egress::client(true);
    let about = |received: &Received| {
        let marker = format!("\"case_id\":\"{id}\"");
        received
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, _, _, body)| body.contains(&marker))
            .cloned()
            .collect::<Vec<_>>()
    };
    for _ in 0..20 {
        let sent = silkbridge::outbox::dispatch::dispatch_due(&app.state, &client)
            .await
            .unwrap();
        if sent == 0 && about(received).len() >= n {
            break;
        }
        // A sighting is written off the check path, a moment later.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    about(received)
}

#[actix_web::test]
async fn the_reporter_and_the_embassy_are_told_by_webhook_and_no_one_else_is() {
    let app = TestApp::start_with_config(|c| {
        c.documents.webhook_https_only = false;
        c.documents.webhook_private_addresses = true;
    })
    .await;
    let cast = cast(&app).await;
    let crew = crew(&app, &cast).await;
    let (port, received, server) = receiver();
    let mut secrets = std::collections::BTreeMap::new();
    for slug in [
        "demo-uz-device-registry",
        "demo-uz-embassy-baku",
        "demo-baku-police",
        "demo-xezer-mobil",
    ] {
        let admin = app
            .person("UZ", &format!("{slug} admin"), &[(slug, Role::Admin)])
            .await;
        secrets.insert(
            format!("/hooks/{slug}"),
            set_webhook(&app, &admin, slug, port).await,
        );
    }

    let imei = fresh_imei(40);
    let case = open_lost(
        &app,
        &cast.uz_officer,
        "UZ-LOST-2026-0040",
        &imei,
        "agencies",
    )
    .await;
    let id = case["id"].as_str().unwrap().to_owned();
    let got = delivered(&app, &received, &id, 0).await;
    assert!(
        got.is_empty(),
        "opening a case tells no one's systems: {got:?}"
    );

    // Seen on an Azerbaijani network (twice: one notice per quiet period).
    for _ in 0..2 {
        let upload = app
            .send(
                app.authed(
                    Method::POST,
                    "/api/v1/imei/observations",
                    &crew.az_operator.token,
                )
                .header("content-type", "text/csv")
                .body(format!("imei,imsi\n{imei},{IMSI}\n")),
            )
            .await;
        assert_eq!(upload.status, 200, "{}", upload.body);
    }
    let got = delivered(&app, &received, &id, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let (path, event, _, body) = &got[0];
    assert_eq!(path, "/hooks/demo-uz-device-registry");
    assert_eq!(event, "imei.case.sighted");
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["type"], "imei.case.sighted");
    assert_eq!(body["case_id"], id.as_str());
    assert_eq!(body["reference"], "UZ-LOST-2026-0040");
    assert_eq!(body["country"], "AZ");
    assert_eq!(body["operator"]["slug"], "demo-xezer-mobil");
    assert_eq!(body["imei"], imei.as_str());

    let found = call(
        &app,
        &crew.baku_police.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{id}/found"),
        Some(json!({"heldAt": "Sabail district police station, Baku"})),
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
    let handed = call(
        &app,
        &crew.uz_embassy.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{id}/handed-over"),
        Some(json!({})),
    )
    .await;
    assert_eq!(handed.status, 200, "{}", handed.body);

    let got = delivered(&app, &received, &id, 4).await;
    let mut told: Vec<(String, String)> = got
        .iter()
        .map(|(path, event, _, _)| (path.clone(), event.clone()))
        .collect();
    told.sort();
    assert_eq!(
        told,
        [
            (
                "/hooks/demo-uz-device-registry".to_owned(),
                "imei.case.found".to_owned()
            ),
            (
                "/hooks/demo-uz-device-registry".to_owned(),
                "imei.case.handed_over".to_owned()
            ),
            (
                "/hooks/demo-uz-device-registry".to_owned(),
                "imei.case.sighted".to_owned()
            ),
            (
                "/hooks/demo-uz-embassy-baku".to_owned(),
                "imei.case.found".to_owned()
            ),
        ],
        "the finder and the operator are not told of the owner's case"
    );
    for (path, _, signature, body) in &got {
        assert!(!body.contains(IMSI), "no subscriber in a notice: {body}");
        assert!(
            !body.contains("Dilnoza") && !body.contains(CONTACT),
            "no contact: {body}"
        );
        let timestamp: i64 = signature
            .trim_start_matches("t=")
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let expected =
            silkbridge::outbox::signature(secrets[path].as_bytes(), timestamp, body).unwrap();
        assert_eq!(
            signature, &expected,
            "signed with the receiving organisation's secret"
        );
    }
    let found: Value = serde_json::from_str(
        &got.iter()
            .find(|(p, e, _, _)| p.ends_with("embassy-baku") && e == "imei.case.found")
            .unwrap()
            .3,
    )
    .unwrap();
    assert_eq!(found["held_at"], "Sabail district police station, Baku");
    assert_eq!(found["found_by"]["slug"], "demo-baku-police");

    // The documents' polling feed is the documents' events: a case notice is not in it.
    let feed = call(
        &app,
        &cast.uz_officer.access_token,
        Method::GET,
        "/api/v1/documents/events",
        None,
    )
    .await;
    assert_eq!(feed.status, 200, "{}", feed.body);
    assert!(!feed.body.contains("imei.case"), "{}", feed.body);
    server.stop(false).await;
}

/// Two nodes record the same operator's sighting of a located case at the same instant: one
/// `sighted` event, not two (on PostgreSQL the second's conditional update on the case's
/// version fails, and its retry sees the first's event; SQLite serialises writers anyway).
#[actix_web::test]
async fn the_same_sighting_recorded_by_two_nodes_at_once_is_one_event() {
    use diesel::prelude::*;
    use silkbridge_schema::tables::{imei_case_events, organisations};

    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let imei = fresh_imei(41);
    let case = open_lost(
        &app,
        &cast.uz_officer,
        "UZ-LOST-2026-0041",
        &imei,
        "agencies",
    )
    .await;
    let id = case["id"].as_str().unwrap().to_owned();
    let db = app.state.db.clone();
    let operator: String = {
        let mut conn = db.connection().unwrap();
        organisations::table
            .filter(organisations::slug.eq("demo-xezer-mobil"))
            .select(organisations::id)
            .first(&mut conn)
            .unwrap()
    };
    let parsed = silkbridge::imei::domain::Imei::parse(&imei).unwrap().imei;
    let quiet = chrono::Duration::hours(24);
    let sight = |at: chrono::NaiveDateTime| {
        let (db, operator) = (db.clone(), operator.clone());
        move || {
            // As the sightings thread does: one retry after a conflict.
            for _ in 0..2 {
                let mut conn = db.connection().unwrap();
                let done = silkbridge_schema::write_transaction(&mut conn, |conn| {
                    silkbridge::imei::cases::transitions::sighted(
                        conn, parsed, &operator, at, quiet,
                    )
                });
                if done.is_ok() {
                    return;
                }
            }
            panic!("the sighting was not recorded");
        }
    };
    let first = silkbridge_schema::ids::now();
    tokio::task::spawn_blocking(sight(first)).await.unwrap();
    for round in 1..=5 {
        let at = first + chrono::Duration::hours(25 * round);
        let racers: Vec<_> = (0..2)
            .map(|_| tokio::task::spawn_blocking(sight(at)))
            .collect();
        for racer in racers {
            racer.await.unwrap();
        }
    }
    let mut conn = db.connection().unwrap();
    let sightings: i64 = imei_case_events::table
        .filter(imei_case_events::case_id.eq(&id))
        .filter(imei_case_events::kind.eq("sighted"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(
        sightings, 6,
        "one per quiet period, however many nodes record it"
    );
}
