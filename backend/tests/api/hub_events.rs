//! Hackathons and demo days: places up to the capacity, then a waitlist that moves up when
//! someone cancels (also when two people take the last place at once); teams of registered
//! participants; the organisers' list of who comes; a demo day's accepted startups, public
//! once published; the iCalendar feed of published programmes only.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::hub_support::{accelerator, hub, ok, send};
use crate::cast::cast;
use crate::support::{SignedIn, TestApp};

fn hackathon(slug: &str, capacity: i32) -> Value {
    let mut programme = accelerator(slug, Duration::days(10));
    programme["kind"] = json!("hackathon");
    programme["title"] = json!(format!("Hackathon {slug}"));
    programme["capacity"] = json!(capacity);
    programme
}

async fn published(app: &TestApp, organiser: &SignedIn, body: Value) -> String {
    let slug = body["slug"].as_str().unwrap().to_owned();
    ok(
        app,
        organiser,
        Method::POST,
        "/api/v1/hub/programmes",
        Some(body),
    )
    .await;
    ok(
        app,
        organiser,
        Method::POST,
        &format!("/api/v1/hub/programmes/{slug}/publish"),
        None,
    )
    .await;
    format!("/api/v1/hub/programmes/{slug}")
}

#[actix_web::test]
async fn places_waitlist_teams_participants_accepted_startups_and_the_calendar() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let hub = hub(&app, &cast).await;
    let path = published(&app, &hub.uz_park, hackathon("data-weekend", 2)).await;
    let (p1, p2, p3) = (&hub.reviewer_uz, &hub.reviewer_az, &hub.late);
    // What everyone sees of the programme does not move with who registers.
    let public_before = app.get(&path).await.body;

    let first = ok(
        &app,
        p1,
        Method::POST,
        &format!("{path}/registration"),
        None,
    )
    .await;
    assert_eq!(first["state"], "registered");
    ok(
        &app,
        p2,
        Method::POST,
        &format!("{path}/registration"),
        None,
    )
    .await;
    let third = ok(
        &app,
        p3,
        Method::POST,
        &format!("{path}/registration"),
        None,
    )
    .await;
    assert_eq!(third["state"], "waitlisted");
    assert_eq!(third["waitlistPosition"], 1);
    send(
        &app,
        p1,
        Method::POST,
        &format!("{path}/registration"),
        None,
    )
    .await
    .problem(409, "conflict");
    assert_eq!(
        app.get(&path).await.body,
        public_before,
        "registrations do not show"
    );
    app.send(app.client.post(app.url(&format!("{path}/registration"))))
        .await
        .problem(401, "unauthenticated");

    // Teams: registered people only, unique names, at most five.
    let founded = ok(
        &app,
        p1,
        Method::POST,
        &format!("{path}/teams"),
        Some(json!({"name": "Data Wizards"})),
    )
    .await;
    let team = founded["teamId"].as_str().unwrap().to_owned();
    send(
        &app,
        p3,
        Method::POST,
        &format!("{path}/teams"),
        Some(json!({"team": team})),
    )
    .await
    .problem(409, "invalid_transition");
    send(
        &app,
        p2,
        Method::POST,
        &format!("{path}/teams"),
        Some(json!({"name": "data wizards"})),
    )
    .await
    .problem(409, "conflict");
    send(
        &app,
        p2,
        Method::POST,
        &format!("{path}/teams"),
        Some(json!({"name": "  "})),
    )
    .await
    .problem(422, "validation_failed");
    ok(
        &app,
        p2,
        Method::POST,
        &format!("{path}/teams"),
        Some(json!({"team": team})),
    )
    .await;
    let teams = app.get(&format!("{path}/teams")).await.json();
    assert_eq!(
        teams,
        json!([{"id": team, "name": "Data Wizards", "members": 2}])
    );

    // The organisers see who comes; nobody else does.
    send(&app, p1, Method::GET, &format!("{path}/participants"), None)
        .await
        .problem(403, "forbidden");
    // The AZ park runs other programmes, not this one.
    send(
        &app,
        &hub.az_park,
        Method::GET,
        &format!("{path}/participants"),
        None,
    )
    .await
    .problem(403, "forbidden");
    let seen = ok(
        &app,
        &hub.uz_park,
        Method::GET,
        &format!("{path}/participants"),
        None,
    )
    .await;
    let states: Vec<&str> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["registered", "registered", "waitlisted"]);

    // A cancelled place goes to the first on the waitlist, and leaves the team.
    let cancelled = ok(
        &app,
        p1,
        Method::DELETE,
        &format!("{path}/registration"),
        None,
    )
    .await;
    assert_eq!(cancelled["state"], "cancelled");
    assert_eq!(
        ok(&app, p3, Method::GET, &format!("{path}/registration"), None).await["state"],
        "registered"
    );
    assert_eq!(
        app.get(&format!("{path}/teams")).await.json()[0]["members"],
        1
    );
    send(
        &app,
        p1,
        Method::DELETE,
        &format!("{path}/registration"),
        None,
    )
    .await
    .problem(404, "not_found");

    // An accelerator takes applications, not registrations.
    let accelerator_path = published(
        &app,
        &hub.uz_park,
        accelerator("no-places", Duration::days(5)),
    )
    .await;
    send(
        &app,
        p1,
        Method::POST,
        &format!("{accelerator_path}/registration"),
        None,
    )
    .await
    .problem(409, "invalid_transition");

    // The demo day's accepted startups are public; an undecided programme has none yet.
    let accepted = app
        .get("/api/v1/hub/programmes/caspian-demo-day-2026/accepted")
        .await
        .json();
    let mut slugs: Vec<&str> = accepted
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    slugs.sort();
    assert_eq!(slugs, ["caspian-speech", "registan-analytics"]);
    assert_eq!(
        app.get(&format!("{accelerator_path}/accepted"))
            .await
            .json(),
        json!([])
    );

    // The calendar: published programmes only, each with its deadline.
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        "/api/v1/hub/programmes",
        Some(hackathon("secret-draft", 5)),
    )
    .await;
    let feed = app.get("/api/v1/hub/programmes.ics").await;
    assert_eq!(feed.status, 200);
    assert!(
        feed.content_type().starts_with("text/calendar"),
        "{}",
        feed.content_type()
    );
    let text = feed.body.replace("\r\n ", "");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.trim_end().ends_with("END:VCALENDAR"));
    assert!(text.contains("SUMMARY:Hackathon data-weekend\r\n"));
    assert!(text.contains("SUMMARY:Applications close: Hackathon data-weekend\r\n"));
    assert!(
        !text.contains("secret-draft"),
        "a draft is nobody's calendar entry"
    );
    assert_eq!(
        text.matches("BEGIN:VEVENT").count(),
        text.matches("END:VEVENT").count()
    );
    assert!(
        text.contains("SUMMARY:Tashkent–Baku open data hackathon\r\n"),
        "the demo's too"
    );
}

/// Two people take the last place at once: one gets it, the other waits (or is told to try
/// again and then waits) — never two places where there is one.
#[actix_web::test]
async fn the_last_place_goes_to_one_person_however_many_take_it_at_once() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let hub = hub(&app, &cast).await;
    let path = published(&app, &hub.uz_park, hackathon("one-seat", 1)).await;
    let register = |who: &'static str| {
        let (app, path) = (&app, path.clone());
        let who = match who {
            "a" => &hub.reviewer_uz,
            "b" => &hub.reviewer_az,
            _ => &hub.late,
        };
        async move {
            loop {
                let reply = send(
                    app,
                    who,
                    Method::POST,
                    &format!("{path}/registration"),
                    None,
                )
                .await;
                if reply.status != 409 {
                    assert_eq!(reply.status, 200, "{}", reply.body);
                    return reply.json()["state"].as_str().unwrap().to_owned();
                }
            }
        }
    };
    let (a, b, c) = tokio::join!(register("a"), register("b"), register("c"));
    let mut states = vec![a, b, c];
    states.sort();
    assert_eq!(states, ["registered", "waitlisted", "waitlisted"]);
}

/// A co-investment call: each investor records what it commits to an accepted startup, in its
/// fund's currency, never beyond its fund; the startup, organisers and investors see it.
#[actix_web::test]
async fn investors_commit_to_accepted_startups_within_their_funds() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let hub = hub(&app, &cast).await;
    let mut call = accelerator("co-invest-test", Duration::days(5));
    call["kind"] = json!("co_investment");
    call["funds"] = json!([{"investor": "it-park-uz", "amount": 100000, "currency": "USD"},
                           {"investor": "idda", "amount": 50000, "currency": "USD"}]);
    let path = published(&app, &hub.uz_park, call.clone()).await;
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{path}/organisers"),
        Some(json!({"organisation": "idda"})),
    )
    .await;
    ok(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{path}/organisers/idda/confirm"),
        None,
    )
    .await;
    let answers = json!([{"question": "problem", "value": "Payments"}, {"question": "team-size", "value": "3"}]);
    let mut ids = Vec::new();
    for (who, startup) in [
        (&hub.registan, "registan-analytics"),
        (&hub.caspian, "caspian-speech"),
    ] {
        let draft = ok(&app, who, Method::POST, &format!("{path}/applications"),
            Some(json!({"startup": startup, "stage": "seed", "sector": "fintech", "answers": answers}))).await;
        let id = draft["id"].as_str().unwrap().to_owned();
        ok(
            &app,
            who,
            Method::POST,
            &format!("/api/v1/hub/applications/{id}/submit"),
            None,
        )
        .await;
        ids.push(format!("/api/v1/hub/applications/{id}"));
    }
    let (registan, caspian) = (&ids[0], &ids[1]);
    let commit = |investor: &str, amount: i64, currency: &str| json!({"investor": investor, "amount": amount, "currency": currency});
    // Nothing before the results.
    send(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{registan}/commitments"),
        Some(commit("it-park-uz", 1000, "USD")),
    )
    .await
    .problem(404, "not_found");
    let mut closed = call.clone();
    closed["applicationsCloseAt"] = json!(super::hub_support::at(-Duration::minutes(1)));
    closed["applicationsOpenAt"] = json!(super::hub_support::at(-Duration::hours(2)));
    ok(&app, &hub.uz_park, Method::PUT, &path, Some(closed)).await;
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{registan}/decision"),
        Some(json!({"decision": "accepted"})),
    )
    .await;
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{caspian}/decision"),
        Some(json!({"decision": "declined"})),
    )
    .await;
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{path}/results"),
        None,
    )
    .await;

    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{registan}/commitments"),
        Some(commit("it-park-uz", 60000, "USD")),
    )
    .await;
    send(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{registan}/commitments"),
        Some(commit("it-park-uz", 1, "USD")),
    )
    .await
    .problem(409, "conflict");
    send(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{registan}/commitments"),
        Some(commit("idda", 1, "USD")),
    )
    .await
    .problem(403, "forbidden");
    send(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{registan}/commitments"),
        Some(commit("idda", 1000, "EUR")),
    )
    .await
    .problem(422, "validation_failed");
    send(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{registan}/commitments"),
        Some(commit("cbar", 1000, "USD")),
    )
    .await
    .problem(422, "validation_failed");
    send(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{registan}/commitments"),
        Some(commit("idda", 60000, "USD")),
    )
    .await
    .problem(409, "invalid_transition");
    send(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{caspian}/commitments"),
        Some(commit("idda", 1000, "USD")),
    )
    .await
    .problem(409, "invalid_transition");
    let all = ok(
        &app,
        &hub.az_park,
        Method::POST,
        &format!("{registan}/commitments"),
        Some(commit("idda", 50000, "USD")),
    )
    .await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    // Who sees the record.
    let seen = ok(
        &app,
        &hub.registan_member,
        Method::GET,
        &format!("{registan}/commitments"),
        None,
    )
    .await;
    let mut amounts: Vec<(String, i64)> = seen
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["investor"]["slug"].as_str().unwrap().to_owned(),
                c["amount"].as_i64().unwrap(),
            )
        })
        .collect();
    amounts.sort();
    assert_eq!(
        amounts,
        [("idda".to_owned(), 50000), ("it-park-uz".to_owned(), 60000)]
    );
    for outsider in [&hub.caspian, &hub.reviewer_uz, &cast.uz] {
        send(
            &app,
            outsider,
            Method::GET,
            &format!("{registan}/commitments"),
            None,
        )
        .await
        .problem(404, "not_found");
    }
    assert_eq!(
        ok(
            &app,
            &hub.caspian,
            Method::GET,
            &format!("{caspian}/commitments"),
            None
        )
        .await,
        json!([])
    );
}
