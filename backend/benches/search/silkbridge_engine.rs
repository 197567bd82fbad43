//! silkbridge itself: documents stored as publications in its SQLite database, indexed by
//! its own full rebuild (`silkbridge reindex`), queried through `GET /api/v1/search`.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

use diesel::prelude::*;
use silkbridge::config::Config;
use silkbridge::identity::input::NewOrganisationInput;
use silkbridge::identity::rules as identity;
use silkbridge::search;
use silkbridge_schema::models::Publication;
use silkbridge_schema::tables::publications;
use silkbridge_schema::{Database, PoolOptions};

use crate::corpus::Corpus;
use crate::figures::IndexFigures;

/// The default configuration over `dir`; `SILKBRIDGE_SEARCH__WRITER_MEMORY_MIB` and
/// `SILKBRIDGE_SEARCH__WRITER_THREADS` override the indexing settings, as they do for the server.
pub fn config(dir: &Path) -> Config {
    let mut config = Config {
        data_dir: dir.to_owned(),
        ..Config::default()
    };
    let number = |key: &str| std::env::var(key).ok().and_then(|v| v.parse().ok());
    if let Some(mib) = number("SILKBRIDGE_SEARCH__WRITER_MEMORY_MIB") {
        config.search.writer_memory_mib = mib;
    }
    if let Some(threads) = number("SILKBRIDGE_SEARCH__WRITER_THREADS") {
        config.search.writer_threads = threads;
    }
    config
}

fn database(config: &Config) -> Database {
    Database::open(&config.database_url(), &PoolOptions::default())
        .unwrap_or_else(|e| panic!("cannot open the benchmark database: {e}"))
}

/// The datestamp of document 0; document `i` is `i` milliseconds later (the OAI-PMH
/// measurement builds its deep resumption token from this).
pub fn first_datestamp() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// Stores `docs` documents as publications of ten organisations (not measured: set-up).
pub fn load(dir: &Path, corpus: &Corpus, docs: usize) {
    let config = config(dir);
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    let db = database(&config);
    let mut conn = db.connection().unwrap_or_else(|e| panic!("{e}"));
    let organisations: Vec<String> = (0..10)
        .map(|k| {
            identity::create_organisation(
                &mut conn,
                NewOrganisationInput {
                    slug: format!("bench-org-{k}"),
                    name: format!("Benchmark organisation {k}"),
                    names: BTreeMap::new(),
                    kind: "agency".into(),
                    country: if k % 2 == 0 { "UZ" } else { "AZ" }.into(),
                    website: None,
                },
            )
            .unwrap_or_else(|e| panic!("{e}"))
            .id
        })
        .collect();
    let start = first_datestamp();
    let authors =
        r#"[{"name":"Benchmark Author","orcid":null,"affiliation":null,"organisation":null}]"#;
    let bar = indicatif::ProgressBar::new(docs as u64);
    for chunk_start in (0..docs).step_by(1000) {
        let rows: Vec<Publication> = (chunk_start..(chunk_start + 1000).min(docs))
            .map(|i| {
                let doc = corpus.doc(i);
                let at = start + chrono::TimeDelta::milliseconds(i as i64);
                Publication {
                    id: doc.id,
                    organisation_id: organisations[doc.organisation].clone(),
                    publication_type: "article".into(),
                    language: doc.lang.into(),
                    title: doc.title,
                    abstract_text: doc.body,
                    translations_json: "{}".into(),
                    authors_json: authors.into(),
                    keywords_json: "[]".into(),
                    subjects_json: "[]".into(),
                    issued: doc.year.to_string(),
                    year: doc.year,
                    venue: None,
                    doi: None,
                    licence: "CC-BY-4.0".into(),
                    access_level: if doc.public { "open" } else { "organisation" }.into(),
                    embargo_until: None,
                    version: 1,
                    ever_open: doc.public,
                    deleted_at: None,
                    created_by: "benchmark".into(),
                    created_at: at,
                    updated_at: at,
                }
            })
            .collect();
        // One row per statement: diesel's multi-backend connection has no batch insert.
        silkbridge_schema::write_transaction(&mut conn, |conn| {
            for row in &rows {
                diesel::insert_into(publications::table)
                    .values(row)
                    .execute(conn)
                    .map_err(silkbridge_schema::DbError::from)?;
            }
            Ok::<_, silkbridge_schema::DbError>(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
        bar.inc(rows.len() as u64);
    }
    bar.finish_and_clear();
}

/// The full rebuild, timed: what `silkbridge reindex` does.
pub fn index(dir: &Path) -> IndexFigures {
    let config = config(dir);
    let db = database(&config);
    let index = search::open_index(&config).unwrap_or_else(|e| panic!("{e}"));
    let started = Instant::now();
    let outcome = search::rebuild(&db, &index, search::REBUILD_BATCH, &mut |_| {
        ControlFlow::Continue(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let seconds = started.elapsed().as_secs_f64();
    let search::RebuildOutcome::Complete { written } = outcome else {
        panic!("the rebuild stopped early")
    };
    IndexFigures::measured(
        "silkbridge (Tantivy)",
        written,
        seconds,
        crate::figures::folder_size(&config.index_dir()),
    )
}
