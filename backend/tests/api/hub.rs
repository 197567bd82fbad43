//! The joint IT hub, end to end on both databases: two IT parks run an accelerator together,
//! two startups apply, a panel from both countries scores them — a reviewer who belongs to an
//! applying startup, and one who declared a conflict, never see that application — the
//! organisers decide, and the applicants learn the decision only when it is published. The
//! deadline is the server's; no applicant or reviewer sees another's application or scores.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::hub_support::{accelerator, at, hub, ids, ok, send};
use crate::cast::cast;
use crate::support::TestApp;

#[actix_web::test]
async fn startups_apply_the_panel_scores_and_the_organisers_decide_and_publish() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let hub = hub(&app, &cast).await;

    // A draft exists for its organisers only.
    let created = send(
        &app,
        &hub.uz_park,
        Method::POST,
        "/api/v1/hub/programmes",
        Some(accelerator("silk-ai-2027", Duration::days(14))),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let programme = created.json();
    assert_eq!(programme["phase"], "draft");
    assert_eq!(programme["roles"]["organiserEditor"], true);
    let path = "/api/v1/hub/programmes/silk-ai-2027";
    let anonymous = app.get(path).await;
    anonymous.problem(404, "not_found");
    send(&app, &hub.registan, Method::GET, path, None)
        .await
        .problem(404, "not_found");
    send(
        &app,
        &hub.registan,
        Method::POST,
        &format!("{path}/applications"),
        Some(json!({"startup": "registan-analytics", "stage": "mvp", "sector": "ai"})),
    )
    .await
    .problem(404, "not_found");
    // The Azerbaijani park is asked to co-organise; until it confirms it runs nothing.
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{path}/organisers"),
        Some(json!({"organisation": "idda"})),
    )
    .await;
    send(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{path}/publish"),
        None,
    )
    .await
    .problem(403, "forbidden");
    send(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{path}/organisers/idda/confirm"),
        None,
    )
    .await
    .problem(403, "forbidden");
    let confirmed = ok(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{path}/organisers/idda/confirm"),
        None,
    )
    .await;
    assert_eq!(confirmed["roles"]["organiserEditor"], true);
    assert_eq!(confirmed["organisers"].as_array().unwrap().len(), 2);
    // A startup may not run a programme.
    let mut by_startup = accelerator("by-a-startup", Duration::days(3));
    by_startup["organisation"] = json!("registan-analytics");
    send(
        &app,
        &hub.registan,
        Method::POST,
        "/api/v1/hub/programmes",
        Some(by_startup),
    )
    .await
    .problem(403, "forbidden");

    let published = ok(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{path}/publish"),
        None,
    )
    .await;
    assert_eq!(published["phase"], "open");
    let public = app.get(path).await;
    assert_eq!(public.status, 200, "{}", public.body);
    assert_eq!(public.json()["roles"]["organiser"], false);
    let listed = app.get("/api/v1/hub/programmes?kind=accelerator").await;
    assert!(listed.body.contains("silk-ai-2027"));
    // Published programmes are searchable by everyone; a draft is not.
    let mut draft = accelerator("zebra-draft", Duration::days(5));
    draft["title"] = json!("Zebrafish genomics bootcamp");
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        "/api/v1/hub/programmes",
        Some(draft),
    )
    .await;
    let found = app
        .search_until(
            "/api/v1/search?q=Silk%20Road%20AI%20Accelerator&kind=programme",
            "Silk Road AI Accelerator",
        )
        .await;
    assert_eq!(found.status, 200);
    let hidden = app.get("/api/v1/search?q=Zebrafish").await;
    assert_eq!(hidden.json()["total"], 0, "{}", hidden.body);

    // The panel: two reviewers of each country, one a member of caspian-speech.
    for reviewer in [
        &hub.reviewer_uz,
        &hub.reviewer_az,
        &hub.reviewer_member,
        &hub.reviewer_declaring,
    ] {
        ok(
            &app,
            &hub.uz_park,
            Method::POST,
            &format!("{path}/reviewers"),
            Some(json!({"userId": reviewer.user_id})),
        )
        .await;
    }
    send(
        &app,
        &hub.reviewer_uz,
        Method::GET,
        &format!("{path}/reviewers"),
        None,
    )
    .await
    .problem(403, "forbidden");
    send(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{path}/reviewers"),
        Some(json!({"userId": "no-such-user"})),
    )
    .await
    .problem(404, "not_found");

    // Registan drafts; a draft is the startup's own.
    let draft = send(
        &app,
        &hub.registan,
        Method::POST,
        &format!("{path}/applications"),
        Some(
            json!({"startup": "registan-analytics", "stage": "mvp", "sector": "ai",
                    "answers": [{"question": "market", "value": "both"}]}),
        ),
    )
    .await;
    assert_eq!(draft.status, 201, "{}", draft.body);
    let registan_app = draft.json()["id"].as_str().unwrap().to_owned();
    let registan_path = format!("/api/v1/hub/applications/{registan_app}");
    for outsider in [&hub.uz_park, &hub.reviewer_uz, &hub.caspian] {
        send(&app, outsider, Method::GET, &registan_path, None)
            .await
            .problem(404, "not_found");
    }
    send(
        &app,
        &hub.registan_member,
        Method::POST,
        &format!("{registan_path}/submit"),
        None,
    )
    .await
    .problem(403, "forbidden");
    let again = send(
        &app,
        &hub.registan,
        Method::POST,
        &format!("{path}/applications"),
        Some(json!({"startup": "registan-analytics", "stage": "mvp", "sector": "ai"})),
    )
    .await;
    again.problem(409, "conflict");
    // Incomplete: the required questions are named.
    let incomplete = send(
        &app,
        &hub.registan,
        Method::POST,
        &format!("{registan_path}/submit"),
        None,
    )
    .await;
    let problem = incomplete.problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["answers.problem", "answers.team-size"]);
    let bad = send(&app, &hub.registan, Method::PUT, &registan_path,
        Some(json!({"stage": "mvp", "sector": "ai", "answers": [{"question": "team-size", "value": "many"}, {"question": "market", "value": "Mars"}]}))).await;
    bad.problem(422, "validation_failed");
    ok(
        &app,
        &hub.registan,
        Method::PUT,
        &registan_path,
        Some(json!({"stage": "mvp", "sector": "ai", "answers": [
            {"question": "problem", "value": "Cotton yield forecasts for farmers"},
            {"question": "team-size", "value": "6"}, {"question": "market", "value": "both"}]})),
    )
    .await;
    let submitted = ok(
        &app,
        &hub.registan,
        Method::POST,
        &format!("{registan_path}/submit"),
        None,
    )
    .await;
    assert_eq!(submitted["state"], "submitted");

    // Caspian applies outside the sectors first: not eligible, then corrected.
    let caspian_app = ok(&app, &hub.caspian, Method::POST, &format!("{path}/applications"),
        Some(json!({"startup": "caspian-speech", "stage": "seed", "sector": "govtech", "answers": [
            {"question": "problem", "value": "Azerbaijani speech recognition"}, {"question": "team-size", "value": "4"}]}))).await;
    let caspian_app = caspian_app["id"].as_str().unwrap().to_owned();
    let caspian_path = format!("/api/v1/hub/applications/{caspian_app}");
    let refused = send(
        &app,
        &hub.caspian,
        Method::POST,
        &format!("{caspian_path}/submit"),
        None,
    )
    .await;
    assert!(
        refused
            .problem(422, "validation_failed")
            .to_string()
            .contains("not_eligible")
    );
    ok(&app, &hub.caspian, Method::PUT, &caspian_path, Some(json!({"stage": "seed", "sector": "ai", "answers": [
        {"question": "problem", "value": "Azerbaijani speech recognition"}, {"question": "team-size", "value": "4"}]}))).await;
    ok(
        &app,
        &hub.caspian,
        Method::POST,
        &format!("{caspian_path}/submit"),
        None,
    )
    .await;
    // A third startup drafts but will miss the deadline.
    let late_app = ok(&app, &hub.late, Method::POST, &format!("{path}/applications"),
        Some(json!({"startup": "late-startup", "stage": "mvp", "sector": "fintech", "answers": [
            {"question": "problem", "value": "Remittances"}, {"question": "team-size", "value": "2"}]}))).await;
    let late_path = format!(
        "/api/v1/hub/applications/{}",
        late_app["id"].as_str().unwrap()
    );

    // Who sees which application.
    let mut both = vec![registan_app.clone(), caspian_app.clone()];
    both.sort();
    ok(
        &app,
        &hub.reviewer_declaring,
        Method::POST,
        &format!("{path}/conflicts"),
        Some(json!({"startup": "registan-analytics", "reason": "my brother founded it"})),
    )
    .await;
    send(
        &app,
        &hub.registan,
        Method::POST,
        &format!("{path}/conflicts"),
        Some(json!({"startup": "caspian-speech"})),
    )
    .await
    .problem(403, "forbidden");
    let list = |who| {
        let path = format!("{path}/applications");
        let app = &app;
        async move { ok(app, who, Method::GET, &path, None).await }
    };
    assert_eq!(
        ids(&list(&hub.uz_park).await),
        both,
        "organisers: every submitted one, no drafts"
    );
    assert_eq!(ids(&list(&hub.reviewer_uz).await), both);
    let member_sees = list(&hub.reviewer_member).await;
    let to_review: Vec<&str> = member_sees
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["seenAs"] == "reviewer")
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        to_review,
        [registan_app.as_str()],
        "never the startup they belong to, as a reviewer"
    );
    assert_eq!(
        ids(&list(&hub.reviewer_declaring).await),
        [caspian_app.as_str()],
        "…nor one they declared a conflict with"
    );
    assert_eq!(
        ids(&list(&hub.registan).await),
        [registan_app.as_str()],
        "an applicant sees its own only"
    );
    send(
        &app,
        &hub.reviewer_declaring,
        Method::GET,
        &registan_path,
        None,
    )
    .await
    .problem(404, "not_found");
    send(&app, &hub.registan, Method::GET, &caspian_path, None)
        .await
        .problem(404, "not_found");
    send(&app, &hub.caspian, Method::GET, &registan_path, None)
        .await
        .problem(404, "not_found");
    send(&app, &hub.reviewer_member, Method::PUT, &format!("{caspian_path}/review"),
        Some(json!({"scores": [{"criterion": "team", "score": 5}, {"criterion": "market", "score": 5}]}))).await.problem(403, "forbidden");
    send(&app, &hub.reviewer_declaring, Method::PUT, &format!("{registan_path}/review"),
        Some(json!({"scores": [{"criterion": "team", "score": 5}, {"criterion": "market", "score": 5}]}))).await.problem(404, "not_found");

    // Scores: bad ones refused; each reviewer sees their own only.
    send(&app, &hub.reviewer_uz, Method::PUT, &format!("{registan_path}/review"),
        Some(json!({"scores": [{"criterion": "team", "score": 6}, {"criterion": "vision", "score": 3}]}))).await.problem(422, "validation_failed");
    let score = |who, path: String, team: i32, market: i32, comment: &'static str| {
        let app = &app;
        async move {
            ok(app, who, Method::PUT, &format!("{path}/review"),
                Some(json!({"scores": [{"criterion": "team", "score": team}, {"criterion": "market", "score": market}], "comment": comment}))).await
        }
    };
    let mine = score(
        &hub.reviewer_uz,
        registan_path.clone(),
        5,
        3,
        "Strong agronomy team",
    )
    .await;
    assert_eq!(
        mine["myReview"]["scores"],
        json!([{"criterion": "market", "score": 3}, {"criterion": "team", "score": 5}])
    );
    assert_eq!(
        mine["scores"],
        Value::Null,
        "a reviewer sees no one else's scores"
    );
    score(
        &hub.reviewer_az,
        registan_path.clone(),
        4,
        4,
        "Needs an AZ pilot",
    )
    .await;
    score(&hub.reviewer_member, registan_path.clone(), 3, 2, "").await;
    score(&hub.reviewer_uz, caspian_path.clone(), 3, 5, "Big market").await;
    let seen_by_other = ok(&app, &hub.reviewer_az, Method::GET, &registan_path, None).await;
    assert_eq!(seen_by_other["myReview"]["comment"], "Needs an AZ pilot");
    assert!(
        !seen_by_other.to_string().contains("Strong agronomy"),
        "{seen_by_other}"
    );
    let applicant_view = ok(&app, &hub.registan, Method::GET, &registan_path, None).await;
    assert_eq!(applicant_view["scores"], Value::Null);
    assert_eq!(applicant_view["myReview"], Value::Null);
    assert!(!applicant_view.to_string().contains("agronomy"));
    // The organisers see aggregates: team (5+4+3)/3 = 4, market (3+4+2)/3 = 3,
    // weighted (2·12 + 9) / (2·3 + 3) = 33/9.
    let organised = ok(&app, &hub.az_park, Method::GET, &registan_path, None).await;
    let scores = &organised["scores"];
    assert_eq!(scores["reviews"], 3);
    assert_eq!(
        scores["criteria"],
        json!([{"criterion": "market", "mean": 3.0}, {"criterion": "team", "mean": 4.0}])
    );
    assert!((scores["weightedMean"].as_f64().unwrap() - 33.0 / 9.0).abs() < 1e-9);
    assert_eq!(scores["comments"].as_array().unwrap().len(), 2);
    assert!(
        !organised.to_string().contains(&hub.reviewer_uz.user_id),
        "no reviewer is named"
    );

    // No decision while applications are open.
    send(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{registan_path}/decision"),
        Some(json!({"decision": "accepted"})),
    )
    .await
    .problem(409, "invalid_transition");
    // The organisers close applications early; the late startup is refused by the server's clock.
    let mut closed = accelerator("silk-ai-2027", -Duration::minutes(1));
    closed["applicationsOpenAt"] = json!(at(-Duration::hours(2)));
    ok(&app, &hub.uz_park, Method::PUT, path, Some(closed)).await;
    send(
        &app,
        &hub.late,
        Method::POST,
        &format!("{late_path}/submit"),
        None,
    )
    .await
    .problem(409, "deadline_passed");
    send(
        &app,
        &hub.caspian,
        Method::PUT,
        &caspian_path,
        Some(json!({"stage": "seed", "sector": "ai"})),
    )
    .await
    .problem(409, "invalid_transition");
    // A published programme keeps its form.
    let mut reformed = accelerator("silk-ai-2027", -Duration::minutes(1));
    reformed["criteria"] = json!([{"id": "team", "label": "Team"}]);
    send(&app, &hub.uz_park, Method::PUT, path, Some(reformed))
        .await
        .problem(409, "invalid_transition");

    // Decisions; publishing needs every one.
    send(
        &app,
        &hub.reviewer_uz,
        Method::POST,
        &format!("{registan_path}/decision"),
        Some(json!({"decision": "accepted"})),
    )
    .await
    .problem(403, "forbidden");
    send(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{registan_path}/decision"),
        Some(json!({"decision": "maybe"})),
    )
    .await
    .problem(422, "validation_failed");
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{registan_path}/decision"),
        Some(json!({"decision": "accepted"})),
    )
    .await;
    send(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{path}/results"),
        None,
    )
    .await
    .problem(409, "invalid_transition");
    ok(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{caspian_path}/decision"),
        Some(json!({"decision": "waitlisted"})),
    )
    .await;
    let before = ok(&app, &hub.registan, Method::GET, &registan_path, None).await;
    assert_eq!(
        before["decision"],
        Value::Null,
        "not before the results are published"
    );
    // Nor through the application's version or its last change.
    assert_eq!(before["version"], applicant_view["version"]);
    assert_eq!(before["updatedAt"], applicant_view["updatedAt"]);
    let decided = ok(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{path}/results"),
        None,
    )
    .await;
    assert_eq!(decided["phase"], "decided");
    assert_eq!(
        ok(&app, &hub.registan, Method::GET, &registan_path, None).await["decision"],
        "accepted"
    );
    assert_eq!(
        ok(&app, &hub.caspian, Method::GET, &caspian_path, None).await["decision"],
        "waitlisted"
    );
    let reviewer_after = ok(&app, &hub.reviewer_uz, Method::GET, &caspian_path, None).await;
    assert_eq!(
        reviewer_after["decision"],
        Value::Null,
        "reviewers are not told decisions"
    );
    send(&app, &hub.reviewer_uz, Method::PUT, &format!("{caspian_path}/review"),
        Some(json!({"scores": [{"criterion": "team", "score": 1}, {"criterion": "market", "score": 1}]}))).await.problem(409, "invalid_transition");
    send(
        &app,
        &hub.registan,
        Method::POST,
        &format!("{registan_path}/withdraw"),
        None,
    )
    .await
    .problem(409, "invalid_transition");
    let mine = ok(
        &app,
        &hub.registan_member,
        Method::GET,
        "/api/v1/hub/applications",
        None,
    )
    .await;
    // Registan's own: this one, and the demo day it was accepted to (the demo's).
    let programmes: Vec<(&str, &str)> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["programmeSlug"].as_str().unwrap(),
                a["decision"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(programmes.len(), 2, "{mine}");
    assert!(programmes.contains(&("silk-ai-2027", "accepted")));
    assert!(programmes.contains(&("caspian-demo-day-2026", "accepted")));

    // Each applicant's organisation was told once, with its own decision only.
    let outbox: Vec<(String, String)> = {
        use diesel::prelude::*;
        use silkbridge_schema::tables::organisation_events::dsl;
        let mut conn = app.state.db.connection().unwrap();
        dsl::organisation_events
            .filter(dsl::event_type.eq("hub.application.decided"))
            .filter(dsl::subject.eq_any(&both))
            .select((dsl::subject, dsl::payload))
            .load(&mut conn)
            .unwrap()
    };
    let mut told: Vec<&str> = outbox.iter().map(|(s, _)| s.as_str()).collect();
    told.sort();
    assert_eq!(told, both.iter().map(String::as_str).collect::<Vec<_>>());
    for (subject, payload) in &outbox {
        let expected = if *subject == registan_app {
            "accepted"
        } else {
            "waitlisted"
        };
        assert_eq!(
            serde_json::from_str::<Value>(payload).unwrap()["decision"],
            expected
        );
    }
}
