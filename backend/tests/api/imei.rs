//! IMEI registry: Luhn validation, a block crossing the border, who may lift it, duplicate
//! detection at the threshold, scopes, audited reads, bulk checks, grace periods, and what a
//! citizen may learn.

use diesel::prelude::*;
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use silkbridge::imei::demo::imei_of;

use crate::cast::{Cast, cast};
use crate::support::{Partner, SignedIn, TestApp, eventually};

/// A TAC of the demo data and an unlisted device with it.
const DEMO_TAC: u32 = 35100001;

fn fresh_imei(serial: u32) -> String {
    imei_of(DEMO_TAC, 900_000 + serial).to_string()
}

/// The mobile operators' partner systems.
struct Operators {
    /// Xəzər Mobil's (AZ operator) system: `imei:read imei:observe`.
    az_operator: Partner,
    /// Kelajak Mobile's (UZ operator) system without `imei:read`.
    uz_operator_observe_only: Partner,
}

/// The operators' systems, registered by the cast's platform administrator.
async fn operators(app: &TestApp, cast: &Cast) -> Operators {
    Operators {
        az_operator: operator(
            app,
            &cast.admin,
            "demo-xezer-mobil",
            &["imei:read", "imei:observe"],
        )
        .await,
        uz_operator_observe_only: operator(
            app,
            &cast.admin,
            "demo-kelajak-mobile",
            &["imei:observe"],
        )
        .await,
    }
}

/// An operator's partner system with a high rate limit.
async fn operator(app: &TestApp, admin: &SignedIn, organisation: &str, scopes: &[&str]) -> Partner {
    app.partner(
        admin,
        json!({
            "name": format!("{organisation} EIR"),
            "organisation": organisation,
            "scopes": scopes,
            "rate_limit_per_minute": 10_000
        }),
    )
    .await
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> crate::support::Reply {
    app.send(app.authed(Method::POST, path, token).json(&body))
        .await
}

async fn graphql_as(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    app.send(
        app.authed(Method::POST, "/graphql", token)
            .json(&json!({ "query": query, "variables": variables })),
    )
    .await
    .json()
}

#[actix_web::test]
async fn imeis_are_luhn_checked_and_malformed_ones_are_400_with_a_reason() {
    let app = TestApp::start().await;
    // Valid: the GSMA's example; separators as printed on boxes are ignored.
    let ok = app.get("/api/v1/imei/public/49-015420-323751-8").await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.json()["imei"], "490154203237518");
    // An IMEISV answers for its IMEI.
    let sv = app.get("/api/v1/imei/public/4901542032375107").await;
    assert_eq!(sv.json()["imei"], "490154203237518");
    for (input, reason) in [
        ("490154203237519", "check_digit"),
        ("49015420323751", "wrong_length"),
        ("4901542032375180000", "wrong_length"),
        ("49015420323751A", "not_digits"),
    ] {
        let body = app
            .get(&format!("/api/v1/imei/public/{input}"))
            .await
            .problem(400, "invalid_imei");
        assert_eq!(body["errors"][0]["code"], reason, "{input}: {body}");
    }
    let graphql = app
        .graphql(
            "query($imei: String!) { imeiPublicStatus(imei: $imei) { status } }",
            json!({ "imei": "490154203237519" }),
        )
        .await
        .json();
    assert_eq!(graphql["errors"][0]["extensions"]["code"], "invalid_imei");
}

#[actix_web::test]
async fn a_block_in_one_country_is_seen_by_the_others_operators_and_lifted_only_by_its_agency() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let operators = operators(&app, &cast).await;
    let imei = fresh_imei(1);
    let status_path = format!("/api/v1/imei/devices/{imei}/status");

    let before = app
        .send(app.authed(Method::GET, &status_path, &operators.az_operator.token))
        .await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!(before.json()["status"], "WHITELISTED");
    assert_eq!(before.json()["knownTac"], true);

    // The UZ agency reports it stolen…
    let reported = post(
        &app,
        &cast.uz_officer.access_token,
        &format!("/api/v1/imei/devices/{imei}/reports"),
        json!({ "reason": "stolen", "caseReference": "UZ-TSH-2026-1001" }),
    )
    .await;
    assert_eq!(reported.status, 200, "{}", reported.body);
    assert_eq!(reported.json()["listedByCountry"], "UZ");

    // …and the AZ operator's very next check sees the block, on every path.
    let after = app
        .send(app.authed(Method::GET, &status_path, &operators.az_operator.token))
        .await
        .json();
    assert_eq!(
        (
            after["status"].as_str(),
            after["reason"].as_str(),
            after["listedByCountry"].as_str()
        ),
        (Some("BLACKLISTED"), Some("stolen"), Some("UZ"))
    );
    let eir = app
        .send(app.authed(
            Method::GET,
            &format!("/n5g-eir-eic/v1/equipment-status?pei=imei-{imei}&supi=imsi-400011234567890"),
            &operators.az_operator.token,
        ))
        .await;
    assert_eq!(eir.json(), json!({ "status": "BLACKLISTED" }));
    let graphql = graphql_as(
        &app,
        &operators.az_operator.token,
        "query($imei: String!) { imeiStatus(imei: $imei) { status reason listedByCountry } }",
        json!({ "imei": imei }),
    )
    .await;
    assert_eq!(
        graphql["data"]["imeiStatus"],
        json!({ "status": "BLACKLISTED", "reason": "stolen", "listedByCountry": "UZ" })
    );

    // A citizen learns the status and nothing else, on both APIs.
    let public = app.get(&format!("/api/v1/imei/public/{imei}")).await.json();
    assert_eq!(public, json!({ "imei": imei, "status": "BLACKLISTED" }));
    let public_graphql = app
        .graphql(
            "{ __type(name: \"PublicDeviceStatus\") { fields { name } } }",
            json!({}),
        )
        .await
        .json();
    let fields: Vec<&str> = public_graphql["data"]["__type"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["imei", "status"]);
    // Nor may they read the record.
    app.get(&format!("/api/v1/imei/devices/{imei}"))
        .await
        .problem(401, "unauthenticated");

    // A second report is a conflict; the AZ agency cannot lift the UZ block.
    post(
        &app,
        &cast.az_officer.access_token,
        &format!("/api/v1/imei/devices/{imei}/reports"),
        json!({ "reason": "lost", "caseReference": "AZ-1" }),
    )
    .await
    .problem(409, "invalid_transition");
    post(
        &app,
        &cast.az_officer.access_token,
        &format!("/api/v1/imei/devices/{imei}/recovery"),
        json!({ "note": "owner showed a receipt" }),
    )
    .await
    .problem(403, "forbidden");
    // The operator's system may not either (no `imei:report`), nor report.
    post(
        &app,
        &operators.az_operator.token,
        &format!("/api/v1/imei/devices/{imei}/recovery"),
        json!({}),
    )
    .await
    .problem(403, "insufficient_scope");

    // The reporting agency lifts it; lifting again is a conflict.
    let recovered = post(
        &app,
        &cast.uz_officer.access_token,
        &format!("/api/v1/imei/devices/{imei}/recovery"),
        json!({ "note": "returned to its owner" }),
    )
    .await;
    assert_eq!(recovered.status, 200, "{}", recovered.body);
    let record = recovered.json();
    assert_eq!(record["status"], "WHITELISTED");
    let actions: Vec<&str> = record["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["reported", "recovered"]);
    assert_eq!(record["history"][0]["country"], "UZ");
    assert_eq!(record["history"][0]["caseReference"], "UZ-TSH-2026-1001");
    post(
        &app,
        &cast.uz_officer.access_token,
        &format!("/api/v1/imei/devices/{imei}/recovery"),
        json!({}),
    )
    .await
    .problem(409, "invalid_transition");

    // A second server on the same database follows the change log into its cache.
    let block = post(
        &app,
        &cast.az_officer.access_token,
        &format!("/api/v1/imei/devices/{imei}/reports"),
        json!({ "reason": "counterfeit", "caseReference": "AZ-GNJ-7" }),
    )
    .await;
    assert_eq!(block.status, 200, "{}", block.body);
    let other = app.second_node().await;
    let state = other.state.clone();
    let target = silkbridge::imei::domain::Imei::parse(&imei).unwrap().imei;
    let seen = tokio::task::spawn_blocking(move || {
        eventually("the other server's cache follows", || {
            let mut conn = state.db.connection().unwrap();
            state.imei.cache.follow(&mut conn).unwrap();
            let lookup = state.imei.cache.lookup(target);
            (lookup.standing.status == silkbridge::imei::domain::ListStatus::Black)
                .then_some(lookup.country)
        })
    })
    .await
    .unwrap();
    assert_eq!(seen.map(|c| c.as_str()), Some("AZ"));
}

#[actix_web::test]
async fn partners_without_the_scope_are_refused_and_every_read_is_audited() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let operators = operators(&app, &cast).await;
    let imei = fresh_imei(2);
    let path = format!("/api/v1/imei/devices/{imei}/status");
    let refused = &operators.uz_operator_observe_only.token;
    app.send(app.authed(Method::GET, &path, refused))
        .await
        .problem(403, "insufficient_scope");
    app.send(
        app.authed(Method::POST, "/api/v1/imei/checks", refused)
            .body(imei.clone()),
    )
    .await
    .problem(403, "insufficient_scope");
    app.send(app.authed(
        Method::GET,
        &format!("/n5g-eir-eic/v1/equipment-status?pei=imei-{imei}"),
        refused,
    ))
    .await
    .problem(403, "insufficient_scope");
    let graphql = graphql_as(
        &app,
        refused,
        "query($imei: String!) { imeiStatus(imei: $imei) { status } }",
        json!({ "imei": imei }),
    )
    .await;
    assert_eq!(
        graphql["errors"][0]["extensions"]["code"],
        "insufficient_scope"
    );
    // People use the record endpoints, not the partner check; anonymous callers get 401.
    app.send(app.authed(Method::GET, &path, &cast.uz_officer.access_token))
        .await
        .problem(403, "forbidden");
    app.get(&path).await.problem(401, "unauthenticated");
    // Records are for agencies: an operator's staff or system may not read them.
    app.send(app.authed(
        Method::GET,
        &format!("/api/v1/imei/devices/{imei}"),
        &operators.az_operator.token,
    ))
    .await
    .problem(403, "insufficient_scope");

    // Three reads by the operator, one by a citizen, one record read by an officer.
    for _ in 0..3 {
        let ok = app
            .send(app.authed(Method::GET, &path, &operators.az_operator.token))
            .await;
        assert_eq!(ok.status, 200, "{}", ok.body);
    }
    assert_eq!(
        app.get(&format!("/api/v1/imei/public/{imei}")).await.status,
        200
    );
    let record = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/imei/devices/{imei}"),
            &cast.az_officer.access_token,
        ))
        .await;
    assert_eq!(record.status, 200, "{}", record.body);
    assert!(
        app.state
            .imei
            .reads
            .drain(std::time::Duration::from_secs(10))
            .await
    );
    let db = app.state.db.clone();
    let target = silkbridge::imei::domain::Imei::parse(&imei)
        .unwrap()
        .imei
        .as_i64();
    let reads: Vec<(String, String)> = tokio::task::spawn_blocking(move || {
        use silkbridge_schema::tables::imei_reads::dsl;
        let mut conn = db.connection().unwrap();
        dsl::imei_reads
            .filter(dsl::imei.eq(target))
            .order(dsl::id.asc())
            .select((dsl::actor, dsl::channel))
            .load(&mut conn)
            .unwrap()
    })
    .await
    .unwrap();
    let operator = format!("partner:{}", operators.az_operator.id);
    let officer = format!("user:{}", cast.az_officer.user_id);
    let expected: Vec<(&str, &str)> = vec![
        (&operator, "check"),
        (&operator, "check"),
        (&operator, "check"),
        ("anonymous", "public"),
        (&officer, "record"),
    ];
    let got: Vec<(&str, &str)> = reads
        .iter()
        .map(|(a, c)| (a.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        got, expected,
        "refused calls are not reads; every answered one is"
    );
}

#[actix_web::test]
async fn an_imei_seen_with_more_imsis_than_the_threshold_is_flagged_and_bad_uploads_store_nothing()
{
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let operators = operators(&app, &cast).await;
    let token = &operators.az_operator.token;
    let upload = |body: String| {
        app.send(
            app.authed(Method::POST, "/api/v1/imei/observations", token)
                .header("content-type", "text/csv")
                .body(body),
        )
    };
    let clone = fresh_imei(3);
    let honest = fresh_imei(4);
    // Three IMSIs (the threshold) is not yet a clone; the same IMSI again does not count.
    let first = upload(format!(
        "imei,imsi,observed_at\n{clone},400011111111111,2026-11-20T10:00:00Z\n{clone},400012222222222\n{clone},400013333333333\n{clone},400013333333333\n{honest},400014444444444\n"
    ))
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.json(), json!({ "accepted": 5, "flagged": [] }));

    // A fourth IMSI in an upload whose last line is malformed: refused, nothing stored.
    let bad = upload(format!("{clone},400015555555555\n{honest},40001x\n"))
        .await
        .problem(422, "validation_failed");
    assert_eq!(bad["errors"][0]["field"], "line/2");
    assert_eq!(bad["errors"][0]["code"], "invalid_imsi");
    let status = format!("/api/v1/imei/devices/{clone}/status");
    let still = app
        .send(app.authed(Method::GET, &status, token))
        .await
        .json();
    assert_eq!(still["status"], "WHITELISTED");

    // The same fourth IMSI as NDJSON, well-formed: flagged as a likely clone.
    let second = app
        .send(
            app.authed(Method::POST, "/api/v1/imei/observations", token)
                .header("content-type", "application/x-ndjson")
                .body(format!(
                    "{{\"imei\":\"{clone}\",\"imsi\":\"400015555555555\"}}\n"
                )),
        )
        .await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.json(), json!({ "accepted": 1, "flagged": [clone] }));
    let flagged = app
        .send(app.authed(Method::GET, &status, token))
        .await
        .json();
    assert_eq!(
        (flagged["status"].as_str(), flagged["reason"].as_str()),
        (Some("GREYLISTED"), Some("duplicate_imei"))
    );
    let honest_status = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/imei/devices/{honest}/status"),
            token,
        ))
        .await
        .json();
    assert_eq!(honest_status["status"], "WHITELISTED");
    // Only operators upload observations.
    app.send(
        app.authed(
            Method::POST,
            "/api/v1/imei/observations",
            &cast.uz_officer.access_token,
        )
        .body(format!("{honest},400016666666666\n")),
    )
    .await
    .problem(403, "forbidden");
}

#[actix_web::test]
async fn bulk_checks_answer_every_line_in_order_and_grace_periods_end_in_a_block() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let operators = operators(&app, &cast).await;
    // The demo data's stolen device, a fresh one, a bad line, an unknown TAC, as mixed input.
    let stolen = imei_of(35100001, 3).to_string();
    let fresh = fresh_imei(5);
    let unknown_tac = imei_of(11111111, 1).to_string();
    let mut body = String::from("imei\n");
    let mut expected = Vec::new();
    for i in 0..500 {
        match i % 4 {
            0 => {
                body.push_str(&format!("{stolen}\n"));
                expected.push("BLACKLISTED");
            }
            1 => {
                body.push_str(&format!("{{\"imei\": \"{fresh}\"}}\n"));
                expected.push("WHITELISTED");
            }
            2 => {
                body.push_str("12345\n");
                expected.push("error");
            }
            _ => {
                body.push_str(&format!("{unknown_tac},extra,columns\n"));
                expected.push("GREYLISTED");
            }
        }
    }
    let reply = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/imei/checks",
                &operators.az_operator.token,
            )
            .body(body),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.content_type(), "application/x-ndjson");
    let answers: Vec<Value> = reply
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<&str> = answers
        .iter()
        .map(|a| a["status"].as_str().unwrap_or("error"))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(answers[2]["error"]["code"], "wrong_length");
    assert_eq!(
        answers[2]["line"], 4,
        "lines are numbered as sent, header included"
    );
    assert_eq!(answers[3]["reason"], "unknown_tac");
    assert_eq!(answers[3]["knownTac"], false);

    // A body far larger than socket buffers, sent while the answer is read: both stream.
    let big = 200_000u64;
    let chunks = futures_util::stream::iter(0..big / 10_000).map(move |chunk| {
        let mut text = String::new();
        for i in chunk * 10_000..(chunk + 1) * 10_000 {
            text.push_str(&format!("{}\n", imei_of(35100002, (i % 900_000) as u32)));
        }
        Ok::<_, std::io::Error>(text)
    });
    let response = app
        .authed(
            Method::POST,
            "/api/v1/imei/checks",
            &operators.az_operator.token,
        )
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut stream = response.bytes_stream();
    let mut lines = 0u64;
    while let Some(chunk) = stream.next().await {
        lines += chunk.unwrap().iter().filter(|b| **b == b'\n').count() as u64;
    }
    assert_eq!(lines, big);

    // A customs grey-listing whose grace period has passed turns black.
    let grey = fresh_imei(6);
    let listed = post(
        &app,
        &cast.az_officer.access_token,
        &format!("/api/v1/imei/devices/{grey}/greylist"),
        json!({ "reason": "customs_unregistered", "graceDays": 14 }),
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.json()["status"], "GREYLISTED");
    post(
        &app,
        &cast.az_officer.access_token,
        &format!("/api/v1/imei/devices/{grey}/greylist"),
        json!({ "reason": "customs_unregistered", "graceDays": 0 }),
    )
    .await
    .problem(422, "validation_failed");
    let state = app.state.clone();
    let key = silkbridge::imei::domain::Imei::parse(&grey).unwrap().imei;
    let expired = tokio::task::spawn_blocking(move || {
        use silkbridge_schema::tables::imei_devices::dsl;
        let mut conn = state.db.connection().unwrap();
        diesel::update(dsl::imei_devices.find(key.as_i64()))
            .set(dsl::grace_until.eq(chrono::Utc::now().naive_utc() - chrono::Duration::hours(1)))
            .execute(&mut conn)
            .unwrap();
        silkbridge::imei::lifecycle::expire_grace_periods(&mut conn, &state.imei.cache).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(expired, 1);
    let now = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/imei/devices/{grey}/status"),
            &operators.az_operator.token,
        ))
        .await
        .json();
    assert_eq!(
        (now["status"].as_str(), now["reason"].as_str()),
        (Some("BLACKLISTED"), Some("customs_unregistered"))
    );
}

#[actix_web::test]
async fn tac_imports_check_the_whole_file_first_and_resume_where_they_stopped() {
    use std::ops::ControlFlow;
    let app = TestApp::start().await;
    let dir = tempfile::tempdir().unwrap();
    // GSMA-style headers; 2,500 synthetic TACs.
    let mut csv = String::from("TAC,Manufacturer,Marketing Name,Device Type\n");
    for i in 0..2_500u32 {
        csv.push_str(&format!(
            "{},Bench Maker,\"Model {i}, rev. A\",Smartphone\n",
            70_000_000 + i
        ));
    }
    let good = dir.path().join("tacs.csv");
    std::fs::write(&good, &csv).unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, format!("{csv}7000001,Short TAC,X,Phone\n")).unwrap();

    let state = app.state.clone();
    let (refused, first, second, again, count) = tokio::task::spawn_blocking(move || {
        let tacs = |state: &silkbridge::state::AppState| {
            use silkbridge_schema::tables::imei_tacs::dsl;
            let mut conn = state.db.connection().unwrap();
            dsl::imei_tacs.count().get_result::<i64>(&mut conn).unwrap()
        };
        let refused = silkbridge::imei::tacs::validate(&bad)
            .unwrap_err()
            .to_string();
        assert_eq!(tacs(&state), 0, "a bad file changes nothing");
        // Interrupted after the first batch…
        let first = silkbridge::imei::tacs::import(&state.db, &good, false, &mut |done| {
            if done >= 1_000 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
        assert_eq!(tacs(&state), 1_000);
        // …resumed, and a third run knows the file is done.
        let second = silkbridge::imei::tacs::import(&state.db, &good, false, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        let again = silkbridge::imei::tacs::import(&state.db, &good, false, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        let mut conn = state.db.connection().unwrap();
        state.imei.cache.follow(&mut conn).unwrap();
        (refused, first, second, again, tacs(&state))
    })
    .await
    .unwrap();
    assert!(refused.contains("line 2502"), "{refused}");
    assert!(first.interrupted && first.records == 1_000);
    assert_eq!(
        (second.resumed_from, second.records, second.interrupted),
        (1_000, 2_500, false)
    );
    assert!(again.already_complete);
    assert_eq!(count, 2_500);
    // The cache knows the new TACs: an IMEI with one is no longer `unknown_tac`. (On
    // PostgreSQL the import's change-log entry is readable once no older transaction is
    // open anywhere in the cluster, so the cache follows until it has arrived.)
    let imei = imei_of(70_000_042, 1).to_string();
    let mut status = serde_json::Value::Null;
    for _ in 0..20 {
        status = app.get(&format!("/api/v1/imei/public/{imei}")).await.json()["status"].clone();
        if status == "WHITELISTED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let state = app.state.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = state.db.connection().unwrap();
            state.imei.cache.follow(&mut conn).unwrap();
        })
        .await
        .unwrap();
    }
    assert_eq!(status, "WHITELISTED");
}

#[actix_web::test]
async fn citizen_checks_are_rate_limited_per_address_on_rest_and_graphql() {
    let app = TestApp::start_with(|config, _| config.imei.public_checks_per_minute = 3).await;
    let path = "/api/v1/imei/public/490154203237518";
    for _ in 0..2 {
        assert_eq!(app.get(path).await.status, 200);
    }
    let graphql = app
        .graphql(
            "{ imeiPublicStatus(imei: \"490154203237518\") { status } }",
            json!({}),
        )
        .await
        .json();
    assert!(graphql["errors"].is_null(), "{graphql}");
    // The fourth check from this address, by either API, is refused until the bucket refills.
    let refused = app.get(path).await;
    refused.problem(429, "rate_limited");
    assert!(refused.headers.contains_key("retry-after"));
    let graphql = app
        .graphql(
            "{ imeiPublicStatus(imei: \"490154203237518\") { status } }",
            json!({}),
        )
        .await
        .json();
    assert_eq!(graphql["errors"][0]["extensions"]["code"], "rate_limited");
}

#[actix_web::test]
async fn registration_and_reports_refuse_the_wrong_caller_and_bad_input() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let operators = operators(&app, &cast).await;
    let maker = app
        .partner(
            &cast.admin,
            json!({ "name": "Ipak factory", "organisation": "demo-ipak-devices", "scopes": ["imei:register"] }),
        )
        .await;
    let fresh = fresh_imei(7);
    // An operator's system has no `imei:register`.
    post(
        &app,
        &operators.az_operator.token,
        "/api/v1/imei/registrations",
        json!({ "imeis": [fresh] }),
    )
    .await
    .problem(403, "insufficient_scope");
    // Bad input: every malformed IMEI named by position, nothing registered.
    let bad = post(
        &app,
        &maker.token,
        "/api/v1/imei/registrations",
        json!({ "imeis": [fresh, "490154203237519", "12"] }),
    )
    .await
    .problem(422, "validation_failed");
    assert_eq!(bad["errors"][0]["field"], "imeis/1");
    assert_eq!(bad["errors"][0]["code"], "check_digit");
    assert_eq!(bad["errors"][1]["code"], "wrong_length");
    post(
        &app,
        &maker.token,
        "/api/v1/imei/registrations",
        json!({ "imeis": [] }),
    )
    .await
    .problem(422, "validation_failed");
    let done = post(
        &app,
        &maker.token,
        "/api/v1/imei/registrations",
        json!({ "imeis": [fresh, fresh] }),
    )
    .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        done.json(),
        json!({ "registered": 1, "alreadyRegistered": 0, "cleared": 0 })
    );
    let record = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/imei/devices/{fresh}"),
            &cast.uz_officer.access_token,
        ))
        .await
        .json();
    assert_eq!(record["history"][0]["action"], "registered");

    // A report needs a known reason and a case reference; nothing is written otherwise.
    let path = format!("/api/v1/imei/devices/{fresh}/reports");
    let bad = post(
        &app,
        &cast.uz_officer.access_token,
        &path,
        json!({ "reason": "misplaced", "caseReference": " " }),
    )
    .await
    .problem(422, "validation_failed");
    let fields: Vec<&str> = bad["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["reason", "caseReference"]);
    let graphql = graphql_as(
        &app,
        &cast.uz_officer.access_token,
        "mutation($imei: String!) { reportImei(imei: $imei, input: { reason: \"stolen\", caseReference: \"\" }) { status } }",
        json!({ "imei": fresh }),
    )
    .await;
    assert_eq!(
        graphql["errors"][0]["extensions"]["code"],
        "validation_failed"
    );
    let still = app
        .get(&format!("/api/v1/imei/public/{fresh}"))
        .await
        .json();
    assert_eq!(still["status"], "WHITELISTED");
    // Only agencies report: a manufacturer's system cannot, whatever it holds.
    post(
        &app,
        &maker.token,
        &path,
        json!({ "reason": "stolen", "caseReference": "X-1" }),
    )
    .await
    .problem(403, "insufficient_scope");
}
