//! Keys are never silently replaced: once a server has started, a lost key file, a file
//! holding another key, or a second node with keys of its own is refused at start with one
//! error naming the key, its file and what depends on it — never answered by creating a new
//! key. A rotation (the old key among the previous ones) moves the record on.
//! `silkbridge keys status` shows all of it without creating anything.

use std::path::{Path, PathBuf};
use std::process::Command;

use silkbridge::config::Config;
use silkbridge::state::AppState;

use crate::support::TestApp;

async fn open(config: Config) -> Result<AppState, String> {
    tokio::task::spawn_blocking(move || AppState::open(config))
        .await
        .unwrap()
        .map_err(|e| format!("{e:#}"))
}

/// A node's configuration on the app's database with the keys of `dir` (and an index of its
/// own, so it never waits on the running server's index writer).
fn config_of(app: &TestApp, dir: &Path) -> Config {
    let mut config = Config::for_tests(dir, app.database.url());
    config.public_url = app.state.config.public_url.clone();
    config.index_dir = Some(dir.join(format!("index-{}", silkbridge_schema::ids::new_id())));
    config
}

fn keys_status(app: &TestApp, dir: &Path) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_silkbridge"))
        .args([
            "--data-dir",
            dir.to_str().unwrap(),
            "--database-url",
            app.database.url(),
        ])
        .args(["keys", "status"])
        .env_remove("SILKBRIDGE_CONFIG")
        .output()
        .unwrap();
    (
        output.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

/// Every key file of a data folder, with the key's name in the ledger.
fn key_files(config: &Config) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("token-signing", config.signing_key_file()),
        ("document-sealing", config.document_key_file()),
        ("biometric-templates", config.biometric_key_file()),
        ("imei-contacts", config.imei_contact_key_file()),
    ]
}

#[actix_web::test]
async fn a_lost_or_foreign_key_stops_the_start_and_names_what_depends_on_it() {
    let app = TestApp::start().await;
    let dir = app.dir.path().to_owned();
    let config = config_of(&app, &dir);
    let (healthy, shown) = keys_status(&app, &dir);
    assert!(healthy, "{shown}");
    assert_eq!(shown.matches(": ok").count(), 4, "{shown}");

    for (name, file) in key_files(&config) {
        let original = std::fs::read(&file).unwrap();
        // Lost: refused, and no new key file appears.
        std::fs::remove_file(&file).unwrap();
        let refused = open(config.clone())
            .await
            .err()
            .unwrap_or_else(|| panic!("{name}: started without its key"));
        assert!(
            refused.contains(&format!("the {name} key is missing")),
            "{refused}"
        );
        assert!(refused.contains(&file.display().to_string()), "{refused}");
        assert!(!file.exists(), "{name}: no new key was created");
        let (healthy, shown) = keys_status(&app, &dir);
        assert!(!healthy && shown.contains("present: MISSING"), "{shown}");
        // Another key in its place: refused too.
        let other = tempfile::tempdir().unwrap();
        let mut elsewhere = Config::for_tests(other.path(), "sqlite://unused.db");
        elsewhere.public_url = config.public_url.clone();
        let foreign = key_files(&elsewhere)
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1;
        match name {
            "token-signing" => {
                silkbridge::identity::tokens::TokenKeys::load_or_create(&foreign, "http://x")
                    .unwrap();
            }
            _ => silkbridge::sealing::create_key_file(&foreign).unwrap(),
        }
        std::fs::copy(&foreign, &file).unwrap();
        let refused = open(config.clone())
            .await
            .err()
            .unwrap_or_else(|| panic!("{name}: started with another key"));
        assert!(
            refused.contains("is another key than the data's"),
            "{refused}"
        );
        // The right key back: starts.
        std::fs::write(&file, &original).unwrap();
        open(config.clone())
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }

    // A second node with keys of its own (a fresh folder) may not join: the first refusal
    // names the key the data depends on.
    let second = tempfile::tempdir().unwrap();
    let refused = open(config_of(&app, second.path()))
        .await
        .err()
        .expect("a node with other keys started");
    assert!(
        refused.contains("the token-signing key is missing"),
        "{refused}"
    );
    // With the first node's keys copied, it starts.
    super::cli::copy_folder(&dir.join("keys"), &second.path().join("keys"));
    open(config_of(&app, second.path())).await.unwrap();
}

#[actix_web::test]
async fn a_rotated_key_moves_the_record_on_and_the_old_one_alone_is_then_refused() {
    let app = TestApp::start().await;
    let dir = app.dir.path().to_owned();
    let config = config_of(&app, &dir);
    let old_key = config.biometric_key_file();
    let new_key = old_key.with_file_name("biometric-templates-2027.key");
    silkbridge::sealing::create_key_file(&new_key).unwrap();
    let mut rotated = config.clone();
    rotated.biometrics.key_file = Some(new_key.clone());
    rotated.biometrics.previous_key_files = vec![old_key.clone()];
    open(rotated.clone()).await.unwrap();
    // The ledger now knows the new key: the old one alone is another key.
    let refused = open(config.clone())
        .await
        .err()
        .expect("started with the retired key");
    assert!(refused.contains("the biometric-templates key"), "{refused}");
    open(rotated).await.unwrap();
}
