//! The IT hub in the portal over HTTP, as a browser without JavaScript uses it: the public
//! programme pages, a startup's application from the apply form to its decision (answers with
//! their field errors, a required pitch deck attached, submission), the reviewer's scores and
//! the organisers' decision and publication — and the same refusals as the API: another
//! startup's application, a startup member who does not edit, a forged form, a conflicted
//! reviewer, an outsider downloading the pitch deck.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::hub_support::{accelerator, at, hub, ok};
use super::portal_workspace::{Browser, pdf};
use crate::cast::cast;
use crate::support::TestApp;

/// The accelerator of the hub's tests with a required pitch deck.
pub(super) fn with_pitch_deck(slug: &str, closes: Duration) -> Value {
    let mut programme = accelerator(slug, closes);
    programme["questions"].as_array_mut().unwrap().push(
        json!({"id": "pitch-deck", "kind": "file", "label": "Pitch deck (PDF)", "required": true}),
    );
    programme
}

/// The first `href` of the page that starts with `prefix`, up to its closing quote.
#[allow(dead_code)]
pub(super) fn link(body: &str, prefix: &str) -> String {
    body.split(&format!("href=\"{prefix}"))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|rest| format!("{prefix}{rest}"))
        .unwrap_or_else(|| panic!("no link to {prefix}… in {body}"))
}

#[actix_web::test]
async fn a_startup_applies_the_panel_scores_and_the_organisers_decide_in_the_portal() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let hub = hub(&app, &cast).await;
    let slug = "portal-accelerator";
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        "/api/v1/hub/programmes",
        Some(with_pitch_deck(slug, Duration::days(7))),
    )
    .await;
    let path = format!("/api/v1/hub/programmes/{slug}");

    // A draft is nobody's but its organisers'.
    let anonymous = reqwest::Client::new();
    let draft = anonymous
        .get(app.url(&format!("/en/programmes/{slug}")))
        .send()
        .await
        .unwrap();
    assert_eq!(draft.status(), 404);
    assert!(
        !app.get("/sitemap-programmes.xml").await.body.contains(slug),
        "no draft in the sitemap"
    );
    let park = Browser::of(&app, &hub.uz_park);
    assert_eq!(
        park.get(&format!("/en/programmes/{slug}")).await.status,
        200
    );
    let desk = format!("/en/workspace/programmes/{slug}");
    let token = park.token(&desk).await;
    let published = park
        .post(
            &format!("{desk}/publish"),
            &park.origin(),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    for reviewer in [&hub.reviewer_uz, &hub.reviewer_az, &hub.reviewer_member] {
        let appointed = park
            .post(
                &format!("{desk}/appoint"),
                &park.origin(),
                &[("csrf", &token), ("userId", &reviewer.user_id)],
            )
            .await;
        assert_eq!(appointed.status, 303, "{}", appointed.body);
    }
    let unknown = park
        .post(
            &format!("{desk}/appoint"),
            &park.origin(),
            &[("csrf", &token), ("userId", "no-such-user")],
        )
        .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert!(unknown.body.contains("Please correct the marked fields"));

    let sitemap = app.get("/sitemap-programmes.xml").await;
    assert!(
        sitemap
            .body
            .contains(&format!("/uz/programmes/{slug}</loc>")),
        "{}",
        sitemap.body
    );
    // The public pages, in every locale's words.
    let list = anonymous
        .get(app.url("/ru/programmes?kind=accelerator"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("Акселератор ИИ Шёлкового пути") && list.contains("Приём заявок открыт"),
        "{list}"
    );
    let public = anonymous
        .get(app.url(&format!("/en/programmes/{slug}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        public.contains("Silk Road AI Accelerator") && public.contains("Minimum viable product")
    );
    assert!(
        !public.contains("Start an application"),
        "no form for an anonymous visitor"
    );

    // The founder starts an application from the programme's page.
    let founder = Browser::of(&app, &hub.registan);
    let page = founder.get(&format!("/en/programmes/{slug}")).await;
    assert!(
        page.body.contains("Start an application") && page.body.contains("registan-analytics"),
        "{}",
        page.body
    );
    let token = founder.token(&format!("/en/programmes/{slug}")).await;
    let started = founder
        .post(
            &format!("/en/workspace/programmes/{slug}/applications"),
            &founder.origin(),
            &[
                ("csrf", &token),
                ("startup", "registan-analytics"),
                ("stage", "mvp"),
                ("sector", "ai"),
            ],
        )
        .await;
    assert_eq!(started.status, 303, "{}", started.body);
    let application = started.location.split('?').next().unwrap().to_owned();
    assert!(
        application.starts_with("/en/workspace/applications/"),
        "{application}"
    );
    let id = application.rsplit('/').next().unwrap().to_owned();

    // A bad number is refused next to its field, with what was typed kept.
    let bad = founder
        .post(
            &application,
            &founder.origin(),
            &[
                ("csrf", &token),
                ("stage", "mvp"),
                ("sector", "ai"),
                ("q-problem", "Cross-border invoices"),
                ("q-team-size", "seven"),
                ("q-market", "both"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("id=\"q-team-size-error\"") && bad.body.contains("Cross-border invoices"),
        "{}",
        bad.body
    );
    let saved = founder
        .post(
            &application,
            &founder.origin(),
            &[
                ("csrf", &token),
                ("stage", "mvp"),
                ("sector", "ai"),
                ("q-problem", "Cross-border invoices"),
                ("q-team-size", "7"),
                ("q-market", "both"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    // Submitting without the required pitch deck says so at the deck.
    let early = founder
        .post(
            &format!("{application}/submit"),
            &founder.origin(),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(
        early.body.contains("id=\"file-pitch-deck-error\""),
        "{}",
        early.body
    );
    let attached = founder
        .upload(
            &format!("{application}/files/pitch-deck"),
            &token,
            "deck.pdf",
            pdf(),
        )
        .await;
    assert_eq!(attached.status, 303, "{}", attached.body);
    let forged = founder
        .post(
            &format!("{application}/submit"),
            "https://evil.example",
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(forged.status, 403);
    let member = Browser::of(&app, &hub.registan_member);
    let seen = member.get(&application).await;
    assert_eq!(seen.status, 200);
    assert!(
        !seen.body.contains("Submit the application"),
        "a member who does not edit gets no form"
    );
    let refused = member
        .post(
            &format!("{application}/submit"),
            &member.origin(),
            &[("csrf", &member.token(&application).await)],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let submitted = founder
        .post(
            &format!("{application}/submit"),
            &founder.origin(),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    let after = founder.get(&application).await;
    assert!(after.body.contains("Submitted") && after.body.contains("Withdraw the application"));
    assert!(
        !after.body.contains("name=\"q-problem\""),
        "a submitted application is not edited"
    );

    // Another startup, and an outsider, do not see it, nor its deck.
    let caspian = Browser::of(&app, &hub.caspian);
    assert_eq!(caspian.get(&application).await.status, 404);
    let deck = format!("/api/v1/hub/applications/{id}/files/pitch-deck");
    assert_eq!(caspian.get(&deck).await.status, 404);
    assert_eq!(
        Browser::of(&app, &cast.buyer)
            .get(&application)
            .await
            .status,
        404
    );

    // The organisers close applications; the panel scores.
    let mut closed = with_pitch_deck(slug, -Duration::minutes(1));
    closed["applicationsOpenAt"] = json!(at(-Duration::hours(2)));
    ok(&app, &hub.uz_park, Method::PUT, &path, Some(closed)).await;
    let reviewer = Browser::of(&app, &hub.reviewer_uz);
    let their_desk = reviewer.get(&desk).await;
    assert!(
        their_desk.body.contains("To score") && their_desk.body.contains(&application),
        "{}",
        their_desk.body
    );
    let review_page = reviewer.get(&application).await;
    assert!(review_page.body.contains("Save my review") && review_page.body.contains(&deck));
    assert_eq!(reviewer.get(&deck).await.body.as_bytes(), pdf().as_slice());
    let token = reviewer.token(&application).await;
    let incomplete = reviewer
        .post(
            &format!("{application}/review"),
            &reviewer.origin(),
            &[("csrf", &token), ("score-team", "5"), ("score-market", "")],
        )
        .await;
    assert_eq!(incomplete.status, 422, "{}", incomplete.body);
    let scored = reviewer
        .post(
            &format!("{application}/review"),
            &reviewer.origin(),
            &[
                ("csrf", &token),
                ("score-team", "5"),
                ("score-market", "2"),
                ("comment", "Strong team"),
            ],
        )
        .await;
    assert_eq!(scored.status, 303, "{}", scored.body);
    // A reviewer cannot decide, and one who declared a conflict no longer sees it.
    let decided_by_reviewer = reviewer
        .post(
            &format!("{application}/decide"),
            &reviewer.origin(),
            &[("csrf", &token), ("decision", "accepted")],
        )
        .await;
    assert_eq!(
        decided_by_reviewer.status, 403,
        "{}",
        decided_by_reviewer.body
    );
    let other = Browser::of(&app, &hub.reviewer_az);
    assert_eq!(other.get(&application).await.status, 200);
    let other_token = other.token(&desk).await;
    let declared = other
        .post(
            &format!("{desk}/conflict"),
            &other.origin(),
            &[
                ("csrf", &other_token),
                ("startup", "registan-analytics"),
                ("reason", "adviser"),
            ],
        )
        .await;
    assert_eq!(declared.status, 303, "{}", declared.body);
    assert_eq!(other.get(&application).await.status, 404);

    // The organisers see the aggregate, decide, publish; only then does the founder see it.
    let organiser_view = park.get(&application).await;
    assert!(
        organiser_view.body.contains("Strong team") && organiser_view.body.contains("4.0"),
        "{}",
        organiser_view.body
    );
    let token = park.token(&application).await;
    let decided = park
        .post(
            &format!("{application}/decide"),
            &park.origin(),
            &[("csrf", &token), ("decision", "accepted")],
        )
        .await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    // (The demo's decided demo day accepted Registan Analytics already.)
    let before = founder.get("/en/workspace/programmes").await;
    assert!(
        !row_of(&before.body, "Silk Road AI Accelerator").contains("Accepted"),
        "not before the results are published"
    );
    assert!(
        founder
            .get("/en/workspace")
            .await
            .body
            .contains("1 decision on your applications")
    );
    let results = park
        .post(
            &format!("{desk}/results"),
            &park.origin(),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(results.status, 303, "{}", results.body);
    let inbox = founder.get("/en/workspace/programmes").await;
    assert!(
        row_of(&inbox.body, "Silk Road AI Accelerator").contains("Accepted"),
        "{}",
        inbox.body
    );
    assert!(
        founder
            .get("/en/workspace")
            .await
            .body
            .contains("2 decisions on your applications")
    );
    assert!(
        !reviewer.get(&application).await.body.contains("Accepted"),
        "reviewers never see decisions"
    );
    let accepted = anonymous
        .get(app.url(&format!("/az/programmes/{slug}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        accepted.contains("Qəbul olunmuş startaplar") && accepted.contains("Registan Analytics"),
        "{accepted}"
    );
    assert_eq!(audit_entries(&app, "hub.application.attach").await, 1);
}

/// The table row of a page that names `text`.
fn row_of<'a>(body: &'a str, text: &str) -> &'a str {
    body.split("<tr>")
        .find(|row| row.contains(text))
        .and_then(|row| row.split("</tr>").next())
        .unwrap_or_else(|| panic!("no row of {text} in {body}"))
}

/// The number of audit entries of `action`.
async fn audit_entries(app: &TestApp, action: &'static str) -> i64 {
    use diesel::prelude::*;
    use silkbridge_schema::tables::audit_log;
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.connection().unwrap();
        audit_log::table
            .filter(audit_log::action.eq(action))
            .count()
            .get_result(&mut conn)
            .unwrap()
    })
    .await
    .unwrap()
}
