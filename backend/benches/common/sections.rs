//! Shared by the benchmarks: each writes its figures into `docs/performance.md` between its
//! own markers, so a run replaces its previous figures and leaves the others alone.

use std::path::Path;

/// Replaces the block between `<!-- {marker}:start -->` and `<!-- {marker}:end -->`, or
/// appends it (under `## {heading}` when a heading is given).
pub fn write_section(path: &Path, marker: &str, heading: &str, body: &str) {
    let start = format!("<!-- {marker}:start -->");
    let end = format!("<!-- {marker}:end -->");
    let current = std::fs::read_to_string(path).unwrap_or_else(|_| "# Performance\n".to_owned());
    let block = format!("{start}\n{body}{end}");
    let updated = match (current.find(&start), current.find(&end)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{}{}", &current[..a], block, &current[b + end.len()..])
        }
        _ if heading.is_empty() => format!("{}\n{}\n", current.trim_end(), block),
        _ => format!("{}\n\n## {heading}\n\n{}\n", current.trim_end(), block),
    };
    std::fs::write(path, updated).unwrap();
}
