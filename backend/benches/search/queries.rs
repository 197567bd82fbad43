//! The fixed query set: single terms, AND, OR, phrases and filters, in the syntax each engine
//! speaks. The same words go to every engine.

/// One benchmark query.
#[derive(Debug, Clone)]
pub struct BenchQuery {
    pub label: &'static str,
    /// The words, in silkbridge's and PostgreSQL's `websearch_to_tsquery` syntax (which
    /// FTS5's MATCH also accepts for these queries).
    pub text: &'static str,
    pub country: Option<&'static str>,
    pub year_from: Option<i32>,
}

const fn query(label: &'static str, text: &'static str) -> BenchQuery {
    BenchQuery {
        label,
        text,
        country: None,
        year_from: None,
    }
}

pub const QUERIES: &[BenchQuery] = &[
    query("term", "translation"),
    query("term", "library"),
    query("term", "statistics"),
    query("term (ru)", "библиотека"),
    query("AND", "neural machine translation"),
    query("AND", "open data portal"),
    query("AND", "python module"),
    query("AND (ru)", "файлы данных"),
    query("OR", "speech OR audio"),
    query("OR", "graphics OR image"),
    query("phrase", "\"machine translation\""),
    query("phrase", "\"command line\""),
    BenchQuery {
        label: "filter country",
        text: "data",
        country: Some("UZ"),
        year_from: None,
    },
    BenchQuery {
        label: "filter year",
        text: "language model",
        country: None,
        year_from: Some(2015),
    },
];

impl BenchQuery {
    /// The silkbridge REST path.
    pub fn path(&self) -> String {
        let mut path = format!(
            "/api/v1/search?limit=20&q={}",
            url::form_urlencoded::byte_serialize(self.text.as_bytes()).collect::<String>()
        );
        if let Some(country) = self.country {
            path.push_str(&format!("&country={country}"));
        }
        if let Some(year) = self.year_from {
            path.push_str(&format!("&year_from={year}"));
        }
        path
    }
}
