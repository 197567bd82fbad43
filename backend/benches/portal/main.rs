//! The portal benchmark: the HTML pages people load beside the JSON endpoints that answer the
//! same question, in the same run, on the real corpus (~108k publications) in SQLite.
//!
//! ```sh
//! cargo bench -p silkbridge --bench portal                 # the real records (~108k)
//! cargo bench -p silkbridge --bench portal -- --docs 20000 --reps 50 --wrk-secs 5 --no-write
//! ```
//! Options: `--docs N`, `--reps N` (passes over each page set, default 20), `--wrk-secs N`
//! (default 15 per endpoint; 0 skips the load test), `--dir DIR`, `--no-write` (do not update
//! `docs/performance.md`). Pairs: the landing page against the JSON list it is built on
//! (latest publications); the search page against `GET /api/v1/search` for the same query;
//! a publication's page against its JSON. Page weight: the search page's HTML and stylesheet
//! as sent to a browser that accepts gzip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/sections.rs"]
mod sections;

#[allow(dead_code)]
#[path = "../search/corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "../search/figures.rs"]
mod figures;
#[allow(dead_code)]
#[path = "../search/queries.rs"]
mod queries;
#[allow(dead_code)]
#[path = "../search/server.rs"]
mod server;
#[allow(dead_code)]
#[path = "../search/silkbridge_engine.rs"]
mod silkbridge_engine;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use figures::Latency;
use queries::QUERIES;
use server::{LoadFigures, Server};

struct Options {
    docs: Option<usize>,
    reps: usize,
    wrk_secs: u64,
    dir: Option<PathBuf>,
    write: bool,
}

fn options() -> Options {
    let mut options = Options {
        docs: None,
        reps: 20,
        wrk_secs: 15,
        dir: None,
        write: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--docs" => options.docs = Some(value().parse().expect("--docs N")),
            "--reps" => options.reps = value().parse().expect("--reps N"),
            "--wrk-secs" => options.wrk_secs = value().parse().expect("--wrk-secs N"),
            "--dir" => options.dir = Some(PathBuf::from(value())),
            "--no-write" => options.write = false,
            _ => {} // `cargo bench` adds `--bench`.
        }
    }
    options
}

/// The portal's search path for a benchmark query (same words and filters as the JSON one).
fn html_search(query: &queries::BenchQuery) -> String {
    query
        .path()
        .replacen("/api/v1/search?limit=20&", "/uz/search?", 1)
}

/// Times `reps` passes over `paths` (each labelled), after one warm-up pass.
fn time_paths(server: &Server, reps: usize, paths: &[(&'static str, String)]) -> Latency {
    for (_, path) in paths {
        server.get_text(path);
    }
    let mut samples = Vec::with_capacity(reps * paths.len());
    for _ in 0..reps {
        for (label, path) in paths {
            let started = Instant::now();
            server.get_text(path);
            samples.push((*label, started.elapsed()));
        }
    }
    Latency::of("", samples)
}

/// Bytes of a response as a browser accepting gzip receives them.
fn gzip_bytes(base: &str, path: &str) -> (usize, bool) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(format!("{base}{path}"))
            .header("accept-encoding", "gzip")
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        let compressed = response
            .headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip");
        (response.bytes().await.unwrap().len(), compressed)
    })
}

struct Pair {
    name: &'static str,
    html: Latency,
    json: Latency,
}

fn main() {
    let options = options();
    let corpus =
        corpus::Corpus::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/corpus"));
    let docs = options.docs.unwrap_or(corpus.real()).min(corpus.real());
    let temp = tempfile::Builder::new()
        .prefix("silkbridge-portal-bench-")
        .tempdir_in(options.dir.clone().unwrap_or_else(std::env::temp_dir))
        .unwrap();
    let dir = temp.path().join("silkbridge");
    eprintln!("loading {docs} real publications (set-up, not measured)…");
    silkbridge_engine::load(&dir, &corpus, docs);
    drop(corpus);
    eprintln!("indexing…");
    silkbridge_engine::index(&dir);
    let server = server::start(&silkbridge_engine::config(&dir));

    let first: serde_json::Value =
        serde_json::from_str(&server.get_text("/api/v1/research/publications?limit=1")).unwrap();
    let id = first["items"][0]["id"].as_str().unwrap().to_owned();
    let searches: Vec<(&'static str, String)> =
        QUERIES.iter().map(|q| (q.label, html_search(q))).collect();
    let searches_json: Vec<(&'static str, String)> =
        QUERIES.iter().map(|q| (q.label, q.path())).collect();
    eprintln!("latency: {} passes…", options.reps);
    let reps = options.reps;
    let pairs = [
        Pair {
            name: "landing page `/uz/` vs latest publications JSON",
            html: time_paths(&server, reps * 10, &[("landing", "/uz/".into())]),
            json: time_paths(
                &server,
                reps * 10,
                &[("latest", "/api/v1/research/publications?limit=5".into())],
            ),
        },
        Pair {
            name: "search page vs `GET /api/v1/search`",
            html: time_paths(&server, reps, &searches),
            json: time_paths(&server, reps, &searches_json),
        },
        Pair {
            name: "publication page vs its JSON",
            html: time_paths(
                &server,
                reps * 10,
                &[("publication", format!("/uz/publications/{id}"))],
            ),
            json: time_paths(
                &server,
                reps * 10,
                &[("publication", format!("/api/v1/research/publications/{id}"))],
            ),
        },
    ];
    let load: Vec<(&str, Option<LoadFigures>)> = if options.wrk_secs > 0 {
        let html: Vec<String> = searches.iter().map(|(_, p)| p.clone()).collect();
        let json: Vec<String> = searches_json.iter().map(|(_, p)| p.clone()).collect();
        eprintln!("load: wrk, {} s per endpoint…", options.wrk_secs);
        vec![
            (
                "landing page",
                server.wrk_paths(options.wrk_secs, temp.path(), &["/uz/".to_owned()]),
            ),
            (
                "search page (HTML)",
                server.wrk_paths(options.wrk_secs, temp.path(), &html),
            ),
            (
                "search (JSON)",
                server.wrk_paths(options.wrk_secs, temp.path(), &json),
            ),
        ]
    } else {
        Vec::new()
    };
    let search_page = html_search(&QUERIES[0]);
    let (html_bytes, html_gzip) = gzip_bytes(&server.base, &search_page);
    let page = server.get_text(&search_page);
    let stylesheet = page
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|href| href.starts_with("/assets/") && href.ends_with(".css"))
        .unwrap()
        .to_owned();
    let (css_bytes, css_gzip) = gzip_bytes(&server.base, &stylesheet);

    let mut report = String::new();
    let command = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect::<Vec<_>>()
        .join(" ");
    let _ = writeln!(
        report,
        "Measured {} on {docs} real publications in SQLite, 2 server workers, one client \
         on the same machine (`cargo bench -p silkbridge --bench portal {command}`).\n",
        chrono::Utc::now().format("%Y-%m-%d"),
    );
    let _ = writeln!(
        report,
        "| page, against its JSON peer | HTML p50 | HTML p99 | JSON p50 | JSON p99 | p50 ratio |"
    );
    let _ = writeln!(report, "|---|---|---|---|---|---|");
    for pair in &pairs {
        let _ = writeln!(
            report,
            "| {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2}× |",
            pair.name,
            pair.html.p50_ms,
            pair.html.p99_ms,
            pair.json.p50_ms,
            pair.json.p99_ms,
            pair.html.p50_ms / pair.json.p50_ms
        );
    }
    if !load.is_empty() {
        let _ = writeln!(
            report,
            "\n| `wrk` (2 threads, 16 connections) | req/s | p50 | p99 | errors |\n|---|---|---|---|---|"
        );
        for (name, figures) in &load {
            match figures {
                Some(f) => {
                    let _ = writeln!(
                        report,
                        "| {name} | {:.0} | {} | {} | {} |",
                        f.requests_per_sec, f.p50, f.p99, f.errors
                    );
                }
                None => {
                    let _ = writeln!(report, "| {name} | wrk not installed | | | |");
                }
            }
        }
    }
    let _ = writeln!(
        report,
        "\nFirst load of the search page: HTML {html_bytes} B{}, stylesheet {css_bytes} B{}, \
         no script: {} KB in all (target ≤ 60 KB).",
        if html_gzip { " gzip" } else { " uncompressed" },
        if css_gzip { " gzip" } else { " uncompressed" },
        (html_bytes + css_bytes).div_ceil(1024)
    );
    println!("{report}");
    if options.write {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/performance.md");
        sections::write_section(&path, "portal-bench", "Portal", &report);
        eprintln!("written to {}", path.display());
    }
}
