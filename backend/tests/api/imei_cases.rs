//! IMEI cases: a phone lost in Uzbekistan, seen on an Azerbaijani network, found by the Baku
//! police and handed back by the Uzbek embassy; every illegal transition; that the owner's
//! contact and the subscriber's IMSI reach no one who may not see them (who sees which case:
//! `imei_case_access`).

use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};
use silkbridge::identity::domain::Role;
use silkbridge::imei::demo::imei_of;

use crate::cast::{Cast, cast};
use crate::support::{Partner, Reply, SignedIn, TestApp};

pub(super) const CONTACT: &str = "Owner: Dilnoza R., +998 90 111 22 33";
const IMSI: &str = "400011234567890";

pub(super) fn fresh_imei(serial: u32) -> String {
    imei_of(35100001, 950_000 + serial).to_string()
}

/// The people and systems of the flow, beside the cast.
pub(super) struct Crew {
    pub(super) baku_police: SignedIn,
    pub(super) tashkent_police: SignedIn,
    pub(super) uz_embassy: SignedIn,
    pub(super) az_embassy: SignedIn,
    /// A member (not editor) of the UZ registry: reads, never acts.
    pub(super) uz_registry_member: SignedIn,
    pub(super) az_operator: Partner,
    pub(super) uz_operator: Partner,
}

pub(super) async fn crew(app: &TestApp, cast: &Cast) -> Crew {
    let operator = |slug: &'static str| {
        let admin = &cast.admin;
        async move {
            app.partner(
                admin,
                json!({"name": format!("{slug} EIR"), "organisation": slug,
                       "scopes": ["imei:read", "imei:observe"], "rate_limit_per_minute": 10_000}),
            )
            .await
        }
    };
    Crew {
        baku_police: app
            .person("AZ", "Baku officer", &[("demo-baku-police", Role::Editor)])
            .await,
        tashkent_police: app
            .person(
                "UZ",
                "Tashkent officer",
                &[("demo-tashkent-police", Role::Editor)],
            )
            .await,
        uz_embassy: app
            .person("UZ", "Consul", &[("demo-uz-embassy-baku", Role::Editor)])
            .await,
        az_embassy: app
            .person(
                "AZ",
                "AZ consul",
                &[("demo-az-embassy-tashkent", Role::Editor)],
            )
            .await,
        uz_registry_member: app
            .person(
                "UZ",
                "Registry clerk",
                &[("demo-uz-device-registry", Role::Member)],
            )
            .await,
        az_operator: operator("demo-xezer-mobil").await,
        uz_operator: operator("demo-kelajak-mobile").await,
    }
}

pub(super) async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let request = app.authed(method, path, token);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    app.send(request).await
}

pub(super) async fn open_lost(
    app: &TestApp,
    who: &SignedIn,
    reference: &str,
    imei: &str,
    confidentiality: &str,
) -> Value {
    let reply = call(
        app,
        &who.access_token,
        Method::POST,
        "/api/v1/imei/cases",
        Some(
            json!({"kind": "lost", "reference": reference, "imeis": [imei],
                    "confidentiality": confidentiality, "summary": "Phone lost at Chorsu bazaar",
                    "ownerContact": CONTACT}),
        ),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

pub(super) async fn case_as(app: &TestApp, token: &str, id: &str) -> Reply {
    call(
        app,
        token,
        Method::GET,
        &format!("/api/v1/imei/cases/{id}"),
        None,
    )
    .await
}

pub(super) async fn status_of(app: &TestApp, partner: &Partner, imei: &str) -> String {
    let reply = call(
        app,
        &partner.token,
        Method::GET,
        &format!("/api/v1/imei/devices/{imei}/status"),
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["status"].as_str().unwrap().to_owned()
}

/// Polls a case until `done` holds (sightings are written off the check path).
async fn case_until(app: &TestApp, token: &str, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..200 {
        let case = case_as(app, token, id).await.json();
        if done(&case) {
            return case;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the case did not change as expected");
}

#[actix_web::test]
async fn a_phone_lost_in_uzbekistan_is_seen_in_baku_found_and_handed_back_by_the_embassy() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let crew = crew(&app, &cast).await;
    let imei = fresh_imei(1);
    let case = open_lost(
        &app,
        &cast.uz_officer,
        "UZ-LOST-2026-0001",
        &imei,
        "agencies",
    )
    .await;
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(case["state"], "open");
    assert_eq!(case["country"], "UZ");
    assert_eq!(
        case["ownerContact"], CONTACT,
        "the reporter sees the contact"
    );
    // Black-listed in both countries at once.
    assert_eq!(
        status_of(&app, &crew.az_operator, &imei).await,
        "BLACKLISTED"
    );

    // A check by the home country's operator is not "abroad": nothing happens.
    status_of(&app, &crew.uz_operator, &imei).await;
    // The Azerbaijani operator's network sees it (a check and an IMEI–IMSI upload).
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
    let located = case_until(&app, &cast.uz_officer.access_token, &id, |c| {
        c["state"] == "located"
    })
    .await;
    assert_eq!(located["version"], 2);
    let events = call(
        &app,
        &cast.uz_officer.access_token,
        Method::GET,
        &format!("/api/v1/imei/cases/{id}/events"),
        None,
    )
    .await;
    let events = events.json();
    let sightings: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "sighted")
        .collect();
    assert_eq!(
        sightings.len(),
        1,
        "one sighting per operator per quiet period: {events}"
    );
    assert_eq!(sightings[0]["country"], "AZ");
    assert_eq!(sightings[0]["imei"], imei.as_str());
    let operator_org = sightings[0]["organisationId"].as_str().unwrap().to_owned();
    assert!(
        !events.to_string().contains(IMSI),
        "the subscriber never reaches the case"
    );
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["organisationId"] != json!(null) || e["kind"] == "sighted")
    );
    let _ = operator_org;

    // The Baku police find it; the Uzbek embassy in Baku is assigned.
    let found = call(&app, &crew.baku_police.access_token, Method::POST, &format!("/api/v1/imei/cases/{id}/found"),
        Some(json!({"heldAt": "Sabail district police station, Baku", "note": "handed in by a taxi driver"}))).await;
    assert_eq!(found.status, 200, "{}", found.body);
    let found = found.json();
    assert_eq!(found["state"], "found");
    assert_eq!(found["foundCountry"], "AZ");
    assert_eq!(
        found["ownerContact"],
        json!(null),
        "the finder does not see the owner's contact"
    );
    let embassy = found["embassyId"]
        .as_str()
        .expect("an embassy is assigned")
        .to_owned();
    assert_eq!(
        crew.uz_embassy.me["memberships"][0]["organisation"]["id"],
        embassy.as_str()
    );

    // The embassy sees the case and the contact; the finder may not hand it over.
    let seen = case_as(&app, &crew.uz_embassy.access_token, &id).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert_eq!(seen.json()["ownerContact"], CONTACT);
    let refused = call(
        &app,
        &crew.baku_police.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{id}/handed-over"),
        Some(json!({})),
    )
    .await;
    refused.problem(403, "forbidden");
    let refused = call(
        &app,
        &cast.uz_officer.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{id}/handed-over"),
        Some(json!({})),
    )
    .await;
    refused.problem(403, "forbidden");

    let handed = call(
        &app,
        &crew.uz_embassy.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{id}/handed-over"),
        Some(json!({"note": "returned to the owner at the consular section"})),
    )
    .await;
    assert_eq!(handed.status, 200, "{}", handed.body);
    assert_eq!(handed.json()["state"], "handed_over");
    assert_eq!(
        status_of(&app, &crew.az_operator, &imei).await,
        "WHITELISTED",
        "the block is lifted in both countries"
    );

    // The reporter closes the case; the contact is erased, for everyone and in the database.
    let closed = call(
        &app,
        &cast.uz_officer.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{id}/close"),
        Some(json!({})),
    )
    .await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    let closed = closed.json();
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["ownerContact"], json!(null));
    assert!(closed["closedAt"].is_string());
    let state = app.state.clone();
    let case_id = id.clone();
    let sealed: Option<Vec<u8>> = tokio::task::spawn_blocking(move || {
        use silkbridge_schema::tables::imei_cases::dsl;
        let mut conn = state.db.connection().unwrap();
        dsl::imei_cases
            .find(case_id)
            .select(dsl::contact_sealed)
            .first(&mut conn)
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(sealed, None, "the sealed contact is gone from the row");
    let kinds: Vec<String> = call(
        &app,
        &cast.uz_officer.access_token,
        Method::GET,
        &format!("/api/v1/imei/cases/{id}/events"),
        None,
    )
    .await
    .json()
    .as_array()
    .unwrap()
    .iter()
    .map(|e| e["kind"].as_str().unwrap().to_owned())
    .collect();
    assert_eq!(
        kinds,
        ["opened", "sighted", "found", "handed_over", "closed"]
    );
}

#[actix_web::test]
async fn every_illegal_transition_is_409_and_changes_nothing() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let crew = crew(&app, &cast).await;
    let case = open_lost(
        &app,
        &cast.uz_officer,
        "UZ-LOST-2",
        &fresh_imei(2),
        "agencies",
    )
    .await;
    let id = case["id"].as_str().unwrap().to_owned();
    let post = |who: &SignedIn, step: &str, body: Value| {
        let (token, path) = (
            who.access_token.clone(),
            format!("/api/v1/imei/cases/{id}/{step}"),
        );
        let app = &app;
        async move { call(app, &token, Method::POST, &path, Some(body)).await }
    };
    // Open: no hand-over, no close.
    post(&crew.uz_embassy, "handed-over", json!({}))
        .await
        .problem(404, "not_found");
    post(&cast.uz_officer, "handed-over", json!({}))
        .await
        .problem(409, "invalid_transition");
    post(&cast.uz_officer, "close", json!({}))
        .await
        .problem(409, "invalid_transition");
    // Found at home (by the Tashkent police): no embassy; the reporter hands it over.
    let found = post(
        &crew.tashkent_police,
        "found",
        json!({"heldAt": "Yunusobod station"}),
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.json()["embassyId"], json!(null));
    post(&crew.baku_police, "found", json!({"heldAt": "elsewhere"}))
        .await
        .problem(409, "invalid_transition");
    post(&cast.uz_officer, "withdraw", json!({}))
        .await
        .problem(409, "invalid_transition");
    assert_eq!(
        post(&cast.uz_officer, "handed-over", json!({}))
            .await
            .status,
        200
    );
    assert_eq!(post(&cast.uz_officer, "close", json!({})).await.status, 200);
    for step in ["found", "handed-over", "close", "withdraw"] {
        let body = if step == "found" {
            json!({"heldAt": "x"})
        } else {
            json!({})
        };
        post(&crew.tashkent_police, step, body.clone()).await;
        let reply = post(&cast.uz_officer, step, body).await;
        assert!(
            reply.status == 409 || reply.status == 403,
            "{step} on a closed case: {}",
            reply.body
        );
    }
    let after = case_as(&app, &cast.uz_officer.access_token, &id)
        .await
        .json();
    assert_eq!(after["state"], "closed");
    assert_eq!(after["version"], 4, "only the three legal steps changed it");

    // Two agencies recording the same device found at the same moment: one wins, the other
    // gets 409 and changes nothing.
    let race = open_lost(
        &app,
        &cast.uz_officer,
        "UZ-RACE",
        &fresh_imei(8),
        "agencies",
    )
    .await;
    let race = race["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/imei/cases/{race}/found");
    let (a, b) = futures_util::join!(
        call(
            &app,
            &crew.baku_police.access_token,
            Method::POST,
            &path,
            Some(json!({"heldAt": "Baku"}))
        ),
        call(
            &app,
            &crew.tashkent_police.access_token,
            Method::POST,
            &path,
            Some(json!({"heldAt": "Tashkent"}))
        ),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
    let raced = case_as(&app, &cast.uz_officer.access_token, &race)
        .await
        .json();
    assert_eq!(raced["version"], 2, "exactly one transition applied");

    // A crime case is never found or handed over; it is opened and closed.
    let crime = call(
        &app,
        &crew.baku_police.access_token,
        Method::POST,
        "/api/v1/imei/cases",
        Some(json!({"kind": "crime", "reference": "AZ-CR-7", "imeis": [fresh_imei(3)]})),
    )
    .await;
    assert_eq!(crime.status, 201, "{}", crime.body);
    let crime_id = crime.json()["id"].as_str().unwrap().to_owned();
    call(
        &app,
        &crew.baku_police.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{crime_id}/found"),
        Some(json!({"heldAt": "x"})),
    )
    .await
    .problem(409, "invalid_transition");
    // A crime case does not black-list; an owner's contact makes no sense on it.
    call(&app, &crew.baku_police.access_token, Method::POST, "/api/v1/imei/cases",
        Some(json!({"kind": "fraud", "reference": "AZ-FR-1", "imeis": [fresh_imei(4)], "ownerContact": "x"})))
        .await
        .problem(422, "validation_failed");
    // The same reference twice, a device black-listed by someone else: 409.
    open_lost(
        &app,
        &cast.az_officer,
        "AZ-LOST-1",
        &fresh_imei(5),
        "agencies",
    )
    .await;
    call(
        &app,
        &cast.uz_officer.access_token,
        Method::POST,
        "/api/v1/imei/cases",
        Some(json!({"kind": "stolen", "reference": "UZ-ST-1", "imeis": [fresh_imei(5)]})),
    )
    .await
    .problem(409, "invalid_transition");
    call(
        &app,
        &cast.az_officer.access_token,
        Method::POST,
        "/api/v1/imei/cases",
        Some(json!({"kind": "stolen", "reference": "AZ-LOST-1", "imeis": [fresh_imei(6)]})),
    )
    .await
    .problem(409, "conflict");
    // Malformed input: 400, nothing stored.
    for body in [
        json!({"kind": "lost", "reference": "R", "imeis": []}),
        json!({"kind": "lost", "reference": "R", "imeis": ["123"]}),
        json!({"kind": "misplaced", "reference": "R", "imeis": [fresh_imei(7)]}),
        json!({"kind": "lost", "reference": "", "imeis": [fresh_imei(7)]}),
        json!({"kind": "lost", "reference": "x".repeat(101), "imeis": [fresh_imei(7)]}),
    ] {
        let reply = call(
            &app,
            &cast.uz_officer.access_token,
            Method::POST,
            "/api/v1/imei/cases",
            Some(body),
        )
        .await;
        assert!(reply.status == 400 || reply.status == 422, "{}", reply.body);
    }
    assert_eq!(
        status_of(&app, &crew.az_operator, &fresh_imei(7)).await,
        "WHITELISTED"
    );
}

#[actix_web::test]
async fn a_retention_period_keeps_the_contact_after_the_end_until_the_purge_erases_it() {
    let app = TestApp::start_with_config(|c| c.imei.case_contact_retention_days = 30).await;
    let cast = cast(&app).await;
    let case = open_lost(
        &app,
        &cast.uz_officer,
        "UZ-KEEP-1",
        &fresh_imei(20),
        "agencies",
    )
    .await;
    let id = case["id"].as_str().unwrap().to_owned();
    let withdrawn = call(
        &app,
        &cast.uz_officer.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{id}/withdraw"),
        Some(json!({"note": "the owner found it in a taxi"})),
    )
    .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(
        withdrawn.json()["ownerContact"],
        CONTACT,
        "kept for the retention period"
    );
    // Other agencies still never see it.
    let other = case_as(&app, &cast.az_officer.access_token, &id)
        .await
        .json();
    assert_eq!(other["ownerContact"], json!(null));

    // The purge, once the period is over (run here with a cutoff past the case's end).
    let state = app.state.clone();
    let erased = tokio::task::spawn_blocking(move || {
        let mut conn = state.db.connection().unwrap();
        let cutoff = silkbridge_schema::ids::now() + chrono::Duration::days(1);
        silkbridge_schema::write_transaction(&mut conn, |conn| {
            silkbridge::imei::cases::transitions::purge_contacts(conn, cutoff)
        })
        .unwrap()
    })
    .await
    .unwrap();
    assert!(erased >= 1, "{erased}");
    let after = case_as(&app, &cast.uz_officer.access_token, &id)
        .await
        .json();
    assert_eq!(after["ownerContact"], json!(null));
}
