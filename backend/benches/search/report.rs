//! The printed table and its copy in `docs/performance.md`.

use std::path::Path;

use crate::figures::{IndexFigures, Latency};
use crate::server::LoadFigures;

pub struct Report<'a> {
    pub label: &'a str,
    pub docs: usize,
    pub command: &'a str,
    /// silkbridge, PostgreSQL, FTS5.
    pub indexing: [&'a IndexFigures; 3],
    pub latency: [&'a Latency; 3],
    pub load: Option<&'a LoadFigures>,
    pub oai: &'a crate::oai::OaiFigures,
}

fn ratio(ours: f64, theirs: f64) -> String {
    format!("{:.2}×", ours / theirs)
}

pub fn render(report: &Report<'_>) -> String {
    let [ours, pg, fts5] = report.indexing;
    let [ours_q, pg_q, fts5_q] = report.latency;
    let mut out = String::new();
    out.push_str(&format!(
        "Corpus: {}.\nCommand: `cargo bench -p silkbridge --bench search -- {}`\nMachine: {} cores; {}.\n\n",
        report.label,
        report.command,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        chrono::Utc::now().format("%Y-%m-%d")
    ));
    out.push_str("| indexing | docs/s | seconds | peak own memory (RssAnon) | peak resident incl. mapped files (VmHWM) | index size |\n|---|---:|---:|---:|---:|---:|\n");
    let mib = |m: Option<f64>| m.map_or("(server process)".to_owned(), |m| format!("{m:.0} MiB"));
    for f in [ours, pg, fts5] {
        out.push_str(&format!(
            "| {} | {:.0} | {:.1} | {} | {} | {:.0} MiB |\n",
            f.engine,
            f.docs_per_sec,
            f.seconds,
            mib(f.peak_anon_mib),
            mib(f.peak_rss_mib),
            f.size_mib
        ));
    }
    out.push_str(&format!(
        "\nsilkbridge indexing vs PostgreSQL: {} (target ≥ 2×); vs FTS5: {} (target ≥ 1×); own memory {} (target ≤ 512 MiB); full reindex {:.0} s (target < 120 s at 1M).\n\n",
        ratio(ours.docs_per_sec, pg.docs_per_sec),
        ratio(ours.docs_per_sec, fts5.docs_per_sec),
        mib(ours.peak_anon_mib),
        ours.seconds
    ));
    let kinds: Vec<&str> = ours_q.by_kind.iter().map(|(k, _)| *k).collect();
    out.push_str(&format!(
        "| query latency ({} samples each) | p50 | p99 | {} |\n|---|---:|---:|{}\n",
        ours_q.samples,
        kinds
            .iter()
            .map(|k| format!("{k} p50"))
            .collect::<Vec<_>>()
            .join(" | "),
        "---:|".repeat(kinds.len())
    ));
    for q in [ours_q, pg_q, fts5_q] {
        out.push_str(&format!(
            "| {} | {:.2} ms | {:.2} ms | {} |\n",
            q.engine,
            q.p50_ms,
            q.p99_ms,
            q.by_kind
                .iter()
                .map(|(_, ms)| format!("{ms:.2} ms"))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    out.push_str(&format!(
        "\nsilkbridge (with HTTP and JSON) / PostgreSQL: p50 {} (target ≤ 0.10×), p99 {} (target ≤ 0.20×); / FTS5: p50 {}, p99 {}.\n",
        ratio(ours_q.p50_ms, pg_q.p50_ms),
        ratio(ours_q.p99_ms, pg_q.p99_ms),
        ratio(ours_q.p50_ms, fts5_q.p50_ms),
        ratio(ours_q.p99_ms, fts5_q.p99_ms),
    ));
    match report.load {
        Some(load) => out.push_str(&format!(
            "\nLoad (wrk, {} s, {} connections, 2 threads, rotating the query set): {:.0} requests/s, latency p50 {} p99 {}, errors {}.\n",
            load.seconds, load.connections, load.requests_per_sec, load.p50, load.p99, load.errors
        )),
        None => out.push_str("\nLoad test not run (wrk missing or --wrk-secs 0).\n"),
    }
    let oai = report.oai;
    out.push_str(&format!(
        "\nOAI-PMH `ListRecords` (100 records a page, over HTTP), first page against a page resumed at record {}: keyset token {:.1} ms / {:.1} ms ({}); an OFFSET query of the same page on the same database {:.1} ms / {:.1} ms ({}).\n",
        oai.depth,
        oai.keyset_first_ms,
        oai.keyset_deep_ms,
        ratio(oai.keyset_deep_ms, oai.keyset_first_ms),
        oai.offset_first_ms,
        oai.offset_deep_ms,
        ratio(oai.offset_deep_ms, oai.offset_first_ms),
    ));
    let _ = report.docs;
    out
}

/// Replaces (or appends) the section `name` of the performance document.
pub fn write_section(path: &Path, name: &str, body: &str) {
    super::sections::write_section(path, &format!("search-bench:{name}"), "", body);
}
