//! The portal in a real browser: headless Chromium driven over WebDriver (Debian's
//! `chromium` and `chromium-driver`, the same version). axe-core (npm, `backend/tests/a11y`)
//! checks every page type in every locale against WCAG 2.2 AA; a visitor searches in both
//! scripts, filters, switches language, opens a publication and downloads its BibTeX, with
//! JavaScript on and off; a screenshot of each page type is kept under `target/screenshots/`.
//! Without the browser the test is skipped with a notice, unless
//! SILKBRIDGE_TEST_REQUIRE_BROWSER is set (as `.ci/run` does).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::cast::cast;
use crate::support::TestApp;

const LOCALES: [&str; 5] = ["uz", "uz-Cyrl", "az", "ru", "en"];

/// A chromedriver process, stopped when dropped.
pub(super) struct Driver(Child, u16);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(super) fn tools() -> Option<(PathBuf, PathBuf, PathBuf)> {
    let chromium = super::browser::chromium()?;
    let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())?;
    let axe =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/a11y/node_modules/axe-core/axe.min.js");
    axe.is_file().then_some((chromium, driver, axe))
}

pub(super) fn start_driver(driver: &Path) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    crate::support::eventually("chromedriver listening", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).ok()
    });
    Driver(child, port)
}

pub(super) async fn browser(driver: &Driver, chromium: &Path, javascript: bool) -> Client {
    let mut prefs = json!({});
    if !javascript {
        prefs = json!({"profile.managed_default_content_settings.javascript": 2});
    }
    let options = json!({
        "binary": chromium,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1366,900", "--lang=en"],
        "prefs": prefs,
    });
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    ClientBuilder::rustls()
        .expect("rustls")
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.1))
        .await
        .expect("a WebDriver session")
}

/// Runs axe on the current page; the violations, one line each.
pub(super) async fn violations(client: &Client, axe: &str) -> Vec<String> {
    client.execute(axe, vec![]).await.expect("axe loads");
    let found = client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, {runOnly: {type: 'tag',
                   values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})
                 .then(r => done(r.violations.map(v => v.id + ': ' +
                     v.nodes.map(n => n.target.join(' ')).join(' | '))))
                 .catch(e => done(['axe failed: ' + e]));"#,
            vec![],
        )
        .await
        .expect("axe runs");
    serde_json::from_value(found).unwrap_or_default()
}

pub(super) fn screenshots() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let dir = PathBuf::from(target).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(super) async fn text(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Searches through the form, filters by a facet, switches language, opens a publication and
/// fetches its BibTeX: what a visitor does, JavaScript or not.
async fn visit(client: &Client, app: &TestApp) {
    client.goto(&app.url("/en/search")).await.unwrap();
    let counts = [
        search(client, "hududlar").await,
        search(client, "ҳудудлар").await,
    ];
    assert_eq!(counts[0], counts[1], "both scripts find the same");
    assert_ne!(counts[0], "0 results");
    assert_ne!(search(client, "statistika").await, "0 results");
    click_through(client, "aside a[href*='kind=organisation']").await;
    assert!(
        client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("kind=organisation")
    );
    click_through(client, "nav.languages a[hreflang='ru']").await;
    let url = client.current_url().await.unwrap();
    assert!(url.path().starts_with("/ru/search"), "{url}");
    assert!(
        url.as_str().contains("kind=organisation"),
        "the page is kept: {url}"
    );
    assert_eq!(text(client, "h1").await, "Поиск");
    client
        .goto(&app.url("/en/search?q=report&kind=publication"))
        .await
        .unwrap();
    click_through(client, "ol.hits a").await;
    let bibtex = client
        .find(Locator::Css("a[href$='format=bibtex']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    // The browser hands a BibTeX file to its downloads; fetch what the link gives.
    let entry = app.get(&bibtex).await;
    assert_eq!(entry.status, 200);
    assert!(entry.body.trim_start().starts_with('@'), "{}", entry.body);
}

/// Follows a link or submits a form by clicking `css`, and waits for the next page.
pub(super) async fn click_through(client: &Client, css: &str) {
    let before = client.current_url().await.unwrap();
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
    for _ in 0..100 {
        if client.current_url().await.unwrap() != before {
            // The new document is the current one once its body can be found.
            client
                .wait()
                .for_element(Locator::Css("body"))
                .await
                .unwrap();
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("clicking {css} on {before} led nowhere");
}

async fn search(client: &Client, words: &str) -> String {
    let input = client.find(Locator::Css("input#q")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(words).await.unwrap();
    click_through(client, "form.search button").await;
    text(client, "[role=status]").await
}

#[actix_web::test]
async fn every_page_type_in_every_locale_passes_axe_and_works_without_javascript() {
    let Some((chromium, driver, axe)) = tools() else {
        assert!(
            std::env::var_os("SILKBRIDGE_TEST_REQUIRE_BROWSER").is_none(),
            "SILKBRIDGE_TEST_REQUIRE_BROWSER is set but chromium, chromedriver or axe-core \
             (npm ci --prefix backend/tests/a11y) is missing"
        );
        eprintln!("skipped: chromium, chromedriver or axe-core not installed");
        return;
    };
    let axe = std::fs::read_to_string(axe).unwrap();
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let publication = app
        .send(
            app.authed(
                reqwest::Method::POST,
                "/api/v1/research/publications",
                &cast.uz.access_token,
            )
            .json(&super::research::publication(
                json!({"title": "Hududlar report"}),
            )),
        )
        .await
        .json();
    // The demo's tables: previews, and a chart of the numeric columns.
    silkbridge::datasets::demo::seed(&app.state.db, app.state.objects.clone())
        .await
        .unwrap();
    let withdrawn = app
        .send(
            app.authed(
                reqwest::Method::POST,
                "/api/v1/research/publications",
                &cast.uz.access_token,
            )
            .json(&super::research::publication(json!({"doi": null}))),
        )
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.send(app.authed(
        reqwest::Method::DELETE,
        &format!("/api/v1/research/publications/{withdrawn}"),
        &cast.uz.access_token,
    ))
    .await;
    let listing = app.get("/api/v1/marketplace/listings?limit=1").await.json()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.reindex().await;
    let pages: Vec<(&str, String)> = vec![
        ("home", "/".into()),
        ("search", "/search?q=statistika".into()),
        (
            "publication",
            format!("/publications/{}", publication["id"].as_str().unwrap()),
        ),
        (
            "dataset",
            "/datasets/data-portals-uzbekistan-azerbaijan".into(),
        ),
        ("organisation", "/organisations/stat-uz".into()),
        ("imei", "/imei?imei=490154203237518".into()),
        ("marketplace", "/marketplace?kind=service".into()),
        ("listing", format!("/marketplace/{listing}")),
        ("not-found", "/publications/no-such-publication".into()),
        ("no-route", "/no/such/page".into()),
        ("withdrawn", format!("/publications/{withdrawn}")),
    ];
    let driver = start_driver(&driver);
    let client = browser(&driver, &chromium, true).await;
    // The harness can fail: an image without a text alternative is found.
    client.goto(&app.url("/en/")).await.unwrap();
    client
        .execute(
            "document.querySelector('main').appendChild(document.createElement('img'));",
            vec![],
        )
        .await
        .unwrap();
    let planted = violations(&client, &axe).await;
    assert!(
        planted.iter().any(|v| v.starts_with("image-alt")),
        "axe did not run: {planted:?}"
    );
    let shots = screenshots();
    let mut failures: Vec<String> = Vec::new();
    for locale in LOCALES {
        for (kind, path) in &pages {
            client
                .goto(&app.url(&format!("/{locale}{path}")))
                .await
                .unwrap();
            for violation in violations(&client, &axe).await {
                failures.push(format!("/{locale}{path}: {violation}"));
            }
            if locale == "uz" {
                let png = client.screenshot().await.unwrap();
                std::fs::write(shots.join(format!("portal-{kind}.png")), png).unwrap();
            }
        }
    }
    assert!(failures.is_empty(), "axe found:\n{}", failures.join("\n"));
    visit(&client, &app).await;
    client.close().await.unwrap();
    let without_script = browser(&driver, &chromium, false).await;
    visit(&without_script, &app).await;
    without_script.close().await.unwrap();
}
