//! The peers, queried directly: PostgreSQL full-text search (a generated `tsvector` column,
//! a GIN index, `ts_rank`) and SQLite FTS5 (`bm25`). Both get the same documents and the
//! same filters (anonymous caller: public documents only) as silkbridge.

use std::path::Path;
use std::time::Instant;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use diesel::{PgConnection, SqliteConnection};

use crate::corpus::Corpus;
use crate::figures::{IndexFigures, folder_size};
use crate::queries::BenchQuery;

const PG_SCHEMA: &str = "silkbridge_bench";

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    id: String,
}

#[derive(QueryableByName)]
struct Size {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    bytes: i64,
}

fn access(public: bool) -> &'static str {
    if public { "public" } else { "org" }
}

pub fn pg_connect(url: &str) -> PgConnection {
    let mut conn =
        PgConnection::establish(url).unwrap_or_else(|e| panic!("PostgreSQL at {url}: {e}"));
    diesel::sql_query(format!("SET search_path TO {PG_SCHEMA}, public"))
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    conn
}

/// Loads the documents into PostgreSQL in the way that favours it most (rows first, then the
/// GIN index in one build), timed from the first row to the analysed index.
pub fn pg_index(url: &str, corpus: &Corpus, docs: usize) -> IndexFigures {
    let mut conn = pg_connect(url);
    for statement in [
        format!("DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"),
        format!("CREATE SCHEMA {PG_SCHEMA}"),
        format!(
            "CREATE TABLE {PG_SCHEMA}.docs (id text PRIMARY KEY, title text NOT NULL, body text NOT NULL, \
             country text NOT NULL, year integer NOT NULL, access text NOT NULL, \
             tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', title), 'A') || \
             setweight(to_tsvector('simple', body), 'B')) STORED)"
        ),
    ] {
        diesel::sql_query(statement)
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let started = Instant::now();
    const ROWS: usize = 200;
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        for chunk in (0..docs).step_by(ROWS) {
            let end = (chunk + ROWS).min(docs);
            let values: Vec<String> = (0..end - chunk)
                .map(|k| {
                    let b = k * 6;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${})",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4,
                        b + 5,
                        b + 6
                    )
                })
                .collect();
            let mut query = diesel::sql_query(format!(
                "INSERT INTO docs (id, title, body, country, year, access) VALUES {}",
                values.join(", ")
            ))
            .into_boxed::<diesel::pg::Pg>();
            for i in chunk..end {
                let doc = corpus.doc(i);
                query = query
                    .bind::<Text, _>(doc.id)
                    .bind::<Text, _>(doc.title)
                    .bind::<Text, _>(doc.body)
                    .bind::<Text, _>(doc.country)
                    .bind::<Integer, _>(doc.year)
                    .bind::<Text, _>(access(doc.public));
            }
            query.execute(conn)?;
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    for statement in [
        "CREATE INDEX docs_tsv ON docs USING gin (tsv)",
        "ANALYZE docs",
    ] {
        diesel::sql_query(statement)
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let seconds = started.elapsed().as_secs_f64();
    let size: Size = diesel::sql_query(format!(
        "SELECT pg_total_relation_size('{PG_SCHEMA}.docs')::bigint AS bytes"
    ))
    .get_result(&mut conn)
    .unwrap_or_else(|e| panic!("{e}"));
    IndexFigures {
        engine: "PostgreSQL FTS (GIN)".into(),
        docs: docs as u64,
        seconds,
        docs_per_sec: docs as f64 / seconds,
        peak_rss_mib: None,
        peak_anon_mib: None,
        size_mib: size.bytes as f64 / 1_048_576.0,
    }
}

pub fn pg_query(conn: &mut PgConnection, query: &BenchQuery) -> usize {
    let mut sql = "SELECT id FROM docs, websearch_to_tsquery('simple', $1) q \
                   WHERE tsv @@ q AND access = 'public'"
        .to_owned();
    let mut next = 2;
    if query.country.is_some() {
        sql.push_str(&format!(" AND country = ${next}"));
        next += 1;
    }
    if query.year_from.is_some() {
        sql.push_str(&format!(" AND year >= ${next}"));
    }
    sql.push_str(" ORDER BY ts_rank(tsv, q) DESC LIMIT 20");
    let mut boxed = diesel::sql_query(sql)
        .into_boxed::<diesel::pg::Pg>()
        .bind::<Text, _>(query.text);
    if let Some(country) = query.country {
        boxed = boxed.bind::<Text, _>(country);
    }
    if let Some(year) = query.year_from {
        boxed = boxed.bind::<Integer, _>(year);
    }
    let rows: Vec<Id> = boxed.load(conn).unwrap_or_else(|e| panic!("{e}"));
    rows.len()
}

pub fn fts5_connect(path: &Path) -> SqliteConnection {
    SqliteConnection::establish(&path.display().to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads the documents into an FTS5 table in one transaction, timed to the commit.
pub fn fts5_index(path: &Path, corpus: &Corpus, docs: usize) -> IndexFigures {
    let _ = std::fs::remove_file(path);
    let mut conn = fts5_connect(path);
    for statement in [
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "CREATE VIRTUAL TABLE docs USING fts5(title, body, id UNINDEXED, country UNINDEXED, \
         year UNINDEXED, access UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')",
    ] {
        diesel::sql_query(statement)
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let started = Instant::now();
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        for i in 0..docs {
            let doc = corpus.doc(i);
            diesel::sql_query(
                "INSERT INTO docs (title, body, id, country, year, access) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind::<Text, _>(doc.title)
            .bind::<Text, _>(doc.body)
            .bind::<Text, _>(doc.id)
            .bind::<Text, _>(doc.country)
            .bind::<Integer, _>(doc.year)
            .bind::<Text, _>(access(doc.public))
            .execute(conn)?;
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let seconds = started.elapsed().as_secs_f64();
    diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    IndexFigures::measured("SQLite FTS5", docs as u64, seconds, folder_size(path))
}

pub fn fts5_query(conn: &mut SqliteConnection, query: &BenchQuery) -> usize {
    let mut sql = "SELECT id FROM docs WHERE docs MATCH ? AND access = 'public'".to_owned();
    if query.country.is_some() {
        sql.push_str(" AND country = ?");
    }
    if query.year_from.is_some() {
        sql.push_str(" AND year >= ?");
    }
    sql.push_str(" ORDER BY bm25(docs, 2.0, 1.0) LIMIT 20");
    let mut boxed = diesel::sql_query(sql)
        .into_boxed::<diesel::sqlite::Sqlite>()
        .bind::<Text, _>(query.text);
    if let Some(country) = query.country {
        boxed = boxed.bind::<Text, _>(country);
    }
    if let Some(year) = query.year_from {
        boxed = boxed.bind::<Integer, _>(year);
    }
    let rows: Vec<Id> = boxed.load(conn).unwrap_or_else(|e| panic!("{e}"));
    rows.len()
}
