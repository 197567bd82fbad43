//! Documents benchmark: one large document upload through the real server binary, measuring
//! the server process's peak memory (VmHWM) while the body streams into the object store.
//! Target: a 1 GiB upload completes with the server under 64 MiB. Peer measured in the same
//! run: writing the same bytes straight to the same disk from this process.
//!
//! `cargo bench -p silkbridge --bench documents [-- --mib 1024 --no-write]`
//!
//! The file is synthetic (pseudo-random bytes, so no layer can compress it). Figures go to
//! docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/sections.rs"]
mod sections;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use silkbridge::identity::caller::{Caller, UserCaller};
use silkbridge::identity::input::NewOrganisationInput;
use silkbridge::identity::partners::{self, NewPartnerInput};
use silkbridge::identity::rules as identity;
use silkbridge_schema::{Database, PoolOptions};

const CHUNK: usize = 1024 * 1024;

struct Args {
    mib: usize,
    write: bool,
}

fn args() -> Args {
    let mut args = Args {
        mib: 1024,
        write: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--mib" => args.mib = it.next().and_then(|v| v.parse().ok()).unwrap(),
            "--no-write" => args.write = false,
            _ => {} // cargo bench passes `--bench`
        }
    }
    args
}

/// Chunk `n` of the synthetic file: xorshift bytes, different in every chunk.
fn chunk(n: usize) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (n as u64).wrapping_mul(0x2545_F491_4F6C_DD1D);
    let mut out = Vec::with_capacity(CHUNK);
    while out.len() < CHUNK {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out
}

fn proc_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse().ok())
        .unwrap_or(0)
}

fn setup(url: &str) -> (String, String) {
    let db = Database::open(url, &PoolOptions::default()).unwrap();
    let mut conn = db.connection().unwrap();
    let admin = Caller::User(UserCaller {
        id: "bench".into(),
        session_id: "bench".into(),
        platform_admin: true,
        moderator: false,
        memberships: Vec::new(),
    });
    for (slug, country) in [("bench-uz", "UZ"), ("bench-az", "AZ")] {
        if identity::organisation_by_slug(&mut conn, slug).is_err() {
            identity::create_organisation(
                &mut conn,
                NewOrganisationInput {
                    slug: slug.into(),
                    name: format!("Benchmark agency {country} (synthetic)"),
                    kind: "agency".into(),
                    country: country.into(),
                    ..NewOrganisationInput::default()
                },
            )
            .unwrap();
        }
    }
    let credentials = partners::create(
        &mut conn,
        &admin,
        NewPartnerInput {
            name: format!("Bench gateway {}", chrono::Utc::now().timestamp_micros()),
            organisation: Some("bench-uz".into()),
            scopes: vec!["documents:exchange".into()],
            rate_limit_per_minute: None,
        },
    )
    .unwrap();
    (credentials.partner.client_id, credentials.client_secret)
}

/// Starts the server binary; `SILKBRIDGE_BENCH_WRAPPER` (e.g. `valgrind --tool=massif`) runs
/// it under a profiler to see where its memory goes.
fn start_server(data: &Path, url: &str, port: u16) -> Child {
    let wrapper = std::env::var("SILKBRIDGE_BENCH_WRAPPER").unwrap_or_default();
    let mut words = wrapper.split_whitespace();
    let mut command = match words.next() {
        Some(program) => {
            let mut command = Command::new(program);
            command.args(words).arg(env!("CARGO_BIN_EXE_silkbridge"));
            command
        }
        None => Command::new(env!("CARGO_BIN_EXE_silkbridge")),
    };
    command
        .args(["--data-dir", data.to_str().unwrap(), "--database-url", url])
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env_remove("SILKBRIDGE_CONFIG")
        .env("SILKBRIDGE_LOG", "warn")
        .env(
            "SILKBRIDGE_DOCUMENTS__FILE_MAX_BYTES",
            (8u64 << 30).to_string(),
        )
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

fn main() {
    let args = args();
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("documents-bench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let url = format!("sqlite://{}", work.join("documents.db").display());
    let (client_id, secret) = setup(&url);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = start_server(&work, &url, port);
    let pid = server.id();
    let base = format!("http://127.0.0.1:{port}");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let total = args.mib;
    let (token, id) = runtime.block_on(async {
        for _ in 0..3000 {
            if client
                .get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let reply: serde_json::Value = client
            .post(format!("{base}/oauth/token"))
            .basic_auth(&client_id, Some(&secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = reply["access_token"].as_str().unwrap().to_owned();
        let draft: serde_json::Value = client
            .post(format!("{base}/api/v1/documents"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "sender": "bench-uz", "subject": "Benchmark upload (synthetic)",
                "document_type": "archive", "reference_number": "BENCH-1",
                "recipients": ["bench-az"]
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (token, draft["id"].as_str().unwrap().to_owned())
    });
    std::thread::sleep(Duration::from_secs(1));
    let idle_kib = proc_kib(pid, "VmRSS:");
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");

    // The upload: generated while it is sent, hashed here to compare with the server's.
    let sampler_stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let stop = sampler_stop.clone();
        std::thread::spawn(move || {
            let mut highest = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                highest = highest.max(proc_kib(pid, "VmRSS:"));
                std::thread::sleep(Duration::from_millis(20));
            }
            highest
        })
    };
    let started = Instant::now();
    let (reply, local_sha) = runtime.block_on(async {
        let hasher = std::sync::Arc::new(std::sync::Mutex::new(Sha256::new()));
        let feed = hasher.clone();
        let body = futures_util::stream::iter(0..total).map(move |n| {
            let bytes = chunk(n);
            feed.lock().unwrap().update(&bytes);
            Ok::<_, std::io::Error>(bytes)
        });
        let reply: serde_json::Value = client
            .post(format!(
                "{base}/api/v1/documents/{id}/files?file_name=archive.bin"
            ))
            .bearer_auth(&token)
            .header("content-type", "application/octet-stream")
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let sha = hex::encode(hasher.lock().unwrap().clone().finalize());
        (reply, sha)
    });
    let upload_secs = started.elapsed().as_secs_f64();
    sampler_stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sampled_kib = sampler.join().unwrap();
    let peak_kib = proc_kib(pid, "VmHWM:").max(sampled_kib);
    assert_eq!(
        reply["size_bytes"].as_u64(),
        Some((total * CHUNK) as u64),
        "{reply}"
    );
    assert_eq!(
        reply["sha256"].as_str(),
        Some(local_sha.as_str()),
        "the server stored the bytes sent"
    );
    let _ = server.kill();
    let _ = server.wait();

    // Peer: the same bytes written to the same disk directly.
    let peer_path = work.join("peer.bin");
    let started = Instant::now();
    {
        let mut file = std::fs::File::create(&peer_path).unwrap();
        for n in 0..total {
            file.write_all(&chunk(n)).unwrap();
        }
        file.sync_all().unwrap();
    }
    let peer_secs = started.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&peer_path);
    let _ = std::fs::remove_dir_all(work.join("objects"));

    let mib = |kib: u64| kib as f64 / 1024.0;
    let text = format!(
        "Upload of a {total} MiB document file (synthetic pseudo-random bytes) as one streamed request to the release server binary (`silkbridge serve`, SQLite, local object-store folder), by a partner system with `documents:exchange`. Command: `cargo bench -p silkbridge --bench documents -- --mib {total}`. Peer: the same bytes written straight to the same disk by the benchmark process.\n\n\
| figure | value |\n|---|---|\n\
| server resident memory, idle before the upload | {:.1} MiB |\n\
| **server peak resident memory during the upload** (VmHWM, target < 64 MiB) | **{:.1} MiB** |\n\
| upload time | {:.1} s ({:.0} MiB/s) |\n\
| peer: direct disk write of the same bytes | {:.1} s ({:.0} MiB/s) |\n\
| upload throughput / peer | {:.2}× |\n\
| SHA-256 computed by the server = the client's | yes |\n\n",
        mib(idle_kib),
        mib(peak_kib),
        upload_secs,
        total as f64 / upload_secs,
        peer_secs,
        total as f64 / peer_secs,
        peer_secs / upload_secs,
    );
    println!("{text}");
    if args.write {
        let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/performance.md");
        sections::write_section(&doc, "documents-bench", "Documents", &text);
        eprintln!("written to {}", doc.display());
    }
}
