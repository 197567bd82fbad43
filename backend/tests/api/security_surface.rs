//! Security I, the surface a browser or an anonymous client meets: uploaded files never run
//! as pages of the platform's origin, every response carries the security headers, GraphQL
//! requests are priced as a whole before anything runs, and operations that need
//! credentials refuse anonymous callers before they look at the body.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use silkbridge::identity::domain::Role;

use super::browser::{chromium, rendered_dom, rendered_dom_within};
use super::datasets::{create, dataset, upload};
use crate::support::TestApp;

/// A page whose script, if it ever runs, leaves a marker that its source does not contain.
const SCRIPTED_PAGE: &str = "<!doctype html><html><body><p>resource</p>\
<script>document.body.setAttribute('data-ran', 'x'.repeat(3) + '-ran')</script></body></html>";
const SCRIPTED_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>\
document.documentElement.setAttribute('data-ran', 'x'.repeat(3) + '-ran')</script></svg>";

fn header<'a>(reply: &'a crate::support::Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[actix_web::test]
async fn uploaded_pages_are_attachments_in_a_sandbox_and_never_run_in_a_browser() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let editor = app
        .person("UZ", "Data editor", &[("stat-uz", Role::Editor)])
        .await;
    create(&app, &editor, dataset(json!({}))).await;
    let mut urls = Vec::new();
    for (name, declared, body, inline) in [
        ("page.html", "text/html", SCRIPTED_PAGE, false),
        ("page.xhtml", "application/xhtml+xml", SCRIPTED_PAGE, false),
        ("drawing.svg", "image/svg+xml", SCRIPTED_SVG, false),
        ("data.xml", "application/xml", "<a>1</a>", false),
        ("notes.txt", "text/plain", "plain notes", true),
    ] {
        let reply = upload(
            &app,
            &editor,
            "aholi-soni-2024",
            name,
            declared,
            body.into(),
        )
        .await;
        assert_eq!(reply.status, 201, "{name}: {}", reply.body);
        let url = reply.json()["url"].as_str().unwrap().to_owned();
        let download = app.get(&url).await;
        assert_eq!(download.status, 200, "{name}");
        let disposition = header(&download, "content-disposition");
        assert_eq!(
            disposition.starts_with("inline"),
            inline,
            "{name}: {disposition}"
        );
        if !inline {
            assert!(
                disposition.starts_with("attachment;"),
                "{name}: {disposition}"
            );
        }
        let policy = header(&download, "content-security-policy");
        assert!(
            policy.contains("sandbox") && policy.contains("default-src 'none'"),
            "{name}: {policy}"
        );
        assert_eq!(header(&download, "x-content-type-options"), "nosniff");
        urls.push((name, app.url(&url)));
    }

    let query: String = url::form_urlencoded::byte_serialize(b"{ apiVersion }").collect();
    let playground = app.url(&format!("/graphql?run=1&query={query}"));
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("SILKBRIDGE_TEST_REQUIRE_BROWSER").is_none(),
            "SILKBRIDGE_TEST_REQUIRE_BROWSER is set but no Chromium is installed"
        );
        eprintln!("skipped the browser half: no Chromium installed");
        return;
    };
    // Opened at the top level, as a victim following a link would. An attachment never
    // becomes a page (Chromium is stopped after a while); were one rendered, its sandbox
    // policy would still keep its script from running.
    let opened: Vec<_> = urls
        .into_iter()
        .take(3)
        .map(|(name, url)| {
            let browser = browser.clone();
            let dom = tokio::task::spawn_blocking(move || {
                rendered_dom_within(&browser, &url, Duration::from_secs(10))
            });
            (name, dom)
        })
        .collect();
    for (name, dom) in opened {
        let dom = dom.await.unwrap().unwrap_or_default();
        assert!(
            !dom.contains("xxx-ran"),
            "{name}: the uploaded script ran on the platform origin: {dom}"
        );
    }
    // The check can see a script run: the playground's own script does.
    let dom = tokio::task::spawn_blocking(move || rendered_dom(&browser, &playground))
        .await
        .unwrap();
    assert!(dom.contains("HTTP 200"), "{dom}");
}

#[actix_web::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::start().await;
    for path in [
        "/healthz",
        "/api/v1/no-such-route",
        "/graphql",
        "/api/v1/openapi.json",
    ] {
        let reply = app.get(path).await;
        assert_eq!(
            header(&reply, "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            header(&reply, "referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        assert!(
            header(&reply, "content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(header(&reply, "x-frame-options"), "DENY", "{path}");
    }
}

/// The batch of the report: 20 operations of 400 aliased searches for unknown long words.
fn amplifying_batch(operations: usize, aliases: usize) -> Value {
    let fields: String = (0..aliases)
        .map(|i| {
            format!(
                "s{i}: search(params: {{q: \"zyxwvutsrqpo qponmlkjihgf gfedcbazyxwv wvutsrqponml kjihgfedcbaz\"}}) {{ total }} "
            )
        })
        .collect();
    let query = format!("{{ {fields} }}");
    Value::Array(
        (0..operations)
            .map(|_| json!({ "query": query.clone() }))
            .collect(),
    )
}

fn graphql_code(reply: &crate::support::Reply) -> String {
    reply.json()["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[actix_web::test]
async fn graphql_requests_are_priced_whole_before_anything_runs() {
    let app =
        TestApp::start_with(|config, _| config.limits.json_body_bytes = 2 * 1024 * 1024).await;
    app.seed_demo().await;
    app.reindex().await;

    let batch = amplifying_batch(20, 400);
    let size = batch.to_string().len();
    assert!(size > 800_000, "the report's request size: {size}");
    let started = Instant::now();
    let reply = app
        .send(app.client.post(app.url("/graphql")).json(&batch))
        .await;
    let elapsed = started.elapsed();
    assert_eq!(
        reply.status,
        400,
        "{}",
        &reply.body[..reply.body.len().min(500)]
    );
    assert_eq!(graphql_code(&reply), "batch_too_large");
    eprintln!("the {size}-byte batch was refused in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "refused in {elapsed:?}");

    // One operation with the same 400 aliases, and a batch within the length limit whose
    // operations are cheap alone but too many together.
    let one = amplifying_batch(1, 400)[0].clone();
    let reply = app
        .send(app.client.post(app.url("/graphql")).json(&one))
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(graphql_code(&reply), "query_too_complex");
    let together = amplifying_batch(10, 20);
    let reply = app
        .send(app.client.post(app.url("/graphql")).json(&together))
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(graphql_code(&reply), "query_too_complex");

    // Ordinary requests still run, alone and batched.
    let ordinary = json!({ "query": "{ search(params: {q: \"statistika\"}) { total } publications(first: 5) { items { id title } } }" });
    let reply = app
        .send(app.client.post(app.url("/graphql")).json(&ordinary))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.json()["data"]["search"]["total"].as_u64().unwrap() > 0);
    let reply = app
        .send(
            app.client
                .post(app.url("/graphql"))
                .json(&json!([ordinary.clone(), ordinary])),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json().as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn a_partners_graphql_operations_count_against_its_rate_limit() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let admin = app.platform_admin().await;
    let partner = app
        .partner(
            &admin,
            json!({
                "name": "Batching client",
                "organisation": "demo-xezer-mobil",
                "scopes": ["imei:read"],
                "rate_limit_per_minute": 5
            }),
        )
        .await;
    let operation = json!({ "query": "{ apiVersion }" });
    let batch = Value::Array(vec![operation; 8]);
    let reply = app
        .send(
            app.authed(Method::POST, "/graphql", &partner.token)
                .json(&batch),
        )
        .await;
    reply.problem(429, "rate_limited");
}

#[actix_web::test]
async fn protected_operations_refuse_anonymous_callers_before_reading_the_body() {
    let app = TestApp::start().await;
    for (path, body) in [
        ("/api/v1/organisations", r#"{"name":"x"}"#),
        ("/api/v1/organisations", "not json at all"),
        (
            "/api/v1/biometrics/identify",
            r#"{"probe": {"format": "float32", "data": "AAAA"}, "maxResults": 5}"#,
        ),
        ("/api/v1/biometrics/identify", "{"),
        ("/api/v1/research/publications", r#"{"title": 1}"#),
        ("/api/v1/datasets", "[]"),
        ("/api/v1/documents", "{}"),
    ] {
        let reply = app
            .send(
                app.client
                    .post(app.url(path))
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await;
        reply.problem(401, "unauthenticated");
    }
    // A token that does not verify is refused before the body as well.
    let reply = app
        .send(
            app.authed(Method::POST, "/api/v1/organisations", "not-a-token")
                .header("content-type", "application/json")
                .body("{"),
        )
        .await;
    reply.problem(401, "unauthenticated");
    // Operations anyone may call are not gated.
    let public = app.get("/api/v1/imei/public/490154203237518").await;
    assert_eq!(public.status, 200, "{}", public.body);
    let me = app.get("/api/v1/research/publications").await;
    assert_eq!(me.status, 200, "{}", me.body);
}

#[actix_web::test]
async fn with_a_files_origin_downloads_are_signed_links_to_it() {
    // The test server answers on 127.0.0.1; `localhost` is the same server under another
    // host name, as a second DNS name for the same servers would be.
    let app = TestApp::start_with(|config, base| {
        config.files_public_url = Some(base.replace("127.0.0.1", "localhost"));
    })
    .await;
    app.seed_demo().await;
    let editor = app
        .person("UZ", "Data editor", &[("stat-uz", Role::Editor)])
        .await;
    create(&app, &editor, dataset(json!({"private": true}))).await;
    let reply = upload(
        &app,
        &editor,
        "aholi-soni-2024",
        "page.html",
        "text/html",
        SCRIPTED_PAGE.into(),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let url = reply.json()["url"].as_str().unwrap().to_owned();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The policy still decides on the platform's host: an outsider gets no link.
    let anonymous = app.send(no_redirects.get(app.url(&url))).await;
    assert_eq!(anonymous.status, 404, "{}", anonymous.body);
    let redirected = app
        .send(
            no_redirects
                .get(app.url(&url))
                .bearer_auth(&editor.access_token),
        )
        .await;
    assert_eq!(redirected.status, 303, "{}", redirected.body);
    let link = header(&redirected, "location").to_owned();
    assert!(
        link.starts_with(&app.base.replace("127.0.0.1", "localhost")),
        "{link}"
    );
    // The link alone fetches the bytes on the files origin, still as a sandboxed attachment.
    let fetched = app.send(no_redirects.get(&link)).await;
    assert_eq!(fetched.status, 200, "{}", fetched.body);
    assert_eq!(fetched.body, SCRIPTED_PAGE);
    assert!(header(&fetched, "content-disposition").starts_with("attachment"));
    assert!(header(&fetched, "content-security-policy").contains("sandbox"));
    // Altered, or asked for on the platform's host, it is nothing.
    let altered = link.replace("/files/", "/files/x");
    assert_eq!(app.send(no_redirects.get(&altered)).await.status, 404);
    let on_platform = link.replace("localhost", "127.0.0.1");
    assert_eq!(app.send(no_redirects.get(&on_platform)).await.status, 404);
}
