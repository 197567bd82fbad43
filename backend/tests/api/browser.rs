//! Browser-facing pages, driven by a real headless Chromium (Debian's `chromium`).
//! Without Chromium the test is skipped with a notice, unless SILKBRIDGE_TEST_REQUIRE_BROWSER is
//! set (as `.ci/run` does after installing it), in which case a missing browser fails.

use std::path::PathBuf;
use std::process::Command;

use crate::support::TestApp;

pub fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Headless Chromium as tests run it: no sandbox (containers), no GPU, nothing fetched from
/// the network but the page.
const HEADLESS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Loads `url`, lets its scripts run, and returns the resulting DOM.
pub fn rendered_dom(browser: &PathBuf, url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args(HEADLESS)
        .args(["--virtual-time-budget=10000", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Loads `url` for at most `limit` and returns the DOM it rendered, or `None` when no page
/// committed by then (a download never becomes a page: headless Chromium then waits for ever).
pub fn rendered_dom_within(
    browser: &PathBuf,
    url: &str,
    limit: std::time::Duration,
) -> Option<String> {
    use std::io::Read;
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args(HEADLESS)
        .args(["--timeout=3000", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut dom = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut dom)
                .unwrap();
            assert!(status.success(), "chromium failed on {url}");
            return Some(dom);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[actix_web::test]
async fn the_graphql_playground_runs_a_query_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("SILKBRIDGE_TEST_REQUIRE_BROWSER").is_none(),
            "SILKBRIDGE_TEST_REQUIRE_BROWSER is set but no Chromium is installed (apt-get install chromium)"
        );
        eprintln!("skipped: no Chromium installed (apt-get install chromium)");
        return;
    };
    let app = TestApp::start().await;
    app.seed_demo().await;
    let query = r#"{ organisation(slug: "azstat") { name country } }"#;
    let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    let url = app.url(&format!("/graphql?run=1&query={encoded}"));
    let dom = tokio::task::spawn_blocking(move || rendered_dom(&browser, &url))
        .await
        .unwrap();
    assert!(
        dom.contains("HTTP 200"),
        "the page reports the status: {dom}"
    );
    assert!(
        dom.contains("State Statistical Committee of the Republic of Azerbaijan"),
        "the page shows the result: {dom}"
    );
    assert!(dom.contains("\"country\": \"AZ\""), "{dom}");
}
