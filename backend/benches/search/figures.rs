//! Figures, measured in the process that did the work and handed to the parent as JSON.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What indexing one corpus cost an engine.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexFigures {
    pub engine: String,
    pub docs: u64,
    pub seconds: f64,
    pub docs_per_sec: f64,
    /// The indexing process's peak resident memory (VmHWM); `None` where the work happens in
    /// another server's process (PostgreSQL). It includes index files mapped into memory,
    /// which the kernel can drop at any time.
    pub peak_rss_mib: Option<f64>,
    /// The peak of the process's own (anonymous) memory, sampled every 20 ms: heap and
    /// buffers, without mapped files. This is what the 512 MiB target bounds.
    pub peak_anon_mib: Option<f64>,
    pub size_mib: f64,
}

impl IndexFigures {
    /// Figures of work done in this process.
    pub fn measured(engine: &str, docs: u64, seconds: f64, size_bytes: u64) -> Self {
        Self {
            engine: engine.to_owned(),
            docs,
            seconds,
            docs_per_sec: docs as f64 / seconds.max(1e-9),
            peak_rss_mib: peak_rss_bytes().map(|b| b as f64 / 1_048_576.0),
            peak_anon_mib: Some(PEAK_ANON.load(Ordering::Relaxed) as f64 / 1_048_576.0),
            size_mib: size_bytes as f64 / 1_048_576.0,
        }
    }
}

static PEAK_ANON: AtomicU64 = AtomicU64::new(0);

/// Samples this process's anonymous resident memory (`RssAnon`) every 20 ms from now on,
/// keeping the peak for `IndexFigures::measured`.
pub fn sample_anonymous_memory() {
    std::thread::spawn(|| {
        loop {
            if let Some(bytes) = status_kib("RssAnon:").map(|k| k * 1024) {
                PEAK_ANON.fetch_max(bytes, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
}

fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// This process's peak resident set (Linux `VmHWM`).
pub fn peak_rss_bytes() -> Option<u64> {
    status_kib("VmHWM:").map(|k| k * 1024)
}

/// Bytes of every file under `path`.
pub fn folder_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    };
    entries
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                folder_size(&path)
            } else {
                entry.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

/// Latency percentiles of one engine over the whole query set.
#[derive(Debug, Clone)]
pub struct Latency {
    pub engine: String,
    pub samples: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The median of each kind of query (term, AND, OR, phrase, filter), in query-set order.
    pub by_kind: Vec<(&'static str, f64)>,
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted
        .get(i)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(f64::NAN)
}

impl Latency {
    pub fn of(engine: &str, samples: Vec<(&'static str, Duration)>) -> Self {
        let mut kinds: Vec<&'static str> = Vec::new();
        for (label, _) in &samples {
            let kind = label.split(' ').next().unwrap_or(label);
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        let by_kind = kinds
            .into_iter()
            .map(|kind| {
                let mut of_kind: Vec<Duration> = samples
                    .iter()
                    .filter(|(l, _)| l.split(' ').next() == Some(kind))
                    .map(|(_, d)| *d)
                    .collect();
                of_kind.sort();
                (kind, percentile(&of_kind, 0.5))
            })
            .collect();
        let mut all: Vec<Duration> = samples.into_iter().map(|(_, d)| d).collect();
        all.sort();
        Self {
            engine: engine.to_owned(),
            samples: all.len(),
            p50_ms: percentile(&all, 0.50),
            p99_ms: percentile(&all, 0.99),
            by_kind,
        }
    }
}
