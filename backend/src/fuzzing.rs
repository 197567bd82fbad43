//! Settings shared by the fuzz properties (`fuzz_*` tests, proptest) next to each parser of
//! user input: IMEI/IMEISV, OAI-PMH arguments and tokens, CKAN parameters, table and JSON
//! previews, multipart forms, Range headers (the search query syntax is fuzzed in
//! `search-index`). `cargo test` runs a quick pass; `.ci/run` a longer, still bounded one
//! (`PROPTEST_CASES`).

/// Cases per property: `PROPTEST_CASES`, else a quick default.
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// The proptest configuration of every fuzz property.
pub fn config() -> proptest::prelude::ProptestConfig {
    proptest::prelude::ProptestConfig {
        cases: cases(),
        // Failures are reported in the test output; nothing is written into the tree.
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    }
}
