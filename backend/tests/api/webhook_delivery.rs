//! One organisation's receiver cannot stall another's: with a tar pit (accepts, never answers)
//! as stat-uz's webhook, azstat's events still arrive within moments, in order. A receiver
//! that keeps failing has its event given up (dead-lettered with the reason) after the
//! configured attempts; every attempt is in the delivery log its admins read; a redelivery
//! sends it again. Other people and organisations cannot read or redeliver.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use silkbridge::identity::domain::Role;

use crate::support::{SignedIn, TestApp};

/// A receiver that keeps the ids of what it got, answering 200 when `healthy`, else 500.
fn receiver(healthy: Arc<AtomicBool>) -> (u16, Arc<Mutex<Vec<String>>>) {
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let kept = got.clone();
    let server = actix_web::HttpServer::new(move || {
        let (kept, healthy) = (kept.clone(), healthy.clone());
        actix_web::App::new().default_service(actix_web::web::to(
            move |req: actix_web::HttpRequest| {
                let (kept, healthy) = (kept.clone(), healthy.clone());
                async move {
                    if !healthy.load(Ordering::SeqCst) {
                        return actix_web::HttpResponse::InternalServerError().finish();
                    }
                    let id = req
                        .headers()
                        .get("idempotency-key")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    kept.lock().unwrap().push(id);
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
    actix_web::rt::spawn(server.run());
    (port, got)
}

/// A tar pit: takes every connection and never answers.
fn tar_pit() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

async fn call(
    app: &TestApp,
    who: &SignedIn,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> crate::support::Reply {
    let mut request = app.authed(method, path, &who.access_token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    app.send(request).await
}

async fn hook(app: &TestApp, admin: &SignedIn, slug: &str, port: u16) {
    let reply = call(
        app,
        admin,
        Method::PUT,
        &format!("/api/v1/organisations/{slug}/webhook"),
        Some(json!({"url": format!("http://127.0.0.1:{port}/hook")})),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Events for an organisation, as a module's transaction records them; their ids in order.
async fn notify(app: &TestApp, slug: &str, n: usize) -> Vec<String> {
    let (db, slug) = (app.state.db.clone(), slug.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut conn = db.connection().unwrap();
        let org = silkbridge::identity::rules::organisation_by_slug(&mut conn, &slug).unwrap();
        (0..n)
            .map(|i| {
                silkbridge::outbox::notify(
                    &mut conn,
                    &org.id,
                    "test.ping",
                    &format!("s{i}"),
                    json!({"n": i}),
                )
                .unwrap()
            })
            .collect()
    })
    .await
    .unwrap()
}

async fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

#[actix_web::test]
async fn a_tar_pit_stalls_only_its_own_organisation_and_failing_events_are_given_up_and_redelivered()
 {
    let app = TestApp::start_with_config(|c| {
        c.documents.webhook_https_only = false;
        c.documents.webhook_private_addresses = true;
        c.documents.webhook_timeout_secs = 8;
        c.documents.webhook_retry_base_ms = 50;
        c.documents.webhook_retry_max_secs = 1;
        c.documents.webhook_max_attempts = 3;
        c.documents.webhook_poll_ms = 50;
    })
    .await;
    let _cast = crate::cast::cast(&app).await;
    let stat_admin = app
        .person("UZ", "stat-uz admin", &[("stat-uz", Role::Admin)])
        .await;
    let azstat_admin = app
        .person("AZ", "azstat admin", &[("azstat", Role::Admin)])
        .await;
    let cbar_admin = app
        .person("AZ", "cbar admin", &[("cbar", Role::Admin)])
        .await;
    let editor = app
        .person("AZ", "azstat editor", &[("azstat", Role::Editor)])
        .await;
    hook(&app, &stat_admin, "stat-uz", tar_pit()).await;
    let (azstat_port, azstat_got) = receiver(Arc::new(AtomicBool::new(true)));
    hook(&app, &azstat_admin, "azstat", azstat_port).await;
    let cbar_healthy = Arc::new(AtomicBool::new(false));
    let (cbar_port, cbar_got) = receiver(cbar_healthy.clone());
    hook(&app, &cbar_admin, "cbar", cbar_port).await;

    // The tar pit's events are the oldest: a dispatcher that went one event at a time would
    // make everyone else wait out its timeouts.
    notify(&app, "stat-uz", 2).await;
    let azstat_events = notify(&app, "azstat", 3).await;
    let cbar_event = notify(&app, "cbar", 1).await.remove(0);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let dispatcher = silkbridge::outbox::spawn(app.state.clone(), stopped);
    let took = wait_for("azstat's deliveries", Duration::from_secs(6), || {
        azstat_got.lock().unwrap().len() == 3
    })
    .await;
    assert!(
        took < Duration::from_secs(4),
        "azstat waited {took:?} behind the tar pit"
    );
    assert_eq!(
        *azstat_got.lock().unwrap(),
        azstat_events,
        "in the order they happened"
    );

    // cbar's receiver fails: three attempts, then the event is given up with its reason.
    let deliveries = "/api/v1/organisations/cbar/webhook/deliveries".to_owned();
    let started = Instant::now();
    let log = loop {
        let log = call(&app, &cbar_admin, Method::GET, &deliveries, None)
            .await
            .json();
        if log
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["outcome"] == "dead")
        {
            break log;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not given up: {log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let outcomes: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["dead", "failed", "failed", "failed"], "{log}");
    assert_eq!(log[1]["status"], 500);
    assert!(
        log[0]["error"]
            .as_str()
            .unwrap()
            .contains("given up after 3 attempts: HTTP 500"),
        "{log}"
    );

    // Who may read the log and redeliver: the organisation's admins.
    assert_eq!(app.get(&deliveries).await.status, 401);
    assert_eq!(
        call(
            &app,
            &editor,
            Method::GET,
            "/api/v1/organisations/azstat/webhook/deliveries",
            None
        )
        .await
        .status,
        403
    );
    assert_eq!(
        call(&app, &azstat_admin, Method::GET, &deliveries, None)
            .await
            .status,
        403
    );
    let foreign = call(
        &app,
        &azstat_admin,
        Method::POST,
        &format!("/api/v1/organisations/azstat/webhook/events/{cbar_event}/redeliver"),
        None,
    )
    .await;
    assert_eq!(
        foreign.status, 404,
        "another organisation's event: {}",
        foreign.body
    );
    assert_eq!(
        call(
            &app,
            &cbar_admin,
            Method::GET,
            &format!("{deliveries}?limit=0"),
            None
        )
        .await
        .status,
        400
    );

    // Mended and redelivered: it arrives.
    cbar_healthy.store(true, Ordering::SeqCst);
    let again = call(
        &app,
        &cbar_admin,
        Method::POST,
        &format!("/api/v1/organisations/cbar/webhook/events/{cbar_event}/redeliver"),
        None,
    )
    .await;
    assert_eq!(again.status, 202, "{}", again.body);
    wait_for("the redelivery", Duration::from_secs(5), || {
        cbar_got.lock().unwrap().len() == 1
    })
    .await;
    assert_eq!(*cbar_got.lock().unwrap(), std::slice::from_ref(&cbar_event));
    let log = call(&app, &cbar_admin, Method::GET, &deliveries, None)
        .await
        .json();
    assert_eq!(log[0]["outcome"], "delivered", "{log}");
    assert!(log[0]["latencyMs"].as_i64().is_some());

    stop.send(true).unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(1), dispatcher).await;
}
