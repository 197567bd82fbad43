//! The search benchmark: silkbridge (through its REST endpoint) against PostgreSQL full-text
//! search and SQLite FTS5 (queried directly), on the same documents and the same queries.
//!
//! ```sh
//! cargo bench -p silkbridge --bench search                      # the real records (~108k)
//! cargo bench -p silkbridge --bench search -- --docs 1000000    # scaled by recombination
//! ```
//! Options: `--docs N`, `--reps N` (passes over the query set, default 10), `--wrk-secs N`
//! (default 60; 0 skips the load test), `--pg URL` (default the test database), `--dir DIR`,
//! `--no-write` (do not update `docs/performance.md`). Each engine indexes in a process of its
//! own, so its peak memory is its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/sections.rs"]
mod sections;

mod corpus;
mod figures;
mod oai;
mod queries;
mod server;
mod silkbridge_engine;
mod sql_engines;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use corpus::Corpus;
use figures::{IndexFigures, Latency};
use queries::QUERIES;

struct Options {
    docs: Option<usize>,
    reps: usize,
    wrk_secs: u64,
    pg: String,
    dir: Option<PathBuf>,
    write: bool,
    phase: Option<String>,
}

fn options() -> Options {
    let mut options = Options {
        docs: None,
        reps: 10,
        wrk_secs: 60,
        pg: std::env::var("SILKBRIDGE_BENCH_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into()),
        dir: None,
        write: true,
        phase: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--docs" => options.docs = Some(value().parse().expect("--docs N")),
            "--reps" => options.reps = value().parse().expect("--reps N"),
            "--wrk-secs" => options.wrk_secs = value().parse().expect("--wrk-secs N"),
            "--pg" => options.pg = value(),
            "--dir" => options.dir = Some(PathBuf::from(value())),
            "--phase" => options.phase = Some(value()),
            "--no-write" => options.write = false,
            _ => {} // `cargo bench` adds `--bench`.
        }
    }
    options
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/corpus")
}

/// Runs one phase in a child process and reads back its figures.
fn child(phase: &str, options: &Options, dir: &Path, docs: usize) -> Option<IndexFigures> {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--phase",
            phase,
            "--docs",
            &docs.to_string(),
            "--pg",
            &options.pg,
        ])
        .arg("--dir")
        .arg(dir)
        .stderr(std::process::Stdio::inherit())
        .output()
        .unwrap();
    assert!(output.status.success(), "phase {phase} failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .map(|json| serde_json::from_str(json).unwrap())
}

fn run_phase(phase: &str, options: &Options) {
    figures::sample_anonymous_memory();
    let dir = options.dir.clone().unwrap();
    let docs = options.docs.unwrap();
    let corpus = || Corpus::load(&corpus_dir());
    let figures = match phase {
        "load" => {
            silkbridge_engine::load(&dir.join("silkbridge"), &corpus(), docs);
            None
        }
        "silkbridge" => Some(silkbridge_engine::index(&dir.join("silkbridge"))),
        "fts5" => Some(sql_engines::fts5_index(
            &dir.join("fts5.db"),
            &corpus(),
            docs,
        )),
        "postgres" => Some(sql_engines::pg_index(&options.pg, &corpus(), docs)),
        other => panic!("unknown phase {other}"),
    };
    if let Some(figures) = figures {
        println!("RESULT {}", serde_json::to_string(&figures).unwrap());
    }
}

fn time_queries(
    reps: usize,
    mut run: impl FnMut(&queries::BenchQuery) -> usize,
) -> Vec<(&'static str, Duration)> {
    for query in QUERIES {
        run(query); // warm-up, not counted
    }
    let mut samples = Vec::with_capacity(reps * QUERIES.len());
    for _ in 0..reps {
        for query in QUERIES {
            let started = Instant::now();
            run(query);
            samples.push((query.label, started.elapsed()));
        }
    }
    samples
}

fn main() {
    let options = options();
    if let Some(phase) = &options.phase {
        run_phase(phase, &options);
        return;
    }
    let corpus = Corpus::load(&corpus_dir());
    let docs = options.docs.unwrap_or(corpus.real());
    let synthetic = docs.saturating_sub(corpus.real());
    let label = if synthetic == 0 {
        format!("{docs} real documents")
    } else {
        format!(
            "{docs} documents: {} real + {synthetic} SYNTHETIC (recombined from the real ones)",
            corpus.real().min(docs)
        )
    };
    drop(corpus);
    let temp = tempfile::Builder::new()
        .prefix("silkbridge-search-bench-")
        .tempdir_in(options.dir.clone().unwrap_or_else(std::env::temp_dir))
        .unwrap();
    let dir = temp.path().to_owned();
    eprintln!("corpus: {label}\nwork folder: {}", dir.display());

    eprintln!("loading the documents into silkbridge's database (set-up, not measured)…");
    child("load", &options, &dir, docs);
    eprintln!("indexing: silkbridge full rebuild…");
    let ours = child("silkbridge", &options, &dir, docs).unwrap();
    eprintln!("indexing: PostgreSQL…");
    let pg = child("postgres", &options, &dir, docs).unwrap();
    eprintln!("indexing: SQLite FTS5…");
    let fts5 = child("fts5", &options, &dir, docs).unwrap();

    eprintln!(
        "querying: {} queries × {} passes per engine…",
        QUERIES.len(),
        options.reps
    );
    let server = server::start(&silkbridge_engine::config(&dir.join("silkbridge")));
    let ours_latency = Latency::of(
        "silkbridge (REST)",
        time_queries(options.reps, |q| server.query(q)),
    );
    let mut pg_conn = sql_engines::pg_connect(&options.pg);
    let pg_latency = Latency::of(
        "PostgreSQL FTS",
        time_queries(options.reps, |q| sql_engines::pg_query(&mut pg_conn, q)),
    );
    let mut fts5_conn = sql_engines::fts5_connect(&dir.join("fts5.db"));
    let fts5_latency = Latency::of(
        "SQLite FTS5",
        time_queries(options.reps, |q| sql_engines::fts5_query(&mut fts5_conn, q)),
    );
    eprintln!("OAI-PMH: first page against a page 90 % deep…");
    let oai = oai::measure(&server, &dir.join("silkbridge/silkbridge.db"), docs);
    let load = if options.wrk_secs > 0 {
        eprintln!("load: wrk for {} s…", options.wrk_secs);
        server.wrk(options.wrk_secs, &dir)
    } else {
        None
    };
    let report = report::render(&report::Report {
        label: &label,
        docs,
        command: &std::env::args()
            .skip(1)
            .filter(|a| a != "--bench")
            .collect::<Vec<_>>()
            .join(" "),
        indexing: [&ours, &pg, &fts5],
        latency: [&ours_latency, &pg_latency, &fts5_latency],
        load: load.as_ref(),
        oai: &oai,
    });
    println!("{report}");
    if options.write {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/performance.md");
        report::write_section(
            &path,
            if synthetic == 0 { "real" } else { "scaled" },
            &report,
        );
        eprintln!("written to {}", path.display());
    }
    let _ = sql_engines::pg_connect(&options.pg);
}

mod report;
