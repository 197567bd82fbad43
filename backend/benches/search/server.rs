//! silkbridge served in this process on a loopback port (the same app the binary serves),
//! queried over HTTP, and loaded with `wrk` when it is installed.

use std::net::TcpListener;
use std::path::Path;

use silkbridge::config::Config;

use crate::queries::{BenchQuery, QUERIES};

pub struct Server {
    pub base: String,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

/// What `wrk` reported.
#[derive(Debug, Clone)]
pub struct LoadFigures {
    pub seconds: u64,
    pub connections: u32,
    pub requests_per_sec: f64,
    pub p50: String,
    pub p99: String,
    pub errors: u64,
}

pub fn start(config: &Config) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = config.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let state = silkbridge::state::AppState::open(config).unwrap();
            let schema = silkbridge::graphql::build_schema(state.clone());
            let server = actix_web::HttpServer::new(move || {
                silkbridge::app::app(state.clone(), schema.clone())
            })
            .workers(2)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run();
            ready_tx.send(()).unwrap();
            server.await.unwrap();
        })
    });
    ready_rx.recv().unwrap();
    Server {
        base,
        runtime: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        // Shorter than the server's keep-alive (5 s), so a connection idle while the peers
        // are measured is never reused after the server closed it.
        client: reqwest::Client::builder()
            .pool_idle_timeout(std::time::Duration::from_secs(1))
            .build()
            .unwrap(),
    }
}

impl Server {
    /// One search over HTTP, JSON parsed; returns the number of hits.
    pub fn query(&self, query: &BenchQuery) -> usize {
        let url = format!("{}{}", self.base, query.path());
        self.runtime.block_on(async {
            let response = self.client.get(&url).send().await.unwrap();
            assert!(
                response.status().is_success(),
                "{url}: {}",
                response.status()
            );
            let body: serde_json::Value = response.json().await.unwrap();
            body["items"].as_array().map_or(0, Vec::len)
        })
    }

    /// A GET's body, for endpoints that are not JSON (OAI-PMH).
    pub fn get_text(&self, path: &str) -> String {
        let url = format!("{}{path}", self.base);
        self.runtime.block_on(async {
            let response = self.client.get(&url).send().await.unwrap();
            assert!(
                response.status().is_success(),
                "{url}: {}",
                response.status()
            );
            response.text().await.unwrap()
        })
    }

    /// `wrk` over the query set for `seconds`; `None` if wrk is not installed.
    pub fn wrk(&self, seconds: u64, dir: &Path) -> Option<LoadFigures> {
        let paths: Vec<String> = QUERIES.iter().map(BenchQuery::path).collect();
        self.wrk_paths(seconds, dir, &paths)
    }

    /// `wrk` over `paths` in turn for `seconds`; `None` if wrk is not installed.
    pub fn wrk_paths(&self, seconds: u64, dir: &Path, paths: &[String]) -> Option<LoadFigures> {
        let paths: Vec<String> = paths.iter().map(|p| format!("  {p:?},")).collect();
        let script = format!(
            "local paths = {{\n{}\n}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n",
            paths.join("\n")
        );
        let script_path = dir.join("queries.lua");
        std::fs::write(&script_path, script).unwrap();
        let connections = 16;
        let output = std::process::Command::new("wrk")
            .args([
                "-t2",
                &format!("-c{connections}"),
                &format!("-d{seconds}s"),
                "--latency",
                "-s",
            ])
            .arg(&script_path)
            .arg(&self.base)
            .output();
        let output = match output {
            Ok(output) if output.status.success() => output,
            _ => {
                eprintln!("wrk is not installed (apt-get install wrk): load test skipped");
                return None;
            }
        };
        let text = String::from_utf8_lossy(&output.stdout).to_string();
        eprintln!("{text}");
        let field = |prefix: &str| {
            text.lines()
                .map(str::trim)
                .find(|l| l.starts_with(prefix))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("?")
                .to_owned()
        };
        let errors: u64 = text
            .lines()
            .filter(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
            .flat_map(|l| {
                l.split(|c: char| !c.is_ascii_digit())
                    .filter_map(|n| n.parse::<u64>().ok())
            })
            .sum();
        Some(LoadFigures {
            seconds,
            connections,
            requests_per_sec: field("Requests/sec:").parse().unwrap_or(f64::NAN),
            p50: field("50%"),
            p99: field("99%"),
            errors,
        })
    }
}
