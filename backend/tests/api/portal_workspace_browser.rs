//! The signed-in workspace in headless Chromium, signing in through real OpenID Providers
//! (npm `oidc-provider`) of both countries: a UZ agency member, invited by link, composes a
//! document with a PDF and sends it to an AZ agency; the AZ member (JavaScript off) finds it
//! in the inbox, downloads the very file, receives, accepts and signs it; the UZ sender
//! verifies the receipt; an outsider gets 404. The UZ member publishes a report the public
//! then finds in both scripts, and, appointed moderator, approves a listing that then appears
//! in the marketplace. A forged cross-site form changes nothing. axe-core finds no WCAG 2.2 AA
//! violation on any workspace page.

use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::portal_browser::{
    browser, click_through, screenshots, start_driver, text, tools, violations,
};
use crate::cast::cast;
use crate::support::TestApp;

/// Runs axe on the current page (unless `axe` is empty: a browser without JavaScript cannot
/// run it), adding what it finds to `failures`, and keeps a screenshot.
async fn check_page(client: &Client, axe: &str, name: &str, failures: &mut Vec<String>) {
    let url = client.current_url().await.unwrap();
    if !axe.is_empty() {
        for violation in violations(client, axe).await {
            failures.push(format!("{url}: {violation}"));
        }
    }
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("workspace-{name}.png")), png).unwrap();
}

/// Opens an invitation link, signs in at the country's provider (its login and consent
/// pages), and accepts: the workspace follows.
async fn sign_in_by_invitation(
    client: &Client,
    app: &TestApp,
    token: &str,
    country: &str,
    login: &str,
    axe: &str,
    failures: &mut Vec<String>,
) {
    client
        .goto(&app.url(&format!("/invite/{token}")))
        .await
        .unwrap();
    check_page(client, axe, "invitation", failures).await;
    click_through(client, "main a.button").await;
    check_page(client, axe, "sign-in", failures).await;
    click_through(client, &format!("a[href^='/auth/{country}/login']")).await;
    for _ in 0..6 {
        let url = client.current_url().await.unwrap();
        if url.as_str().starts_with(&app.url("/")) {
            break;
        }
        if let Ok(input) = client.find(Locator::Css("input[name=login]")).await {
            input.send_keys(login).await.unwrap();
            client
                .find(Locator::Css("input[name=password]"))
                .await
                .unwrap()
                .send_keys("any")
                .await
                .unwrap();
        }
        click_through(client, "button[type=submit]").await;
    }
    let back = client.current_url().await.unwrap();
    assert!(
        back.path().starts_with("/en/invitations/"),
        "after the provider: {back}"
    );
    click_through(client, "main form button[type=submit]").await;
    assert_eq!(client.current_url().await.unwrap().path(), "/en/workspace");
}

/// The session cookie the browser holds, for fetching what it would download.
async fn session_cookie(client: &Client) -> String {
    let cookie = client.get_named_cookie("sb_access").await.unwrap();
    format!("sb_access={}", cookie.value())
}

/// Clicks the submit button of the action form for `step`.
async fn take_step(client: &Client, step: &str) {
    click_through(
        client,
        &format!("form:has(input[name=step][value={step}]) button[type=submit]"),
    )
    .await;
}

fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.extend_from_slice("Memorandum on statistical cooperation, Tashkent–Baku".as_bytes());
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

#[actix_web::test]
async fn agencies_exchange_publish_and_moderate_in_the_browser_after_signing_in() {
    let Some((chromium, driver, axe)) = tools() else {
        assert!(
            std::env::var_os("SILKBRIDGE_TEST_REQUIRE_BROWSER").is_none(),
            "SILKBRIDGE_TEST_REQUIRE_BROWSER is set but the browser tools are missing"
        );
        eprintln!("skipped: chromium, chromedriver or axe-core not installed");
        return;
    };
    let axe = std::fs::read_to_string(axe).unwrap();
    let app = TestApp::start_federated().await;
    let cast = cast(&app).await;
    let invite = |slug: &'static str| {
        let app = &app;
        let admin = cast.org_admin.access_token.clone();
        async move {
            let created = app
                .send(
                    app.authed(
                        Method::POST,
                        &format!("/api/v1/organisations/{slug}/invitations"),
                        &admin,
                    )
                    .json(&json!({"role": "editor"})),
                )
                .await;
            assert_eq!(created.status, 201, "{}", created.body);
            created.json()["token"].as_str().unwrap().to_owned()
        }
    };
    let (uz_token, az_token) = (invite("stat-uz").await, invite("azstat").await);
    let mut failures = Vec::new();
    let driver = start_driver(&driver);
    let uz = browser(&driver, &chromium, true).await;
    let az = browser(&driver, &chromium, false).await;
    sign_in_by_invitation(&uz, &app, &uz_token, "UZ", "malika", &axe, &mut failures).await;
    check_page(&uz, &axe, "home", &mut failures).await;
    // axe is a script: the browser without JavaScript only keeps screenshots.
    let no_axe = String::new();
    sign_in_by_invitation(&az, &app, &az_token, "AZ", "elvin", &no_axe, &mut failures).await;

    // UZ composes a confidential agreement to azstat, attaches the PDF and sends it.
    uz.goto(&app.url("/en/workspace/documents/new"))
        .await
        .unwrap();
    check_page(&uz, &axe, "compose", &mut failures).await;
    for (field, value) in [
        ("subject", "Memorandum on statistical cooperation"),
        ("document_type", "agreement"),
        ("reference_number", "UZ-STAT/2026-201"),
    ] {
        uz.find(Locator::Css(&format!("input#{field}")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    uz.find(Locator::Css("input#level-confidential"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    uz.find(Locator::Css("input#to-azstat"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click_through(&uz, "main form button[type=submit]").await;
    let document_page = uz.current_url().await.unwrap();
    assert!(
        document_page.path().starts_with("/en/workspace/documents/"),
        "{document_page}"
    );
    let file = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
    std::fs::write(file.path(), pdf()).unwrap();
    let renamed = file.path().with_file_name("memorandum.pdf");
    std::fs::copy(file.path(), &renamed).unwrap();
    uz.find(Locator::Css("input#file"))
        .await
        .unwrap()
        .send_keys(renamed.to_str().unwrap())
        .await
        .unwrap();
    click_through(&uz, "form[enctype] button[type=submit]").await;
    assert!(text(&uz, "main").await.contains("memorandum.pdf"));
    check_page(&uz, &axe, "draft", &mut failures).await;
    take_step(&uz, "send").await;
    assert!(text(&uz, "[role=status]").await.contains("Done"));

    // AZ, without JavaScript: the inbox, the document, the very file, then the steps.
    az.goto(&app.url("/en/workspace")).await.unwrap();
    assert!(
        text(&az, "main")
            .await
            .contains("1 document awaits your organisation")
    );
    click_through(&az, "a[href='/en/workspace/documents?box=inbox']").await;
    check_page(&az, &no_axe, "inbox", &mut failures).await;
    click_through(&az, "tr.unread a").await;
    assert!(text(&az, ".banner").await.contains("Confidential"));
    let href = az
        .find(Locator::Css("a[download][href^='/api/v1/documents/']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let downloaded = reqwest::Client::new()
        .get(app.url(&href))
        .header("cookie", session_cookie(&az).await)
        .send()
        .await
        .unwrap();
    assert_eq!(downloaded.status().as_u16(), 200);
    assert_eq!(
        hex::encode(Sha256::digest(downloaded.bytes().await.unwrap())),
        hex::encode(Sha256::digest(pdf()))
    );
    for step in ["deliver", "accept", "sign"] {
        take_step(&az, step).await;
    }
    check_page(&az, &no_axe, "document", &mut failures).await;

    // UZ sees the signature's receipt and verifies it.
    uz.goto(document_page.as_str()).await.unwrap();
    click_through(
        &uz,
        "form[action$='/receipts/4/verify'] button[type=submit]",
    )
    .await;
    assert!(text(&uz, ".result.valid").await.contains("Valid"));
    check_page(&uz, &axe, "verified", &mut failures).await;
    let outsider = reqwest::Client::new()
        .get(app.url(document_page.path()))
        .header(
            "cookie",
            format!("sb_access={}", cast.outsider.access_token),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(outsider.status().as_u16(), 404);

    // A page of another site posting a form to the workspace: the browser sends no session
    // with it (SameSite=Lax), and the form's token is missing anyway; nothing changes.
    let outbox = || async {
        let cookie = session_cookie(&uz).await;
        reqwest::Client::new()
            .get(app.url("/api/v1/documents?mailbox=outbox"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .json::<serde_json::Value>()
            .await
            .unwrap()["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = outbox().await;
    let forged = format!(
        "data:text/html,<form method=post action='{}'><input name=sender value=stat-uz>\
         <input name=subject value=Forged><input name=recipients value=azstat></form>\
         <script>document.forms[0].submit()</script>",
        app.url("/en/workspace/documents")
    );
    uz.goto(&forged).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(outbox().await, before, "the forged form created nothing");

    // UZ publishes a report; the public finds it in both scripts.
    uz.goto(&app.url("/en/workspace/publications/new"))
        .await
        .unwrap();
    check_page(&uz, &axe, "publication-form", &mut failures).await;
    for (field, value) in [
        ("title", "Buxoro viloyati aholisi 2025"),
        ("abstract", "Viloyat aholisining yillik statistik sharhi."),
        ("author-0-name", "Malika Tursunova"),
        ("issued", "2025"),
    ] {
        uz.find(Locator::Css(&format!("#{field}")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    click_through(&uz, "main form[novalidate] button[type=submit]").await;
    assert!(text(&uz, "[role=status]").await.contains("Saved"));
    let id = uz
        .current_url()
        .await
        .unwrap()
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    app.search_until("/en/search?q=Buxoro", &id).await;
    for words in ["Buxoro viloyati", "Бухоро вилояти"] {
        uz.goto(&app.url("/en/search")).await.unwrap();
        let input = uz.find(Locator::Css("input#q")).await.unwrap();
        input.send_keys(words).await.unwrap();
        click_through(&uz, "form.search button").await;
        assert!(
            text(&uz, "main")
                .await
                .contains("Buxoro viloyati aholisi 2025"),
            "{words}"
        );
    }

    // Appointed moderator, UZ approves a listing; the public marketplace shows it.
    let me = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header("cookie", session_cookie(&uz).await)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let appointed = app
        .send(
            app.authed(
                Method::PUT,
                &format!("/api/v1/users/{}/moderator", me["id"].as_str().unwrap()),
                &cast.admin.access_token,
            )
            .json(&json!({"moderator": true})),
        )
        .await;
    assert_eq!(appointed.status, 204, "{}", appointed.body);
    let listing = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/marketplace/listings",
                &cast.cloud_editor.access_token,
            )
            .json(&json!({
                "organisation": "silk-road-cloud",
                "kind": "service",
                "title": "Bilingual GPU cloud",
                "description": "GPU servers in Tashkent and Baku.",
                "categories": ["cloud-hosting"],
                "countries": ["UZ", "AZ"],
                "price_model": "on_request"
            })),
        )
        .await
        .json();
    let listing_id = listing["id"].as_str().unwrap();
    app.send(app.authed(
        Method::POST,
        &format!("/api/v1/marketplace/listings/{listing_id}/submit"),
        &cast.cloud_editor.access_token,
    ))
    .await;
    uz.goto(&app.url("/en/workspace/moderation")).await.unwrap();
    check_page(&uz, &axe, "moderation", &mut failures).await;
    click_through(
        &uz,
        &format!("form:has(input[value='{listing_id}']):has(input[value=approve]) button"),
    )
    .await;
    uz.goto(&app.url("/en/marketplace")).await.unwrap();
    assert!(text(&uz, "main").await.contains("Bilingual GPU cloud"));

    // The administration pages: UZ made admin of stat-uz by its admin, then platform
    // administrator by the operator.
    let uz_id = me["id"].as_str().unwrap();
    let promoted = app
        .send(
            app.authed(
                Method::PUT,
                &format!("/api/v1/organisations/stat-uz/members/{uz_id}"),
                &cast.org_admin.access_token,
            )
            .json(&json!({"role": "admin"})),
        )
        .await;
    assert_eq!(promoted.status, 204, "{}", promoted.body);
    app.make_platform_admin(uz_id).await;
    for (path, name) in [
        ("/en/workspace/organisations/stat-uz", "organisation-admin"),
        ("/en/workspace/partners", "partners"),
        ("/en/workspace/datasets/new", "dataset-form"),
        ("/en/workspace/listings/new", "listing-form"),
        ("/en/workspace/documents?box=outbox", "outbox"),
        ("/en/workspace/cases", "cases"),
    ] {
        uz.goto(&app.url(path)).await.unwrap();
        let at = uz.current_url().await.unwrap();
        assert!(path.starts_with(at.path()), "{path} led to {at}");
        check_page(&uz, &axe, name, &mut failures).await;
    }
    // A case's page, reached from the list as a person would.
    uz.goto(&app.url("/en/workspace/cases?state=located"))
        .await
        .unwrap();
    uz.find(Locator::Css("tbody a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let at = uz.current_url().await.unwrap();
    assert!(at.path().starts_with("/en/workspace/cases/"), "{at}");
    check_page(&uz, &axe, "case", &mut failures).await;

    uz.close().await.unwrap();
    az.close().await.unwrap();
    assert!(failures.is_empty(), "axe found:\n{}", failures.join("\n"));
}
