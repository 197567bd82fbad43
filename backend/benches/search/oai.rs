//! OAI-PMH paging over the same million publications: the first page of a harvest against a
//! page resumed 90 % of the way through, by silkbridge's keyset token (over HTTP), and by an
//! OFFSET query, the way offset tokens page (SQL on the same database, for comparison).

use std::path::Path;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use silkbridge::research::oai::request::ResumptionToken;

use crate::server::Server;

/// Medians of ten fetches, in milliseconds.
#[derive(Debug, Clone)]
pub struct OaiFigures {
    pub depth: usize,
    pub keyset_first_ms: f64,
    pub keyset_deep_ms: f64,
    pub offset_first_ms: f64,
    pub offset_deep_ms: f64,
}

fn median(mut run: impl FnMut()) -> f64 {
    run(); // warm-up
    let mut samples: Vec<Duration> = (0..10)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1000.0
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    #[allow(dead_code)]
    id: String,
}

pub fn measure(server: &Server, database: &Path, docs: usize) -> OaiFigures {
    let depth = docs * 9 / 10;
    let after = (
        crate::silkbridge_engine::first_datestamp() + chrono::TimeDelta::milliseconds(depth as i64),
        format!("bench-{depth:08}"),
    );
    let token = ResumptionToken {
        metadata_prefix: "oai_dc".into(),
        set: None,
        from: None,
        until: None,
        after,
    }
    .encode();
    let first = "/oai?verb=ListRecords&metadataPrefix=oai_dc".to_owned();
    let deep = format!("/oai?verb=ListRecords&resumptionToken={token}");
    let keyset_first_ms = median(|| {
        server.get_text(&first);
    });
    let keyset_deep_ms = median(|| {
        let body = server.get_text(&deep);
        assert!(body.contains("<record>"), "the deep page is empty: {body}");
    });
    let mut conn = SqliteConnection::establish(&database.display().to_string()).unwrap();
    let mut offset_page = |offset: usize| {
        diesel::sql_query(
            "SELECT id FROM publications WHERE ever_open = 1 ORDER BY updated_at, id LIMIT 101 OFFSET ?",
        )
        .bind::<BigInt, _>(offset as i64)
        .load::<Row>(&mut conn)
        .unwrap();
    };
    let offset_first_ms = median(|| offset_page(0));
    let offset_deep_ms = median(|| offset_page(depth));
    OaiFigures {
        depth,
        keyset_first_ms,
        keyset_deep_ms,
        offset_first_ms,
        offset_deep_ms,
    }
}
