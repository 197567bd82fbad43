//! Security II, item 5: polling document events never skips one. Event ids are UUIDv7 made
//! before commit; on PostgreSQL an event whose transaction commits late sorts below events
//! already handed out, and a poller whose cursor had moved past it would never see it.

use std::sync::mpsc;

use diesel::prelude::*;
use serde_json::Value;
use silkbridge_schema::models::OrganisationEventRow;
use silkbridge_schema::tables::{organisation_events, organisations};
use silkbridge_schema::{Backend, Database, DbConnection, PoolOptions, ids};

use crate::cast::cast;
use crate::support::TestApp;

fn event(organisation_id: &str, label: &str) -> OrganisationEventRow {
    OrganisationEventRow {
        id: ids::new_id(),
        organisation_id: organisation_id.to_owned(),
        event_type: "document.delivered".into(),
        subject: label.to_owned(),
        payload: "{}".into(),
        created_at: ids::now(),
        attempts: 0,
        next_attempt_at: ids::now(),
        delivered_at: None,
        last_error: None,
    }
}

fn insert(conn: &mut DbConnection, row: &OrganisationEventRow) {
    diesel::insert_into(organisation_events::table)
        .values(row)
        .execute(conn)
        .unwrap();
}

#[actix_web::test]
async fn an_event_committed_late_is_not_skipped_by_a_poller() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let db = app.state.db.clone();
    let org: String = tokio::task::spawn_blocking(move || {
        organisations::table
            .filter(organisations::slug.eq("stat-uz"))
            .select(organisations::id)
            .first(&mut db.connection().unwrap())
            .unwrap()
    })
    .await
    .unwrap();

    // A cursor that is not one of the caller's events is refused, whether it exists or not.
    let theirs = event(&org, "first");
    let outsider_event = theirs.id.clone();
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || insert(&mut db.connection().unwrap(), &theirs))
        .await
        .unwrap();
    let refused = app
        .send(app.authed(
            reqwest::Method::GET,
            &format!("/api/v1/documents/events?after={outsider_event}"),
            &cast.outsider.access_token,
        ))
        .await;
    refused.problem(400, "invalid_cursor");
    let unknown = app
        .send(app.authed(
            reqwest::Method::GET,
            &format!("/api/v1/documents/events?after={}", ids::new_id()),
            &cast.uz.access_token,
        ))
        .await;
    unknown.problem(400, "invalid_cursor");
    // A page size out of range is refused, as on every other list, not silently clamped.
    for limit in [0, 1001] {
        app.send(app.authed(
            reqwest::Method::GET,
            &format!("/api/v1/documents/events?limit={limit}"),
            &cast.uz.access_token,
        ))
        .await
        .problem(400, "invalid_parameter");
    }
    if app.state.db.backend() != Backend::Postgres {
        // SQLite serialises writers: a later writer waits, so ids and commits keep one order.
        return;
    }
    let first = super::documents::events_settled(&app, &cast.uz.access_token, 1).await;
    let start = first[0]["id"].as_str().unwrap().to_owned();

    // A writer takes the smaller id, then stays open.
    let (ready, is_ready) = tokio::sync::oneshot::channel();
    let (release, released) = mpsc::channel::<()>();
    let url = app.database.url().to_owned();
    let late_org = org.clone();
    let slow = std::thread::spawn(move || {
        let slow = Database::open(&url, &PoolOptions::default()).unwrap();
        let mut conn = slow.connection().unwrap();
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            insert(conn, &event(&late_org, "late"));
            ready.send(()).unwrap();
            released.recv().unwrap();
            Ok(())
        })
        .unwrap();
    });
    is_ready.await.unwrap();
    let db = app.state.db.clone();
    let early_org = org.clone();
    tokio::task::spawn_blocking(move || {
        insert(&mut db.connection().unwrap(), &event(&early_org, "early"))
    })
    .await
    .unwrap();

    // A poll while the slow writer is open; then the writer commits; then poll on.
    let poll = |after: Option<String>| {
        let path = match after {
            Some(after) => format!("/api/v1/documents/events?after={after}"),
            None => "/api/v1/documents/events".to_owned(),
        };
        app.send(app.authed(reqwest::Method::GET, &path, &cast.uz.access_token))
    };
    let mut seen: Vec<(String, String)> = Vec::new();
    let take = |page: Value, seen: &mut Vec<(String, String)>| {
        for e in page.as_array().unwrap() {
            seen.push((
                e["id"].as_str().unwrap().to_owned(),
                e["document_id"].as_str().unwrap().to_owned(),
            ));
        }
    };
    take(poll(Some(start.clone())).await.json(), &mut seen);
    release.send(()).unwrap();
    slow.join().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while seen.len() < 2 && std::time::Instant::now() < deadline {
        let cursor = seen.last().map_or(start.clone(), |(id, _)| id.clone());
        let reply = poll(Some(cursor)).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        take(reply.json(), &mut seen);
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let labels: Vec<&str> = seen.iter().map(|(_, label)| label.as_str()).collect();
    assert_eq!(
        labels,
        ["late", "early"],
        "every event once, in commit-safe order"
    );
}
