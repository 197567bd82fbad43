//! Biometrics benchmark: exact 1:N identification, top-10, over a million synthetic
//! 512-dimension float templates against faiss-cpu's `IndexFlatIP` (PyPI) on the same data in
//! the same run, with the top-10 compared; 2048-bit binary codes against the float case; and
//! the start-up load of a million encrypted templates from the database.
//!
//! `cargo bench -p silkbridge --bench biometrics [-- --templates 1000000 --probes 20 --no-write]`
//!
//! Every template is synthetic (generated vectors; see `biometrics::synthetic`), never a
//! person's. Figures go to docs/performance.md.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/sections.rs"]
mod sections;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use silkbridge::biometrics::gallery::Gallery;
use silkbridge::biometrics::synthetic::{binary_capture, float_capture};
use silkbridge::biometrics::templates::TemplateData;

const DIMENSION: usize = 512;
const BITS: usize = 2048;
const K: usize = 10;
/// Genuine captures differ from enrolment by this noise (cosine ~0.92).
const NOISE: f32 = 0.3;

struct Args {
    templates: u64,
    probes: u64,
    write: bool,
}

fn args() -> Args {
    let mut args = Args {
        templates: 1_000_000,
        probes: 20,
        write: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--templates" => args.templates = it.next().and_then(|v| v.parse().ok()).unwrap(),
            "--probes" => args.probes = it.next().and_then(|v| v.parse().ok()).unwrap(),
            "--no-write" => args.write = false,
            _ => {}
        }
    }
    args
}

fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let args = args();
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("biometrics-bench");
    std::fs::create_dir_all(&work).unwrap();
    let n = args.templates;
    // Probe i is a fresh capture of subject (i * 7919) mod n: a genuine search.
    let probe_subjects: Vec<u64> = (0..args.probes).map(|i| i * 7919 % n).collect();

    eprintln!("generating {n} synthetic float templates");
    let started = Instant::now();
    let gallery = Gallery::new(DIMENSION as u32, BITS as u32);
    let mut raw = std::io::BufWriter::new(std::fs::File::create(work.join("gallery.f32")).unwrap());
    for subject in 0..n {
        let values = float_capture(subject, 0, DIMENSION, NOISE);
        for v in &values {
            raw.write_all(&v.to_le_bytes()).unwrap();
        }
        gallery.insert(
            &subject.to_string(),
            "bench",
            &subject.to_string(),
            &TemplateData::Float(values),
        );
    }
    raw.flush().unwrap();
    drop(raw);
    let mut probes =
        std::io::BufWriter::new(std::fs::File::create(work.join("probes.f32")).unwrap());
    let probe_values: Vec<Vec<f32>> = probe_subjects
        .iter()
        .map(|s| float_capture(*s, 1, DIMENSION, NOISE))
        .collect();
    for values in &probe_values {
        for v in values {
            probes.write_all(&v.to_le_bytes()).unwrap();
        }
    }
    probes.flush().unwrap();
    drop(probes);
    eprintln!("generated in {:.0} s", started.elapsed().as_secs_f64());

    // silkbridge: the gallery the server searches, one probe at a time.
    let allowed = vec!["bench".to_owned()];
    let probe = TemplateData::Float(probe_values[0].clone());
    gallery.identify(&probe, &allowed, K, -1.0); // warm-up
    let mut ours = Vec::new();
    let mut our_ids = Vec::new();
    for values in &probe_values {
        let probe = TemplateData::Float(values.clone());
        let started = Instant::now();
        let found = gallery.identify(&probe, &allowed, K, -1.0);
        ours.push(started.elapsed().as_secs_f64());
        our_ids.push(
            found
                .iter()
                .map(|c| c.subject.parse::<u64>().unwrap())
                .collect::<Vec<_>>(),
        );
    }
    let top1_correct = our_ids
        .iter()
        .zip(&probe_subjects)
        .filter(|(ids, s)| ids.first() == Some(s))
        .count();

    eprintln!("running faiss-cpu");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/biometrics/faiss_peer.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(work.join("gallery.f32"))
        .arg(work.join("probes.f32"))
        .arg(DIMENSION.to_string())
        .arg(K.to_string())
        .output()
        .expect("python3");
    let faiss: Option<serde_json::Value> = if output.status.success() {
        serde_json::from_slice(&output.stdout).ok()
    } else {
        eprintln!(
            "faiss-cpu not available (pip install faiss-cpu): {}",
            String::from_utf8_lossy(&output.stderr)
        );
        None
    };
    let (faiss_p50, identical, faiss_threads) = match &faiss {
        Some(result) => {
            let seconds: Vec<f64> = result["seconds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            let ids: Vec<Vec<u64>> = result["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| {
                    row.as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_u64().unwrap())
                        .collect()
                })
                .collect();
            let identical = ids.iter().zip(&our_ids).filter(|(a, b)| a == b).count();
            (
                Some(percentile(seconds, 0.5)),
                identical,
                result["threads"].as_u64().unwrap_or(0),
            )
        }
        None => (None, 0, 0),
    };
    drop(gallery);

    eprintln!("binary codes");
    let binary = Gallery::new(DIMENSION as u32, BITS as u32);
    for subject in 0..n {
        let bits = binary_capture(subject, 0, BITS, 0.0);
        binary.insert(
            &subject.to_string(),
            "bench",
            &subject.to_string(),
            &TemplateData::Binary { bits, mask: None },
        );
    }
    let mut binary_seconds = Vec::new();
    let mut binary_top1 = 0;
    for s in &probe_subjects {
        let probe = TemplateData::Binary {
            bits: binary_capture(*s, 1, BITS, 0.1),
            mask: None,
        };
        let started = Instant::now();
        let found = binary.identify(&probe, &allowed, K, -1.0);
        binary_seconds.push(started.elapsed().as_secs_f64());
        binary_top1 +=
            usize::from(found.first().map(|c| c.subject.parse::<u64>().unwrap()) == Some(*s));
    }
    drop(binary);

    eprintln!("start-up load of encrypted templates");
    let load = load_figures(n, &work);

    let ours_p50 = percentile(ours.clone(), 0.5);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let binary_p50 = percentile(binary_seconds, 0.5);
    let mut text = format!(
        "Gallery: {n} synthetic templates (generated vectors, one subject each; probes are fresh captures of enrolled subjects). Command: `cargo bench -p silkbridge --bench biometrics -- --templates {n} --probes {}`. One probe per call, exact search, top-{K}.\n\n| | p50 per probe | vs faiss |\n|---|---|---|\n",
        args.probes
    );
    let ms = |s: f64| format!("{:.1} ms", s * 1000.0);
    match faiss_p50 {
        Some(f) => {
            text.push_str(&format!(
                "| faiss-cpu IndexFlatIP, float 512-d ({faiss_threads} threads) | {} | 1.00× |\n",
                ms(f)
            ));
            text.push_str(&format!(
                "| silkbridge gallery, float 512-d ({cores} threads) | {} | {:.2}× |\n",
                ms(ours_p50),
                ours_p50 / f
            ));
        }
        None => text.push_str(&format!(
            "| silkbridge gallery, float 512-d ({cores} threads) | {} | faiss not installed |\n",
            ms(ours_p50)
        )),
    }
    text.push_str(&format!(
        "| silkbridge gallery, binary 2048-bit ({cores} threads) | {} | float/binary: {:.1}× |\n\n",
        ms(binary_p50),
        ours_p50 / binary_p50
    ));
    text.push_str(&format!(
        "Top-{K} identical to faiss for {identical} of {} probes; the enrolled subject ranked first for {top1_correct} (float) and {binary_top1} (binary) of {}. Start-up load of {n} encrypted templates from SQLite (AES-256-GCM, decrypt and insert into the gallery): {:.1} s (writing them: {:.0} s, not part of start-up).\n",
        args.probes, args.probes, load.0.as_secs_f64(), load.1.as_secs_f64()
    ));
    println!("{text}");
    if args.write {
        let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/performance.md");
        sections::write_section(&doc, "biometrics-bench", "Biometrics", &text);
    }
}

/// Writes `n` encrypted float templates to a fresh SQLite database, then times what the
/// server does at start: `BiometricsRuntime::open`. Returns (load, write) durations.
fn load_figures(n: u64, work: &Path) -> (Duration, Duration) {
    use silkbridge::biometrics::service::{BiometricsRuntime, associated};
    use silkbridge::biometrics::templates::{Format, Template};
    use silkbridge_schema::models::BiometricTemplate;
    let dir = work.join("load");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let config = silkbridge::config::Config::for_tests(&dir, &url);
    let db = silkbridge_schema::Database::open(&url, &Default::default()).unwrap();
    let mut conn = db.connection().unwrap();
    let admin =
        silkbridge::identity::caller::Caller::User(silkbridge::identity::caller::UserCaller {
            id: "bench".into(),
            session_id: "bench".into(),
            platform_admin: true,
            moderator: false,
            memberships: Vec::new(),
        });
    let partner = silkbridge::identity::partners::create(
        &mut conn,
        &admin,
        silkbridge::identity::partners::NewPartnerInput {
            name: "Bench bank".into(),
            organisation: None,
            scopes: vec!["biometric:identify".into()],
            rate_limit_per_minute: None,
        },
    )
    .unwrap()
    .partner
    .id;
    let runtime = BiometricsRuntime::new(&config).unwrap();
    let started = Instant::now();
    let mut batch = Vec::with_capacity(1000);
    for subject in 0..n {
        let template = Template {
            format: Format::Float32,
            dimension: DIMENSION as u32,
            vendor: "synthetic".into(),
            quality: 90,
            data: TemplateData::Float(float_capture(subject, 0, DIMENSION, NOISE)),
        };
        let mut row = BiometricTemplate {
            id: format!("{subject:012}"),
            partner_id: partner.clone(),
            subject_ref: subject.to_string(),
            format: "float32".into(),
            dimension: DIMENSION as i32,
            vendor: "synthetic".into(),
            quality: 90,
            key_id: String::new(),
            nonce: Vec::new(),
            ciphertext: Vec::new(),
            created_at: silkbridge_schema::ids::now(),
        };
        let sealed = runtime
            .keys
            .seal(associated(&row).as_bytes(), &template.to_bytes())
            .unwrap();
        row.key_id = sealed.key_id;
        row.nonce = sealed.nonce;
        row.ciphertext = sealed.ciphertext;
        batch.push(row);
        if batch.len() == 1000 || subject + 1 == n {
            insert(&mut conn, &batch);
            batch.clear();
        }
    }
    let written = started.elapsed();
    drop(conn);
    drop(runtime);
    let started = Instant::now();
    let loaded = BiometricsRuntime::open(&db, &config).unwrap();
    let load = started.elapsed();
    assert_eq!(loaded.gallery.len() as u64, n);
    (load, written)
}

fn insert(
    conn: &mut silkbridge_schema::DbConnection,
    rows: &[silkbridge_schema::models::BiometricTemplate],
) {
    use diesel::prelude::*;
    use silkbridge_schema::DbConnection;
    use silkbridge_schema::tables::biometric_templates;
    match conn {
        DbConnection::Sqlite(conn) => {
            conn.transaction(|conn| {
                diesel::insert_into(biometric_templates::table)
                    .values(rows)
                    .execute(conn)
            })
            .unwrap();
        }
        DbConnection::Postgresql(_) => unreachable!("the load figure is measured on SQLite"),
    };
}
