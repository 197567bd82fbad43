//! Real OpenID Providers for the tests: panva/oidc-provider (npm), one process per country,
//! each with its own RSA key, on a loopback port. Never a hand-written token issuer.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

/// How long one start may take before it is tried again: a normal start takes 1 to 4 s on
/// two busy cores.
const START_WAIT: Duration = Duration::from_secs(40);
const START_ATTEMPTS: u32 = 3;

/// The silkbridge relying party registered at every test provider.
pub const CLIENT_ID: &str = "silkbridge";
pub const CLIENT_SECRET: &str = "test-only-secret-of-the-silkbridge-client";
/// A second client the tests use directly, to obtain real ID tokens for validator tests.
pub const TEST_CLIENT_ID: &str = "test-client";
pub const TEST_CLIENT_SECRET: &str = "test-client-secret-0123456789abcdef";
pub const TEST_CLIENT_REDIRECT: &str = "http://127.0.0.1/cb";

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// Installs oidc-provider from npm once per test run, if it is not there yet.
fn ensure_installed() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let dir = provider_dir();
        if dir.join("node_modules/oidc-provider").is_dir() {
            return;
        }
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("npm is needed for the federated-login tests (apt-get install npm)");
        assert!(status.success(), "npm ci failed in {}", dir.display());
    });
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One running provider.
pub struct OpenIdProvider {
    pub issuer: String,
    pub port: u16,
    national_id_claim: String,
    redirect_uris: String,
    child: Child,
}

impl OpenIdProvider {
    /// Starts a provider on `port` (0: a free port it picks itself, so parallel tests cannot
    /// collide) whose clients may redirect to `redirect_uris`.
    ///
    /// A start that has not announced itself within [`START_WAIT`] is killed, its diagnostics
    /// printed, and tried again: CI has seen one start in a few hundred hang (the process alive,
    /// silent) while the next start of the same provider takes a second.
    pub fn start(port: u16, redirect_uris: &str, national_id_claim: &str, key_id: &str) -> Self {
        ensure_installed();
        let mut failures = Vec::new();
        for attempt in 1..=START_ATTEMPTS {
            match Self::try_start(port, redirect_uris, national_id_claim, key_id) {
                Ok(provider) => return provider,
                Err(failure) => {
                    eprintln!("OpenID Provider start {attempt}/{START_ATTEMPTS} failed: {failure}");
                    failures.push(failure);
                }
            }
        }
        panic!("the OpenID Provider did not start: {failures:#?}");
    }

    fn try_start(
        port: u16,
        redirect_uris: &str,
        national_id_claim: &str,
        key_id: &str,
    ) -> Result<Self, String> {
        let stderr_file = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        let stderr = stderr_file.reopen().map_err(|e| e.to_string())?;
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .current_dir(provider_dir())
            .env("PORT", port.to_string())
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URIS", redirect_uris)
            .env("TEST_CLIENT_ID", TEST_CLIENT_ID)
            .env("TEST_CLIENT_SECRET", TEST_CLIENT_SECRET)
            .env("NATIONAL_ID_CLAIM", national_id_claim)
            .env("KEY_ID", key_id)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("node is needed for the federated-login tests");
        let stdout = child.stdout.take().unwrap();
        let (line_tx, line_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = line_tx.send(line);
            }
        });
        let started = Instant::now();
        let mut output = Vec::new();
        let failure = loop {
            let left = START_WAIT.saturating_sub(started.elapsed());
            match line_rx.recv_timeout(left) {
                Ok(line) => match line.strip_prefix("ready ").map(|p| p.trim().parse::<u16>()) {
                    Some(Ok(port)) => {
                        return Ok(Self {
                            issuer: format!("http://127.0.0.1:{port}"),
                            port,
                            national_id_claim: national_id_claim.to_owned(),
                            redirect_uris: redirect_uris.to_owned(),
                            child,
                        });
                    }
                    _ => output.push(line),
                },
                Err(RecvTimeoutError::Timeout) => {
                    break format!("silent for {} s", START_WAIT.as_secs());
                }
                Err(RecvTimeoutError::Disconnected) => break "closed its output".to_owned(),
            }
        };
        let status = child.try_wait().ok().flatten();
        let _ = child.kill();
        let _ = child.wait();
        let stderr = std::fs::read_to_string(stderr_file.path()).unwrap_or_default();
        Err(format!(
            "{failure}; exit status {status:?}; stdout {output:?}; stderr {stderr:?}"
        ))
    }

    /// Restarts the provider on the same address with a new signing key: a key rotation.
    pub fn rotate_key(&mut self, new_key_id: &str) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The port is free again once the process has gone.
        let replacement = Self::start(
            self.port,
            &self.redirect_uris,
            &self.national_id_claim,
            new_key_id,
        );
        *self = replacement;
    }

    /// Drives the provider's development login and consent forms for `login` in `client`,
    /// starting at `url` (an authorization request or silkbridge's login endpoint), and
    /// returns the first redirect that leaves the provider towards `stop_prefix`.
    pub async fn complete_login(
        &self,
        client: &reqwest::Client,
        url: &str,
        login: &str,
        stop_prefix: &str,
    ) -> String {
        let mut next = Request::Get(url.to_owned());
        for _ in 0..20 {
            let response = match &next {
                Request::Get(url) => client.get(url).send().await.unwrap(),
                Request::Post(url, form) => client.post(url).form(form).send().await.unwrap(),
            };
            if let Some(location) = response.headers().get("location") {
                let location = resolve(response.url(), location.to_str().unwrap());
                if location.starts_with(stop_prefix) {
                    return location;
                }
                next = Request::Get(location);
                continue;
            }
            let page = response.text().await.unwrap();
            let action = form_action(&page)
                .unwrap_or_else(|| panic!("no form on the provider's page: {page}"));
            next = if page.contains(r#"name="login""#) {
                Request::Post(
                    action,
                    vec![
                        ("prompt", "login".into()),
                        ("login", login.into()),
                        ("password", "any".into()),
                    ],
                )
            } else {
                Request::Post(action, vec![("prompt", "consent".into())])
            };
        }
        panic!("the login did not reach {stop_prefix}");
    }
}

impl Drop for OpenIdProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum Request {
    Get(String),
    Post(String, Vec<(&'static str, String)>),
}

fn resolve(base: &reqwest::Url, location: &str) -> String {
    base.join(location)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| location.to_owned())
}

fn form_action(page: &str) -> Option<String> {
    let start = page.find("<form")?;
    let rest = &page[start..];
    let action = rest.find("action=\"")? + "action=\"".len();
    let end = rest[action..].find('"')?;
    Some(rest[action..action + end].replace("&amp;", "&"))
}

/// A client that keeps cookies and does not follow redirects (the tests follow them).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A real ID token for the test client, with `nonce`, from a full authorization-code flow.
pub async fn real_id_token(provider: &OpenIdProvider, login: &str, nonce: &str) -> String {
    let verifier = "test-verifier-0123456789-0123456789-0123456789";
    use base64::Engine;
    use sha2::Digest;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let url = format!(
        "{}/auth?client_id={TEST_CLIENT_ID}&response_type=code&scope=openid%20profile&redirect_uri={}&state=s&nonce={nonce}&code_challenge={challenge}&code_challenge_method=S256",
        provider.issuer,
        url::form_urlencoded::byte_serialize(TEST_CLIENT_REDIRECT.as_bytes()).collect::<String>(),
    );
    let client = browser();
    let redirect = provider
        .complete_login(&client, &url, login, TEST_CLIENT_REDIRECT)
        .await;
    let code = reqwest::Url::parse(&redirect)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("no code in the redirect");
    let response: serde_json::Value = client
        .post(format!("{}/token", provider.issuer))
        .basic_auth(TEST_CLIENT_ID, Some(TEST_CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", TEST_CLIENT_REDIRECT),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    response["id_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no id_token: {response}"))
        .to_owned()
}
