//! IMEI registry benchmark: the single status check over HTTP under `wrk` and a bulk check
//! of a million IMEIs in one streamed request, against a registry of 10 million devices, on
//! SQLite and on PostgreSQL, with PostgreSQL's own indexed point lookup (pgbench, no HTTP)
//! measured in the same run as the peer.
//!
//! `cargo bench -p silkbridge --bench imei [-- --devices 10000000 --secs 30 --bulk 1000000
//!  --rate 5000 --backends sqlite,postgres --no-write]`
//!
//! Fairness (Security II): single checks at a fixed rate (`--rate`, open loop, `paced.rs`),
//! first alone and then while a second bulk check of the same size runs.
//!
//! The registry is synthetic (generated TACs and serial numbers, labelled as such): IMEIs
//! have no natural-language corpus. Figures go to docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/sections.rs"]
mod sections;

mod load;
mod paced;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use silkbridge::config::Config;
use silkbridge::identity::caller::{Caller, UserCaller};
use silkbridge::identity::partners::{self, NewPartnerInput};
use silkbridge_schema::{Database, PoolOptions};

struct Args {
    devices: u64,
    secs: u64,
    bulk: u64,
    rate: u64,
    backends: Vec<String>,
    write: bool,
}

fn args() -> Args {
    let mut args = Args {
        devices: 10_000_000,
        secs: 30,
        bulk: 1_000_000,
        rate: 5_000,
        backends: vec!["sqlite".into(), "postgres".into()],
        write: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--devices" => args.devices = it.next().and_then(|v| v.parse().ok()).unwrap(),
            "--secs" => args.secs = it.next().and_then(|v| v.parse().ok()).unwrap(),
            "--bulk" => args.bulk = it.next().and_then(|v| v.parse().ok()).unwrap(),
            "--rate" => args.rate = it.next().and_then(|v| v.parse().ok()).unwrap(),
            "--backends" => {
                args.backends = it.next().unwrap().split(',').map(str::to_owned).collect()
            }
            "--no-write" => args.write = false,
            _ => {} // cargo bench passes `--bench`
        }
    }
    args
}

/// What one backend's run measured.
struct Figures {
    backend: String,
    wrk: Wrk,
    /// Single checks at a fixed rate, alone.
    paced_alone: paced::Paced,
    /// The same rate while a second bulk check ran, for part of its `second_bulk_seconds`.
    paced_during_bulk: paced::Paced,
    second_bulk_seconds: f64,
    audited: i64,
    bulk_seconds: f64,
    bulk_lines: u64,
    bulk_peak_mib: f64,
    audit_drain_seconds: f64,
}

#[derive(Default, Clone)]
struct Wrk {
    requests_per_sec: f64,
    p50: String,
    p99: String,
    requests: u64,
    errors: u64,
}

fn main() {
    let args = args();
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("imei-bench");
    std::fs::create_dir_all(&work).unwrap();
    let mut runs = Vec::new();
    let mut peer = None;
    for backend in &args.backends {
        let url = match backend.as_str() {
            "sqlite" => format!("sqlite://{}", work.join("registry.db").display()),
            "postgres" => postgres_url(),
            other => panic!("unknown backend {other}"),
        };
        eprintln!("== {backend}: {url}");
        let db = Database::open(&url, &PoolOptions::default()).unwrap();
        load::ensure(&db, args.devices);
        runs.push(run(&args, backend, &url, &db, &work));
        if backend == "postgres" {
            peer = pgbench(&url, args.secs, args.devices, &work);
        }
    }
    let text = render(&args, &runs, peer);
    println!("{text}");
    if args.write {
        let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/performance.md");
        sections::write_section(&doc, "imei-bench", "IMEI registry", &text);
        eprintln!("written to {}", doc.display());
    }
}

fn postgres_url() -> String {
    let base = std::env::var("SILKBRIDGE_BENCH_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let _ = std::process::Command::new("psql")
        .arg(format!("{base}/postgres"))
        .args(["-qc", "CREATE DATABASE silkbridge_imei_bench"])
        .stderr(std::process::Stdio::null())
        .status();
    format!("{base}/silkbridge_imei_bench")
}

fn admin() -> Caller {
    Caller::User(UserCaller {
        id: "bench".into(),
        session_id: "bench".into(),
        platform_admin: true,
        moderator: false,
        memberships: Vec::new(),
    })
}

fn run(args: &Args, backend: &str, url: &str, db: &Database, work: &Path) -> Figures {
    let mut conn = db.connection().unwrap();
    let credentials = partners::create(
        &mut conn,
        &admin(),
        NewPartnerInput {
            name: format!("Bench operator {}", chrono::Utc::now().timestamp_micros()),
            organisation: None,
            scopes: vec!["imei:read".into()],
            rate_limit_per_minute: Some(60_000_000),
        },
    )
    .unwrap();
    drop(conn);
    let dir = work.join(format!("{backend}-data"));
    let config = Config::for_tests(&dir, url);
    let base = start_server(config);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // Idle connections are dropped before the server's 5 s keep-alive closes them, so none
    // is reused after a long wrk run.
    let client = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let token: String = runtime.block_on(async {
        let reply: serde_json::Value = client
            .post(format!("{base}/oauth/token"))
            .basic_auth(
                &credentials.partner.client_id,
                Some(&credentials.client_secret),
            )
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        reply["access_token"].as_str().unwrap().to_owned()
    });
    wrk(&base, &token, args.devices, 2, work);
    let reads_before = settled_reads(db);
    let wrk = wrk(&base, &token, args.devices, args.secs, work);
    let audited = settled_reads(db) - reads_before;
    let reads_before = reads_before + audited;

    // Bulk: one request, the body generated as it is sent, the answer read as it arrives.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let started = Instant::now();
    let lines = runtime.block_on(bulk_check(&client, &base, &token, args.bulk, args.devices));
    let bulk_seconds = started.elapsed().as_secs_f64();
    let bulk_peak_mib = peak_rss_mib();
    let drain_started = Instant::now();
    let target = reads_before + args.bulk as i64;
    while count_reads(db) < target && drain_started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(100));
    }
    // Fairness: single checks at a fixed rate, alone and while another bulk check of the
    // same size runs. Bulk entries may fill half of the read-audit queue only, so singles
    // must neither wait nor get 503.
    let during_secs = ((bulk_seconds * 0.7).floor() as u64).max(1);
    let paced_alone = paced::run(&base, &token, args.devices, args.rate, during_secs);
    let bulk = {
        let (base, token, total, devices) = (base.clone(), token.clone(), args.bulk, args.devices);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let client = reqwest::Client::new();
            let started = Instant::now();
            runtime.block_on(bulk_check(&client, &base, &token, total, devices));
            started.elapsed().as_secs_f64()
        })
    };
    std::thread::sleep(Duration::from_millis(500));
    let paced_during_bulk = paced::run(&base, &token, args.devices, args.rate, during_secs);
    let second_bulk_seconds = bulk.join().unwrap();
    Figures {
        backend: backend.to_owned(),
        wrk,
        paced_alone,
        paced_during_bulk,
        second_bulk_seconds,
        audited,
        bulk_seconds,
        bulk_lines: lines,
        bulk_peak_mib,
        audit_drain_seconds: bulk_seconds + drain_started.elapsed().as_secs_f64(),
    }
}

/// One bulk check of `total` IMEIs spread over the registry: the body generated as it is
/// sent, the answer read as it arrives; returns the answer's lines.
async fn bulk_check(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    total: u64,
    devices: u64,
) -> u64 {
    let body = futures_util::stream::iter(0..total.div_ceil(10_000)).map(move |chunk| {
        let mut text = String::with_capacity(170_000);
        for i in chunk * 10_000..((chunk + 1) * 10_000).min(total) {
            let n = i.wrapping_mul(2_654_435_761) % devices;
            text.push_str(&format!("{:015}\n", load::nth_imei(n, devices)));
        }
        Ok::<_, std::io::Error>(text)
    });
    let response = client
        .post(format!("{base}/api/v1/imei/checks"))
        .bearer_auth(token)
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await
        .unwrap_or_else(|e| panic!("bulk check: {e:?}"));
    if !response.status().is_success() {
        let status = response.status();
        panic!(
            "bulk check: {status}: {}",
            response.text().await.unwrap_or_default()
        );
    }
    let mut stream = response.bytes_stream();
    let mut lines = 0u64;
    while let Some(chunk) = stream.next().await {
        lines += chunk.unwrap().iter().filter(|b| **b == b'\n').count() as u64;
    }
    lines
}

/// The read-audit row count once the writer has caught up (it stops changing).
fn settled_reads(db: &Database) -> i64 {
    let mut last = count_reads(db);
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = count_reads(db);
        if now == last {
            return now;
        }
        last = now;
    }
}

fn count_reads(db: &Database) -> i64 {
    use diesel::prelude::*;
    use silkbridge_schema::tables::imei_reads::dsl;
    let mut conn = db.connection().unwrap();
    dsl::imei_reads.count().get_result(&mut conn).unwrap()
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The silkbridge app in this process (what the binary serves), two workers.
fn start_server(config: Config) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
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
    base
}

/// `wrk` on the single status check: 2 threads, 16 connections, IMEIs drawn evenly from
/// the registry (one in a hundred listed).
fn wrk(base: &str, token: &str, devices: u64, secs: u64, work: &Path) -> Wrk {
    let paths: Vec<String> = (0..2000u64)
        .map(|i| {
            let n = i.wrapping_mul(4_294_967_311) % devices;
            format!(
                "  \"/api/v1/imei/devices/{:015}/status\",",
                load::nth_imei(n, devices)
            )
        })
        .collect();
    let script = format!(
        "wrk.headers[\"Authorization\"] = \"Bearer {token}\"\nlocal paths = {{\n{}\n}}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n",
        paths.join("\n")
    );
    let script_path = work.join("status.lua");
    std::fs::write(&script_path, script).unwrap();
    let output = std::process::Command::new("wrk")
        .args(["-t2", "-c16", &format!("-d{secs}s"), "--latency", "-s"])
        .arg(&script_path)
        .arg(base)
        .output()
        .expect("wrk (apt-get install wrk)");
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
    let errors = text
        .lines()
        .filter(|l| l.contains("Non-2xx") || l.contains("Socket errors"))
        .flat_map(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse::<u64>().ok())
        })
        .sum();
    let requests = text
        .lines()
        .find(|l| l.contains("requests in"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Wrk {
        requests_per_sec: field("Requests/sec:").parse().unwrap_or(f64::NAN),
        p50: field("50%"),
        p99: field("99%"),
        requests,
        errors,
    }
}

/// PostgreSQL's own indexed lookup of one IMEI, over its protocol, without HTTP: 16
/// clients, 2 threads, prepared statements.
fn pgbench(url: &str, secs: u64, devices: u64, work: &Path) -> Option<f64> {
    let script = work.join("lookup.sql");
    std::fs::write(
        &script,
        format!(
            "\\set k random(352000000000000, {})\nSELECT status, reason, country FROM imei_devices WHERE imei >= :k ORDER BY imei LIMIT 1;\n",
            load::nth_imei(devices - 1, devices)
        ),
    )
    .unwrap();
    let output = std::process::Command::new("pgbench")
        .args([
            "-n",
            "-M",
            "prepared",
            "-c16",
            "-j2",
            &format!("-T{secs}"),
            "-f",
        ])
        .arg(&script)
        .arg(url)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    eprintln!("{text}");
    text.lines()
        .find(|l| l.starts_with("tps ="))
        .and_then(|l| l.split_whitespace().nth(2))
        .and_then(|n| n.parse().ok())
}

fn render(args: &Args, runs: &[Figures], peer: Option<f64>) -> String {
    let mut out = format!(
        "Registry: {} synthetic devices (100 generated TACs, 1 % listed). Command: `cargo bench -p silkbridge --bench imei -- --devices {} --secs {} --bulk {}`. Single check: `wrk -t2 -c16 -d{}s --latency` on `GET /api/v1/imei/devices/{{imei}}/status` with a partner token, IMEIs spread over the registry; server, wrk and database share the 2 cores.\n\n",
        args.devices, args.devices, args.secs, args.bulk, args.secs
    );
    out.push_str("| backend | checks/s | p50 | p99 | errors | reads audited | bulk: IMEIs | bulk: seconds | bulk: peak RSS | bulk audit written |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for run in runs {
        out.push_str(&format!(
            "| {} | {:.0} | {} | {} | {} | {} of {} | {} | {:.1} | {:.0} MiB | {:.1} s |\n",
            run.backend,
            run.wrk.requests_per_sec,
            run.wrk.p50,
            run.wrk.p99,
            run.wrk.errors,
            run.audited,
            run.wrk.requests,
            run.bulk_lines,
            run.bulk_seconds,
            run.bulk_peak_mib,
            run.audit_drain_seconds,
        ));
    }
    out.push_str(&format!("\nSingle checks at a fixed {} checks/s (open loop: each request leaves on schedule whatever the answers, `benches/imei/paced.rs`), alone and while a second bulk check of the same size runs; failed counts every non-2xx (503s included):\n\n| backend | load | seconds | checks | p50 | p99 | p99.9 | max | failed | generator lag |\n|---|---|---|---|---|---|---|---|---|---|\n", args.rate));
    for run in runs {
        for (label, paced) in [
            ("alone", &run.paced_alone),
            (
                &*format!(
                    "during a {} IMEI bulk check ({:.1} s)",
                    run.bulk_lines, run.second_bulk_seconds
                ),
                &run.paced_during_bulk,
            ),
        ] {
            out.push_str(&format!(
                "| {} | {label} | {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {} | ≤ {:.1} ms |\n",
                run.backend,
                paced.secs,
                paced.sent,
                paced.p50_ms,
                paced.p99_ms,
                paced.p999_ms,
                paced.max_ms,
                paced.failed,
                paced.max_lag_ms,
            ));
        }
    }
    if let Some(tps) = peer {
        out.push_str(&format!(
            "\nPeer, same run: PostgreSQL's own indexed lookup of one IMEI (pgbench, 16 clients, prepared, no HTTP, no auth, no audit): {tps:.0} lookups/s."
        ));
        for run in runs {
            out.push_str(&format!(
                " silkbridge on {}: {:.2}× that.",
                run.backend,
                run.wrk.requests_per_sec / tps
            ));
        }
        out.push('\n');
    }
    out
}
