//! The test harness: a running server over an isolated database.

use std::net::TcpListener;

use actix_web::HttpServer;
use serde_json::Value;
use silkbridge::app::app;
use silkbridge::config::Config;
use silkbridge::graphql::build_schema;
use silkbridge::identity::config::{ClaimMapping, ProviderConfig, Secret};
use silkbridge::state::AppState;
use silkbridge_schema::testing::TestDatabase;

use crate::oidc_support::{CLIENT_ID, CLIENT_SECRET, OpenIdProvider, browser};

/// Retries `attempt` for up to 10 s until it yields a value. For reads of the change log on
/// PostgreSQL, whose entries become readable once no older writing transaction is open
/// anywhere in the cluster (other tests may hold one for a moment). Call from blocking code.
pub fn eventually<T>(what: &str, mut attempt: impl FnMut() -> Option<T>) -> T {
    for _ in 0..400 {
        if let Some(value) = attempt() {
            return value;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    panic!("{what} did not happen within 10 s");
}

/// A person signed in through their provider.
pub struct SignedIn {
    pub user_id: String,
    pub access_token: String,
    pub refresh_token: String,
    /// What `/api/v1/me` said right after login.
    pub me: Value,
}

/// A partner client and an access token of it.
pub struct Partner {
    pub id: String,
    pub token: String,
}

/// A server for one test. Dropping it stops nothing explicitly: the test's runtime ends.
pub struct TestApp {
    pub base: String,
    /// The federation's providers, when started with `start_federated`.
    pub providers: Vec<crate::oidc_support::OpenIdProvider>,
    pub state: AppState,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub database: TestDatabase,
}

/// A response, read whole.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// Asserts an RFC 9457 body with the given status and code; returns it.
    pub fn problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "body: {}",
            self.body
        );
        let body = self.json();
        assert_eq!(body["code"], code, "body: {body}");
        assert_eq!(body["status"], status);
        assert_eq!(body["type"], format!("urn:silkbridge:problem:{code}"));
        assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
        let header_id = self
            .headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok());
        assert_eq!(
            body["request_id"].as_str(),
            header_id,
            "problem carries the request id"
        );
        body
    }
}

impl TestApp {
    /// Starts a server with the default test configuration.
    pub async fn start() -> Self {
        Self::start_with(|_, _| {}).await
    }

    /// `start` after `adjust` has changed the configuration.
    pub async fn start_with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start_with(|config, _| adjust(config)).await
    }

    /// Starts a server with a real OpenID Provider for each country (UZ gives `pinfl`,
    /// AZ gives `fin`).
    pub async fn start_federated() -> Self {
        Self::start_federated_with(|_| {}).await
    }

    /// `start_federated` after `adjust` has changed the configuration.
    pub async fn start_federated_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let mut providers = Vec::new();
        let app = Self::start_with(|config, base| {
            adjust(config);
            for (country, claim) in [("UZ", "pinfl"), ("AZ", "fin")] {
                let redirect = format!("{base}/auth/{country}/callback");
                let provider =
                    OpenIdProvider::start(0, &redirect, claim, &format!("{country}-key-1"));
                config.identity.providers.push(ProviderConfig {
                    country: country.into(),
                    issuer: provider.issuer.clone(),
                    client_id: CLIENT_ID.into(),
                    client_secret: Some(Secret(CLIENT_SECRET.into())),
                    client_secret_file: None,
                    scopes: vec![
                        "openid".into(),
                        "profile".into(),
                        "email".into(),
                        "national_id".into(),
                    ],
                    claims: ClaimMapping {
                        person_id: Some(claim.into()),
                        ..ClaimMapping::default()
                    },
                });
                providers.push(provider);
            }
        })
        .await;
        Self { providers, ..app }
    }

    /// The provider of `country` ("UZ" or "AZ") of a federated app.
    pub fn provider(&self, country: &str) -> &OpenIdProvider {
        let index = if country == "UZ" { 0 } else { 1 };
        &self.providers[index]
    }

    pub fn provider_mut(&mut self, country: &str) -> &mut OpenIdProvider {
        let index = if country == "UZ" { 0 } else { 1 };
        &mut self.providers[index]
    }

    /// Runs a person's whole login through their country's provider in a fresh browser and
    /// returns it signed in, with the tokens from a first refresh.
    pub async fn login(&self, country: &str, login: &str) -> SignedIn {
        let browser = browser();
        let start = self.url(&format!("/auth/{country}/login?return_to=/api/v1/me"));
        let callback = self
            .provider(country)
            .complete_login(
                &browser,
                &start,
                login,
                &self.url(&format!("/auth/{country}/callback")),
            )
            .await;
        let done = browser.get(&callback).send().await.unwrap();
        assert_eq!(
            done.status().as_u16(),
            303,
            "callback: {}",
            done.text().await.unwrap()
        );
        assert_eq!(done.headers()["location"], "/api/v1/me");
        let me: Value = browser
            .get(self.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tokens: Value = browser
            .post(self.url("/auth/refresh"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        SignedIn {
            user_id: me["id"]
                .as_str()
                .unwrap_or_else(|| panic!("me: {me}"))
                .to_owned(),
            access_token: tokens["access_token"]
                .as_str()
                .unwrap_or_else(|| panic!("tokens: {tokens}"))
                .to_owned(),
            refresh_token: tokens["refresh_token"].as_str().unwrap().to_owned(),
            me,
        }
    }

    /// Registers a partner client as `admin` (`body`: name, scopes, organisation…) and gets
    /// it a token through the OAuth2 token endpoint.
    pub async fn partner(&self, admin: &SignedIn, body: Value) -> Partner {
        let created = self
            .send(
                self.authed(
                    reqwest::Method::POST,
                    "/api/v1/partners",
                    &admin.access_token,
                )
                .json(&body),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        let created = created.json();
        let token = self
            .send(
                self.client
                    .post(self.url("/oauth/token"))
                    .basic_auth(
                        created["partner"]["client_id"].as_str().unwrap(),
                        created["client_secret"].as_str(),
                    )
                    .form(&[("grant_type", "client_credentials")]),
            )
            .await;
        assert_eq!(token.status, 200, "{}", token.body);
        Partner {
            id: created["partner"]["id"].as_str().unwrap().to_owned(),
            token: token.json()["access_token"].as_str().unwrap().to_owned(),
        }
    }

    /// A person signed in without a login flow (crates.io's `db_new_user`): the user, their
    /// memberships (organisation slug and role) and a session are written straight into the
    /// database and an access token is minted for the session. Real OpenID Connect logins are
    /// for the identity tests; every other test starts here.
    pub async fn person(
        &self,
        country: &str,
        name: &str,
        memberships: &[(&str, silkbridge::identity::domain::Role)],
    ) -> SignedIn {
        use diesel::prelude::*;
        use silkbridge::identity::domain::Country;
        use silkbridge::identity::input::NewUserInput;
        use silkbridge::identity::rules::{add_membership, create_user};
        use silkbridge::identity::tokens::{TokenSubject, hash_secret, random_token};
        use silkbridge_schema::tables::{refresh_tokens, sessions};

        let state = self.state.clone();
        let name = name.to_owned();
        let country = if country == "UZ" {
            Country::Uz
        } else {
            Country::Az
        };
        let memberships: Vec<(String, silkbridge::identity::domain::Role)> = memberships
            .iter()
            .map(|(slug, role)| ((*slug).to_owned(), *role))
            .collect();
        let (user_id, access_token, refresh_token) = tokio::task::spawn_blocking(move || {
            let mut conn = state.db.connection().unwrap();
            let user = create_user(
                &mut conn,
                NewUserInput {
                    display_name: name,
                    email: None,
                    country: Some(country),
                    is_platform_admin: false,
                },
            )
            .unwrap();
            for (slug, role) in &memberships {
                add_membership(&mut conn, slug, &user.id, *role).unwrap();
            }
            let now = silkbridge_schema::ids::now();
            let session_id = silkbridge_schema::ids::new_id();
            diesel::insert_into(sessions::table)
                .values((
                    sessions::id.eq(&session_id),
                    sessions::user_id.eq(&user.id),
                    sessions::created_at.eq(now),
                    sessions::last_refreshed_at.eq(now),
                ))
                .execute(&mut conn)
                .unwrap();
            let refresh = random_token().unwrap();
            diesel::insert_into(refresh_tokens::table)
                .values((
                    refresh_tokens::token_hash.eq(hash_secret(&refresh)),
                    refresh_tokens::session_id.eq(&session_id),
                    refresh_tokens::expires_at.eq(now + chrono::Duration::days(1)),
                    refresh_tokens::created_at.eq(now),
                ))
                .execute(&mut conn)
                .unwrap();
            let keys = &state.identity.keys;
            let mut claims = keys.claims(TokenSubject::User, &user.id, 3600);
            claims.sid = Some(session_id);
            (user.id, keys.sign(&claims).unwrap(), refresh)
        })
        .await
        .unwrap();
        let me = self
            .send(self.authed(reqwest::Method::GET, "/api/v1/me", &access_token))
            .await;
        assert_eq!(me.status, 200, "{}", me.body);
        SignedIn {
            user_id,
            access_token,
            refresh_token,
            me: me.json(),
        }
    }

    /// A platform administrator, signed in without a login flow.
    pub async fn platform_admin(&self) -> SignedIn {
        let admin = self.person("UZ", "Platform administrator", &[]).await;
        self.make_platform_admin(&admin.user_id).await;
        admin
    }

    /// Makes a user a platform administrator (test set-up, straight in the database).
    pub async fn make_platform_admin(&self, user_id: &str) {
        let db = self.state.db.clone();
        let user_id = user_id.to_owned();
        tokio::task::spawn_blocking(move || {
            use diesel::prelude::*;
            use silkbridge_schema::tables::users;
            let mut conn = db.connection().unwrap();
            diesel::update(users::table.find(user_id))
                .set(users::is_platform_admin.eq(true))
                .execute(&mut conn)
                .unwrap();
        })
        .await
        .unwrap();
    }

    /// A request with a bearer token.
    pub fn authed(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    /// A second node on this server's database, with this server's keys (as every node of a
    /// cluster shares them; the key ledger refuses a node with keys of its own) and a folder
    /// of its own for everything else.
    pub async fn second_node(&self) -> Self {
        self.node(false).await
    }

    /// Another node of this server's cluster, as behind one load balancer: the second node's
    /// setup and this server's public URL, so tokens issued by one node are good on all.
    pub async fn cluster_node(&self) -> Self {
        self.node(true).await
    }

    async fn node(&self, same_public_url: bool) -> Self {
        let first = self.state.config.clone();
        let url = self.database.url().to_owned();
        Self::start_with(move |config, _| {
            if same_public_url {
                config.public_url = first.public_url.clone();
            }
            config.database_url = Some(url);
            config.identity.signing_key_file = Some(first.signing_key_file());
            config.documents.key_file = Some(first.document_key_file());
            config.biometrics.key_file = Some(first.biometric_key_file());
            config.imei.contact_key_file = Some(first.imei_contact_key_file());
        })
        .await
    }

    /// Starts a server after `adjust` has changed the configuration; `adjust` also gets the
    /// server's base URL (the port is bound first).
    pub async fn start_with(adjust: impl FnOnce(&mut Config, &str)) -> Self {
        let database = TestDatabase::new();
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config::for_tests(dir.path(), database.url());
        config.public_url = base.clone();
        adjust(&mut config, &base);
        let state = tokio::task::spawn_blocking(move || AppState::open(config))
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("cannot open app state: {e:#}"));
        let schema = build_schema(state.clone());
        let server_state = state.clone();
        let server = HttpServer::new(move || app(server_state.clone(), schema.clone()))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run();
        actix_web::rt::spawn(server);
        Self {
            base,
            providers: Vec::new(),
            state,
            client: reqwest::Client::new(),
            dir,
            database,
        }
    }

    /// Loads the demo data, and lets the IMEI status cache follow it as the server's task
    /// does (search indexing is `reindex`).
    pub async fn seed_demo(&self) -> silkbridge::seed::SeedSummary {
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || {
            let summary = silkbridge::seed::demo(&state.db).unwrap();
            let mut conn = state.db.connection().unwrap();
            // On PostgreSQL an entry is readable once no older transaction is open anywhere
            // in the cluster (see change_log), so follow until the demo lists have arrived.
            eventually("the IMEI cache follows the demo data", || {
                state.imei.cache.follow(&mut conn).unwrap();
                let (listed, tacs) = state.imei.cache.sizes();
                (listed >= 5 && tacs >= 10).then_some(())
            });
            summary
        })
        .await
        .unwrap()
    }

    /// `GET path` after bringing the index up to date, again until the answer contains
    /// `expected` (10 s at most): on PostgreSQL a committed change reaches the index once no
    /// older transaction is still running, which under load can take a moment.
    pub async fn search_until(&self, path: &str, expected: &str) -> Reply {
        for _ in 0..400 {
            self.reindex().await;
            let reply = self.get(path).await;
            if reply.body.contains(expected) {
                return reply;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("{path} did not come to contain {expected} within 10 s");
    }

    /// Brings the search index up to date with the database, as the server's indexer does.
    pub async fn reindex(&self) {
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || {
            if state.index.commit_state().unwrap().position.is_none() {
                silkbridge::search::rebuild(&state.db, &state.index, 500, &mut |_| {
                    std::ops::ControlFlow::Continue(())
                })
                .unwrap();
            }
            let mut conn = state.db.connection().unwrap();
            silkbridge::search::apply_pending(&mut conn, &state.index).unwrap();
        })
        .await
        .unwrap();
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Reply {
        Self::read(self.client.get(self.url(path)).send().await.unwrap()).await
    }

    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        Self::read(request.send().await.unwrap()).await
    }

    /// Runs a GraphQL query; returns the whole response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Reply {
        let body = serde_json::json!({ "query": query, "variables": variables });
        self.send(self.client.post(self.url("/graphql")).json(&body))
            .await
    }

    async fn read(response: reqwest::Response) -> Reply {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap();
        Reply {
            status,
            headers,
            body,
        }
    }
}
