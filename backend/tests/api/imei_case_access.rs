//! IMEI cases, who sees what: anonymous callers, partners, people of no agency and platform
//! administrators are refused; agencies read `agencies` cases without the owner's contact;
//! embassies only the cases they hand over; links show only cases the caller may read.

use diesel::prelude::*;
use reqwest::Method;
use serde_json::json;

use super::imei_cases::{CONTACT, call, case_as, crew, fresh_imei, open_lost};
use crate::cast::cast;
use crate::support::TestApp;

#[actix_web::test]
async fn only_the_agencies_and_embassies_of_a_case_see_it_and_only_its_own_see_the_contact() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let crew = crew(&app, &cast).await;
    let shared = open_lost(
        &app,
        &cast.uz_officer,
        "UZ-SHARED",
        &fresh_imei(10),
        "agencies",
    )
    .await;
    let restricted = open_lost(
        &app,
        &cast.uz_officer,
        "UZ-RESTRICTED",
        &fresh_imei(11),
        "restricted",
    )
    .await;
    let (shared, restricted) = (
        shared["id"].as_str().unwrap().to_owned(),
        restricted["id"].as_str().unwrap().to_owned(),
    );

    // Anonymous: 401. Partners, whatever their scopes: 403. People of no agency (a citizen,
    // a university, an operator's staff) and platform administrators: 403.
    app.get("/api/v1/imei/cases")
        .await
        .problem(401, "unauthenticated");
    app.get(&format!("/api/v1/imei/cases/{shared}"))
        .await
        .problem(401, "unauthenticated");
    for token in [&crew.az_operator.token, &crew.uz_operator.token] {
        call(&app, token, Method::GET, "/api/v1/imei/cases", None)
            .await
            .problem(403, "forbidden");
        call(
            &app,
            token,
            Method::GET,
            &format!("/api/v1/imei/cases/{shared}"),
            None,
        )
        .await
        .problem(403, "forbidden");
    }
    for who in [&cast.buyer, &cast.cloud_editor, &cast.admin] {
        call(
            &app,
            &who.access_token,
            Method::GET,
            "/api/v1/imei/cases",
            None,
        )
        .await
        .problem(403, "forbidden");
        case_as(&app, &who.access_token, &shared)
            .await
            .problem(403, "forbidden");
    }

    // Agencies of either country read an `agencies` case without the contact; a restricted
    // one is not found. An embassy of no case sees none.
    for who in [&cast.az_officer, &crew.baku_police, &crew.tashkent_police] {
        let reply = case_as(&app, &who.access_token, &shared).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.json()["ownerContact"], json!(null));
        case_as(&app, &who.access_token, &restricted)
            .await
            .problem(404, "not_found");
        let list = call(
            &app,
            &who.access_token,
            Method::GET,
            "/api/v1/imei/cases",
            None,
        )
        .await;
        assert!(
            list.body.contains(&shared) && !list.body.contains(&restricted),
            "{}",
            list.body
        );
        assert!(!list.body.contains(CONTACT));
    }
    for who in [&crew.az_embassy, &crew.uz_embassy] {
        case_as(&app, &who.access_token, &shared)
            .await
            .problem(404, "not_found");
        let list = call(
            &app,
            &who.access_token,
            Method::GET,
            "/api/v1/imei/cases",
            None,
        )
        .await;
        assert!(
            !list.body.contains(&shared) && !list.body.contains(&restricted),
            "{}",
            list.body
        );
    }
    // The Azerbaijani embassy in Tashkent has no case at all; the Uzbek one in Baku only the
    // demo's returned phone, without its (erased) contact.
    let az_list = call(
        &app,
        &crew.az_embassy.access_token,
        Method::GET,
        "/api/v1/imei/cases",
        None,
    )
    .await;
    assert_eq!(az_list.json(), json!([]));
    let uz_list = call(
        &app,
        &crew.uz_embassy.access_token,
        Method::GET,
        "/api/v1/imei/cases",
        None,
    )
    .await
    .json();
    let references: Vec<&str> = uz_list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap())
        .collect();
    assert_eq!(references, ["UZ-LOST-2026-0417"]);
    // The reporting organisation's members read the contact; they may not act.
    let member = case_as(&app, &crew.uz_registry_member.access_token, &restricted).await;
    assert_eq!(member.json()["ownerContact"], CONTACT);
    call(
        &app,
        &crew.uz_registry_member.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{restricted}/withdraw"),
        Some(json!({})),
    )
    .await
    .problem(403, "forbidden");
    // Another agency may not end someone else's case; an embassy may not open one.
    call(
        &app,
        &cast.az_officer.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{shared}/withdraw"),
        Some(json!({})),
    )
    .await
    .problem(403, "forbidden");
    call(
        &app,
        &crew.uz_embassy.access_token,
        Method::POST,
        "/api/v1/imei/cases",
        Some(json!({"kind": "lost", "reference": "E-1", "imeis": [fresh_imei(12)]})),
    )
    .await
    .problem(403, "forbidden");

    // Found abroad, the restricted case opens to the finder and the embassy — and only the
    // embassy of the owner's country sees the contact.
    let found = call(
        &app,
        &crew.baku_police.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{restricted}/found"),
        Some(json!({"heldAt": "x"})),
    )
    .await;
    found.problem(404, "not_found");
    let found = call(
        &app,
        &crew.tashkent_police.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{shared}/found"),
        Some(json!({"heldAt": "Chilonzor station"})),
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(!found.body.contains(CONTACT));

    // Linking: an agency that reads both cases; a case it may not read is not found.
    let link = call(
        &app,
        &cast.az_officer.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{shared}/links"),
        Some(json!({"caseId": restricted})),
    )
    .await;
    link.problem(404, "not_found");
    let other = open_lost(
        &app,
        &cast.az_officer,
        "AZ-RING-1",
        &fresh_imei(13),
        "agencies",
    )
    .await;
    let other = other["id"].as_str().unwrap();
    let linked = call(
        &app,
        &cast.az_officer.access_token,
        Method::POST,
        &format!("/api/v1/imei/cases/{shared}/links"),
        Some(json!({"caseId": other})),
    )
    .await;
    assert_eq!(linked.status, 200, "{}", linked.body);
    assert_eq!(linked.json()["linkedCases"], json!([other]));
    let from_uz = case_as(&app, &cast.uz_officer.access_token, &restricted)
        .await
        .json();
    assert_eq!(from_uz["linkedCases"], json!([]));

    // Every read and change is in the audit chain.
    let state = app.state.clone();
    let actions: Vec<String> = tokio::task::spawn_blocking(move || {
        use silkbridge_schema::tables::audit_log::dsl;
        let mut conn = state.db.connection().unwrap();
        dsl::audit_log
            .filter(dsl::action.like("imei.case.%"))
            .select(dsl::action)
            .load(&mut conn)
            .unwrap()
    })
    .await
    .unwrap();
    for action in [
        "imei.case.open",
        "imei.case.read",
        "imei.case.list",
        "imei.case.found",
        "imei.case.link",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} audited: {actions:?}"
        );
    }
}
