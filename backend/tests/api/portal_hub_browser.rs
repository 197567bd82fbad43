//! One application to an IT hub programme from draft to decision in headless Chromium: the
//! founder finds the programme, starts an application, answers the form, attaches the pitch
//! deck (a real file input) and submits; a reviewer scores it from their desk; an organiser
//! decides and publishes the results; the founder reads the decision in the workspace. axe-core
//! finds no WCAG 2.2 AA violation on any of the hub's pages. The people are signed in by
//! their session cookie (sign-in through the OpenID Providers is `identity_login.rs`'s and
//! `portal_workspace_browser.rs`'s to test).

use chrono::Duration;
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::json;

use super::hub_support::{at, hub, ok};
use super::portal_browser::{browser, click_through, screenshots, start_driver, tools, violations};
use super::portal_hub::with_pitch_deck;
use super::portal_workspace::pdf;
use crate::cast::cast;
use crate::support::{SignedIn, TestApp};

/// The browser is `who` from now on: its session cookie, set as the page's own (WebDriver's
/// cookie command insists on `SameSite=None`, which needs `Secure`, which plain HTTP is not).
async fn sign_in_as(client: &Client, app: &TestApp, who: &SignedIn) {
    client.goto(&app.url("/en/")).await.unwrap();
    client.delete_all_cookies().await.unwrap();
    let cookie = format!("sb_access={}; path=/; SameSite=Lax", who.access_token);
    client
        .execute("document.cookie = arguments[0];", vec![json!(cookie)])
        .await
        .unwrap();
}

/// Runs axe on the current page, adding what it finds to `failures`, and keeps a screenshot.
async fn check(client: &Client, axe: &str, name: &str, failures: &mut Vec<String>) {
    let url = client.current_url().await.unwrap();
    for violation in violations(client, axe).await {
        failures.push(format!("{url}: {violation}"));
    }
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("hub-{name}.png")), png).unwrap();
}

async fn choose(client: &Client, css: &str, value: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap();
}

async fn type_into(client: &Client, css: &str, text: &str) {
    let field = client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn body(client: &Client) -> String {
    client.source().await.unwrap()
}

#[actix_web::test]
async fn one_application_goes_from_draft_to_decision_in_the_browser() {
    let Some((chromium, driver, axe)) = tools() else {
        assert!(
            std::env::var_os("SILKBRIDGE_TEST_REQUIRE_BROWSER").is_none(),
            "SILKBRIDGE_TEST_REQUIRE_BROWSER is set but the browser tools are missing"
        );
        eprintln!("skipped: chromium, chromedriver or axe-core not installed");
        return;
    };
    let axe = std::fs::read_to_string(axe).unwrap();
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let hub = hub(&app, &cast).await;
    let slug = "browser-accelerator";
    let path = format!("/api/v1/hub/programmes/{slug}");
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        "/api/v1/hub/programmes",
        Some(with_pitch_deck(slug, Duration::days(7))),
    )
    .await;
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{path}/publish"),
        None,
    )
    .await;
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{path}/reviewers"),
        Some(json!({"userId": hub.reviewer_uz.user_id})),
    )
    .await;
    let deck = tempfile::NamedTempFile::with_suffix(".pdf").unwrap();
    std::fs::write(deck.path(), pdf()).unwrap();

    let driver = start_driver(&driver);
    let client = browser(&driver, &chromium, true).await;
    let mut failures = Vec::new();

    // The founder finds the programme and applies.
    sign_in_as(&client, &app, &hub.registan).await;
    client
        .goto(&app.url("/en/programmes?kind=accelerator"))
        .await
        .unwrap();
    check(&client, &axe, "programmes", &mut failures).await;
    click_through(&client, &format!("ol.hits a[href='/en/programmes/{slug}']")).await;
    check(&client, &axe, "programme", &mut failures).await;
    choose(&client, "select#startup", "registan-analytics").await;
    choose(&client, "select#stage", "mvp").await;
    choose(&client, "select#sector", "ai").await;
    click_through(&client, "form[action$='/applications'] button[type=submit]").await;
    let application = client.current_url().await.unwrap().path().to_owned();
    assert!(
        application.starts_with("/en/workspace/applications/"),
        "{application}"
    );
    check(&client, &axe, "application-draft", &mut failures).await;
    type_into(
        &client,
        "textarea#q-problem",
        "Invoices between Tashkent and Baku take weeks",
    )
    .await;
    type_into(&client, "input#q-team-size", "seven").await;
    choose(&client, "select#q-market", "both").await;
    click_through(&client, "main form.form button[type=submit]").await;
    // The mistyped number is marked at its field, with what was typed kept.
    assert!(body(&client).await.contains("id=\"q-team-size-error\""));
    check(&client, &axe, "application-errors", &mut failures).await;
    type_into(&client, "input#q-team-size", "7").await;
    click_through(&client, "main form.form button[type=submit]").await;
    client
        .find(Locator::Css("input#file-pitch-deck"))
        .await
        .unwrap()
        .send_keys(&deck.path().display().to_string())
        .await
        .unwrap();
    click_through(
        &client,
        "form[enctype='multipart/form-data'] button[type=submit]",
    )
    .await;
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(pdf()));
    assert!(
        body(&client).await.contains(&digest),
        "the very file is attached"
    );
    click_through(&client, "form[action$='/submit'] button[type=submit]").await;
    let submitted = body(&client).await;
    assert!(
        submitted.contains("Submitted") && submitted.contains("Withdraw the application"),
        "{submitted}"
    );
    check(&client, &axe, "application-submitted", &mut failures).await;

    // Applications close; the reviewer scores it from their desk.
    let mut closed = with_pitch_deck(slug, -Duration::minutes(1));
    closed["applicationsOpenAt"] = json!(at(-Duration::hours(2)));
    ok(&app, &hub.uz_park, Method::PUT, &path, Some(closed)).await;
    sign_in_as(&client, &app, &hub.reviewer_uz).await;
    client
        .goto(&app.url("/en/workspace/programmes"))
        .await
        .unwrap();
    check(&client, &axe, "hub-workspace-reviewer", &mut failures).await;
    click_through(
        &client,
        &format!("a[href='/en/workspace/programmes/{slug}']"),
    )
    .await;
    check(&client, &axe, "desk-reviewer", &mut failures).await;
    click_through(&client, &format!("a[href='{application}']")).await;
    choose(&client, "select#score-team", "5").await;
    choose(&client, "select#score-market", "3").await;
    type_into(
        &client,
        "textarea#comment",
        "A team that has shipped before",
    )
    .await;
    click_through(&client, "form[action$='/review'] button[type=submit]").await;
    check(&client, &axe, "application-reviewed", &mut failures).await;

    // The organiser decides and publishes the results.
    sign_in_as(&client, &app, &hub.uz_park).await;
    client
        .goto(&app.url(&format!("/en/workspace/programmes/{slug}")))
        .await
        .unwrap();
    check(&client, &axe, "desk-organiser", &mut failures).await;
    click_through(&client, &format!("a[href='{application}']")).await;
    let scored = body(&client).await;
    assert!(
        scored.contains("A team that has shipped before") && scored.contains("4.3"),
        "{scored}"
    );
    check(&client, &axe, "application-organiser", &mut failures).await;
    choose(&client, "select#decision", "accepted").await;
    click_through(&client, "form[action$='/decide'] button[type=submit]").await;
    client
        .goto(&app.url(&format!("/en/workspace/programmes/{slug}")))
        .await
        .unwrap();
    click_through(&client, "form[action$='/results'] button[type=submit]").await;
    assert!(body(&client).await.contains("Decided"));

    // The founder reads the decision.
    sign_in_as(&client, &app, &hub.registan).await;
    client
        .goto(&app.url("/en/workspace/programmes"))
        .await
        .unwrap();
    let inbox = body(&client).await;
    let row = inbox
        .split("<tr>")
        .find(|r| r.contains("Silk Road AI Accelerator"))
        .unwrap_or_else(|| panic!("{inbox}"));
    assert!(row.contains("Accepted"), "{row}");
    check(&client, &axe, "hub-workspace-applicant", &mut failures).await;
    client.goto(&app.url(&application)).await.unwrap();
    check(&client, &axe, "application-decided", &mut failures).await;

    client.close().await.unwrap();
    assert!(failures.is_empty(), "axe found:\n{}", failures.join("\n"));
}
