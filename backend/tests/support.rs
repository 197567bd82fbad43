//! The test harness: a running server over an isolated database.

use std::net::TcpListener;

use actix_web::HttpServer;
use serde_json::Value;
use silkbridge::app::app;
use silkbridge::config::Config;
use silkbridge::graphql::build_schema;
use silkbridge::state::AppState;
use silkbridge_schema::testing::TestDatabase;

/// A server for one test. Dropping it stops nothing explicitly: the test's runtime ends.
pub struct TestApp {
    pub base: String,
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
        Self::start_with(|_| {}).await
    }

    /// Starts a server after `adjust` has changed the configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let database = TestDatabase::new();
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(dir.path(), database.url());
        adjust(&mut config);
        let state = tokio::task::spawn_blocking(move || AppState::open(config))
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("cannot open app state: {e:#}"));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
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
            state,
            client: reqwest::Client::new(),
            dir,
            database,
        }
    }

    /// Loads the demo data and indexes it.
    pub async fn seed_demo(&self) -> silkbridge::seed::SeedSummary {
        let db = self.state.db.clone();
        tokio::task::spawn_blocking(move || silkbridge::seed::demo(&db))
            .await
            .unwrap()
            .unwrap()
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
