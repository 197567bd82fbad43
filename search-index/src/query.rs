//! Queries: words (all must match, longer ones with typo tolerance) or the full query syntax
//! (phrases, AND/OR/NOT, +/-), filters, facet counts, sorting, snippets, pagination. The
//! caller's access tokens are part of the query itself, so hidden documents never reach
//! results, totals or facet counts.

use std::collections::BTreeSet;

use std::ops::Bound;
use tantivy::collector::{Count, FacetCollector, TopDocs};

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, QueryParser,
    RangeQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Order, TantivyDocument, Term};

use crate::disclosure::caller_knows;
use crate::fold::fold;
use crate::{IndexError, SearchIndex};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Deepest result reachable by paging.
pub const MAX_OFFSET: usize = 10_000;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchOrder {
    #[default]
    Relevance,
    /// Most recently changed first.
    Newest,
}

/// One search.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    /// The caller's access tokens (`public`, `org:<id>`).
    pub access: Vec<String>,
    pub kinds: Vec<String>,
    pub country: Option<String>,
    pub organisation_id: Option<String>,
    /// Items of this year or later.
    pub year_from: Option<i32>,
    /// Items of this year or earlier.
    pub year_to: Option<i32>,
    /// Items readable in any of these language tags.
    pub languages: Vec<String>,
    /// Items under this SPDX licence.
    pub licence: Option<String>,
    /// Items carrying every one of these tags.
    pub tags: Vec<String>,
    pub order: SearchOrder,
    pub offset: usize,
    pub limit: usize,
}

/// One found document.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: String,
    pub entity_id: String,
    pub title: String,
    /// A passage of the text with the matched words in `<mark>…</mark>` (HTML-escaped).
    pub snippet: String,
    pub organisation_id: Option<String>,
    pub country: Option<String>,
    pub updated_at: i64,
    pub score: f32,
}

/// A facet value and how many matching documents have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// A page of results with the total and facet counts of the whole match.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<SearchHit>,
    pub kinds: Vec<FacetCount>,
    pub countries: Vec<FacetCount>,
    pub languages: Vec<FacetCount>,
    /// Organisation ids, the most frequent first (at most `TOP_FACET_VALUES`).
    pub organisations: Vec<FacetCount>,
    /// Years, newest first.
    pub years: Vec<FacetCount>,
    pub licences: Vec<FacetCount>,
    /// Tags as written (lower case), the most frequent first (at most `TOP_FACET_VALUES`).
    pub tags: Vec<FacetCount>,
}

/// Values shown of a facet that can have many (tags, organisations).
pub const TOP_FACET_VALUES: usize = 20;

fn term_query(field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

/// The stemmed form of the query word as the user wrote it (`original` is the whole query;
/// the folded `word` is found in it by position). Stems match words of the same root in
/// English and Russian: `statistics` ↔ `statistical`, `исследования` ↔ `исследование`.
fn stemmed_clauses(
    field: tantivy::schema::Field,
    original: &str,
    folded_word: &str,
) -> Vec<(Occur, Box<dyn Query>)> {
    let written: Vec<&str> = original
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    written
        .into_iter()
        .filter(|w| fold(w) == folded_word)
        .flat_map(crate::analyzers::stems)
        .map(|stem| {
            let query: Box<dyn Query> = Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &stem),
                    IndexRecordOption::WithFreqs,
                )),
                1.5,
            ));
            (Occur::Should, query)
        })
        .collect()
}

/// Whether the text uses query syntax rather than plain words.
fn uses_syntax(text: &str) -> bool {
    text.contains(['"', '(', ')', ':', '+', '-', '*'])
        || text
            .split_whitespace()
            .any(|w| matches!(w, "AND" | "OR" | "NOT"))
}

/// Folds the words of a syntax query but keeps its operators.
fn fold_syntax(text: &str) -> String {
    text.split_inclusive(char::is_whitespace)
        .map(|part| {
            let word = part.trim_end();
            if matches!(word, "AND" | "OR" | "NOT") {
                part.to_owned()
            } else {
                fold(part)
            }
        })
        .collect()
}

/// A search that failed because of what the query named (`nosuchfield:*` parses, then fails
/// when run) is the caller's error; anything else is the index's.
fn query_error(error: tantivy::TantivyError) -> IndexError {
    match error {
        tantivy::TantivyError::FieldNotFound(name) => {
            IndexError::Query(format!("there is no field `{name}` to search in"))
        }
        other => other.into(),
    }
}

impl SearchIndex {
    /// Runs a search; malformed query syntax is `IndexError::Query`.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, IndexError> {
        let f = self.fields;
        let text = request.text.trim();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(IndexError::Query(format!(
                "a query has at most {MAX_QUERY_CHARS} characters"
            )));
        }
        if request.offset > MAX_OFFSET {
            return Err(IndexError::Query(format!(
                "results beyond the first {MAX_OFFSET} are not served; narrow the query"
            )));
        }
        let searcher = self.reader.searcher();
        // Access: only documents sharing a token with the caller, inside the query.
        let visible = BooleanQuery::new(
            request
                .access
                .iter()
                .map(|token| (Occur::Should, term_query(f.access, token)))
                .collect(),
        );
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut words: Vec<String> = Vec::new();
        if !text.is_empty() {
            if uses_syntax(text) {
                let mut parser =
                    QueryParser::for_index(&self.index, vec![f.title_folded, f.body_folded]);
                parser.set_field_boost(f.title_folded, 2.0);
                let folded = fold_syntax(text);
                let parsed = parser
                    .parse_query(&folded)
                    .map_err(|e| IndexError::Query(e.to_string()))?;
                clauses.push((Occur::Must, parsed));
                words = folded
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "NOT"))
                    .map(str::to_owned)
                    .collect();
            } else {
                words = fold(text)
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect();
                for word in &words {
                    // A word the index holds is taken as meant, and from 5 letters on also
                    // matches the words it begins (Uzbek and Azerbaijani suffixes, which no
                    // stemmer removes: `ozbekiston` finds `ozbekistonda`). A word the index
                    // does not hold is taken as a typo: from 5 letters on it matches words one
                    // edit away, from 9 two. (Fuzzy matching of known words would scan the
                    // whole term dictionary for every query: several times slower at 1M
                    // documents, see docs/performance.md.)
                    let known =
                        caller_knows(&searcher, &[f.body_folded, f.title_folded], word, &visible)?;
                    let (distance, prefix) = match word.chars().count() {
                        0..=4 => (0, false),
                        _ if known => (0, true),
                        5..=8 => (1, false),
                        _ => (2, false),
                    };
                    let mut per_field: Vec<(Occur, Box<dyn Query>)> =
                        [(f.title_folded, 2.0), (f.body_folded, 1.0)]
                            .into_iter()
                            .flat_map(|(field, boost)| {
                                let term = Term::from_field_text(field, word);
                                let exact: Box<dyn Query> = Box::new(BoostQuery::new(
                                    Box::new(TermQuery::new(
                                        term.clone(),
                                        IndexRecordOption::WithFreqs,
                                    )),
                                    boost * 2.0,
                                ));
                                let mut both = vec![(Occur::Should, exact)];
                                let near = if prefix {
                                    Some(FuzzyTermQuery::new_prefix(term, 0, true))
                                } else if distance > 0 {
                                    Some(FuzzyTermQuery::new(term, distance, true))
                                } else {
                                    None
                                };
                                if let Some(near) = near {
                                    let near: Box<dyn Query> =
                                        Box::new(BoostQuery::new(Box::new(near), boost));
                                    both.push((Occur::Should, near));
                                }
                                both
                            })
                            .collect();
                    per_field.extend(stemmed_clauses(f.text_stemmed, text, word));
                    clauses.push((Occur::Must, Box::new(BooleanQuery::new(per_field))));
                }
            }
        }
        // Filters decide what matches, not how well: scored, their terms' statistics (the
        // access field's above all) would move with hidden documents.
        let mut filters: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(visible))];
        if !request.kinds.is_empty() {
            let kinds = request
                .kinds
                .iter()
                .map(|k| (Occur::Should, term_query(f.kind, k)))
                .collect();
            filters.push((Occur::Must, Box::new(BooleanQuery::new(kinds))));
        }
        if let Some(country) = &request.country {
            filters.push((Occur::Must, term_query(f.country, country)));
        }
        if let Some(org) = &request.organisation_id {
            filters.push((Occur::Must, term_query(f.organisation_id, org)));
        }
        if request.year_from.is_some() || request.year_to.is_some() {
            let bound = |year: Option<i32>, inclusive: fn(Term) -> Bound<Term>| {
                year.map_or(Bound::Unbounded, |y| {
                    inclusive(Term::from_field_i64(f.year, i64::from(y)))
                })
            };
            filters.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    bound(request.year_from, Bound::Included),
                    bound(request.year_to, Bound::Included),
                )),
            ));
        }
        if !request.languages.is_empty() {
            let languages = request
                .languages
                .iter()
                .map(|l| (Occur::Should, term_query(f.languages, l)))
                .collect();
            filters.push((Occur::Must, Box::new(BooleanQuery::new(languages))));
        }
        if let Some(licence) = &request.licence {
            filters.push((Occur::Must, term_query(f.licence, licence)));
        }
        for tag in &request.tags {
            filters.push((Occur::Must, term_query(f.tags, &crate::tag_key(tag))));
        }
        clauses.push((
            Occur::Must,
            Box::new(ConstScoreQuery::new(
                Box::new(BooleanQuery::new(filters)),
                0.0,
            )),
        ));
        let query = BooleanQuery::new(clauses);

        let mut facets = FacetCollector::for_field("facets");
        facets.add_facet("/kind");
        facets.add_facet("/country");
        facets.add_facet("/language");
        facets.add_facet("/organisation");
        facets.add_facet("/year");
        facets.add_facet("/licence");
        facets.add_facet("/tag");
        let limit = request.limit.clamp(1, 100);
        let (total, facet_counts, ranked): (usize, _, Vec<(f32, tantivy::DocAddress)>) =
            match request.order {
                SearchOrder::Relevance => {
                    let top = TopDocs::with_limit(limit)
                        .and_offset(request.offset)
                        .order_by_score();
                    searcher
                        .search_with_statistics_provider(
                            &query,
                            &(Count, facets, top),
                            &self.public_statistics(&searcher)?,
                        )
                        .map_err(query_error)?
                }
                SearchOrder::Newest => {
                    let top = TopDocs::with_limit(limit)
                        .and_offset(request.offset)
                        .order_by_fast_field::<i64>("updated_at", Order::Desc);
                    let (total, counts, docs) = searcher
                        .search(&query, &(Count, facets, top))
                        .map_err(query_error)?;
                    (
                        total,
                        counts,
                        docs.into_iter()
                            .map(|(_, address)| (0.0, address))
                            .collect(),
                    )
                }
            };
        let value_of = |facet: &tantivy::schema::Facet, count: u64| FacetCount {
            value: facet
                .to_path()
                .last()
                .map(|s| (*s).to_owned())
                .unwrap_or_default(),
            count,
        };
        let count_of = |prefix: &str| -> Vec<FacetCount> {
            facet_counts
                .get(prefix)
                .map(|(facet, count)| value_of(facet, count))
                .collect()
        };
        // Ties in count are broken by value, so the same match always lists the same values.
        let top_of = |prefix: &str| -> Vec<FacetCount> {
            let mut all = count_of(prefix);
            all.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            all.truncate(TOP_FACET_VALUES);
            all
        };
        let organisations = top_of("/organisation");
        let tags = top_of("/tag");
        let licences = count_of("/licence");
        let mut years = count_of("/year");
        years.sort_by(|a, b| {
            let year = |c: &FacetCount| c.value.parse::<i32>().unwrap_or_default();
            year(b).cmp(&year(a))
        });
        let kinds = count_of("/kind");
        let countries = count_of("/country");
        let languages = count_of("/language");
        let matched: BTreeSet<String> = words.into_iter().collect();
        let mut hits = Vec::with_capacity(ranked.len());
        for (score, address) in ranked {
            let stored: TantivyDocument = searcher.doc(address)?;
            let text_of = |field| {
                stored
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            };
            let title = text_of(f.title).unwrap_or_default();
            let body = text_of(f.body).unwrap_or_default();
            hits.push(SearchHit {
                kind: text_of(f.kind).unwrap_or_default(),
                entity_id: text_of(f.entity_id).unwrap_or_default(),
                snippet: snippet(&body, &matched),
                title,
                organisation_id: text_of(f.organisation_id),
                country: text_of(f.country),
                updated_at: stored
                    .get_first(f.updated_at)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                score,
            });
        }
        Ok(SearchResults {
            total,
            hits,
            kinds,
            countries,
            languages,
            organisations,
            years,
            licences,
            tags,
        })
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Up to 30 words around the first matched word, matches marked. Words are compared folded,
/// so a Latin query marks Cyrillic words and back; a near match (one edit) or a longer word
/// the query word begins is marked too.
fn snippet(body: &str, matched: &BTreeSet<String>) -> String {
    const WINDOW: usize = 30;
    let words: Vec<&str> = body.split_whitespace().collect();
    let is_match = |word: &str| {
        let folded: String = fold(word).chars().filter(|c| c.is_alphanumeric()).collect();
        !folded.is_empty()
            && matched.iter().any(|m| {
                folded == *m
                    || (m.chars().count() >= 5
                        && (folded.starts_with(m.as_str()) || close(&folded, m)))
            })
    };
    let first = words.iter().position(|w| is_match(w)).unwrap_or(0);
    let start = first.saturating_sub(WINDOW / 3);
    let end = (start + WINDOW).min(words.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for (i, word) in words[start..end].iter().enumerate() {
        if i > 0 || start > 0 {
            out.push(' ');
        }
        if is_match(word) {
            out.push_str("<mark>");
            out.push_str(&escape(word));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape(word));
        }
    }
    if end < words.len() {
        out.push_str(" …");
    }
    out
}

/// Levenshtein distance of at most one.
fn close(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (mut i, mut j, mut edits) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        match a.len().cmp(&b.len()) {
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    edits + (a.len() - i) + (b.len() - j) <= 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CommitState, IndexDocument, IndexOptions, SCHEMA_VERSION};

    fn doc(
        id: &str,
        kind: &str,
        country: &str,
        title: &str,
        body: &str,
        access: &str,
        at: i64,
    ) -> IndexDocument {
        IndexDocument {
            kind: kind.into(),
            entity_id: id.into(),
            title: title.into(),
            body: body.into(),
            organisation_id: Some(format!("org-{country}")),
            country: Some(country.into()),
            access: vec![access.into()],
            updated_at: at,
            // 2021, 2023, 2022, 2024 for the four documents below.
            year: Some(2020 + i32::try_from(at / 10).unwrap()),
            languages: if country == "UZ" {
                vec!["uz-Latn".into(), "uz-Cyrl".into()]
            } else {
                vec!["az".into(), "en".into()]
            },
            licence: Some(if at == 30 { "CC0-1.0" } else { "CC-BY-4.0" }.into()),
            tags: vec![
                if kind == "publication" {
                    "Tadqiqot"
                } else {
                    "Statistika"
                }
                .into(),
            ],
        }
    }

    fn index() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open_or_create(dir.path(), &IndexOptions::default()).unwrap();
        for document in [
            doc(
                "1",
                "publication",
                "UZ",
                "Тадқиқот натижалари",
                "Ўзбекистонда ўтказилган тадқиқот",
                "public",
                10,
            ),
            doc(
                "2",
                "publication",
                "UZ",
                "Tadqiqot usullari",
                "Oʻzbekiston universitetlari uchun qoʻllanma",
                "public",
                30,
            ),
            doc(
                "3",
                "dataset",
                "AZ",
                "Statistics of Azerbaijan",
                "Özbəkistan və Azərbaycan ticarəti; исследование торговли",
                "public",
                20,
            ),
            doc(
                "4",
                "document",
                "AZ",
                "Confidential research memo",
                "tadqiqot ichki hujjat",
                "org:secret",
                40,
            ),
        ] {
            index.upsert(&document).unwrap();
        }
        index
            .commit(&CommitState {
                schema_version: SCHEMA_VERSION,
                position: Some("0:1".into()),
                ..CommitState::default()
            })
            .unwrap();
        (dir, index)
    }

    #[test]
    fn field_filters_narrow_and_stems_widen() {
        let (_dir, index) = index();
        let run = |request: SearchRequest| {
            let results = index
                .search(&SearchRequest {
                    access: vec!["public".into()],
                    limit: 10,
                    ..request
                })
                .unwrap();
            ids(&results)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            run(SearchRequest {
                year_from: Some(2022),
                year_to: Some(2023),
                ..SearchRequest::default()
            }),
            vec!["2", "3"]
        );
        assert_eq!(
            run(SearchRequest {
                languages: vec!["az".into()],
                ..SearchRequest::default()
            }),
            vec!["3"]
        );
        assert_eq!(
            run(SearchRequest {
                licence: Some("CC0-1.0".into()),
                ..SearchRequest::default()
            }),
            vec!["2"]
        );
        assert_eq!(
            run(SearchRequest {
                tags: vec!["тадқиқот".into()],
                ..SearchRequest::default()
            }),
            vec!["1", "2"],
            "tags match across scripts"
        );
        // `исследованиями` is four edits from `исследование` (beyond typo tolerance) but has
        // the same stem.
        assert_eq!(
            run(SearchRequest {
                text: "исследованиями".into(),
                ..SearchRequest::default()
            }),
            vec!["3"]
        );
        let facets = search(&index, "", &["public"]).languages;
        assert!(
            facets.contains(&FacetCount {
                value: "uz-Cyrl".into(),
                count: 2
            }),
            "{facets:?}"
        );
    }

    #[test]
    fn a_field_the_index_does_not_have_is_a_query_error_not_a_failure() {
        let (_dir, index) = fuzz_index();
        for text in ["¡:*", "#:*", "nosuchfield:*", "secret:x AND year:2020"] {
            let answer = index.search(&SearchRequest {
                text: text.into(),
                access: vec!["public".into()],
                limit: 5,
                ..SearchRequest::default()
            });
            assert!(
                matches!(answer, Err(IndexError::Query(_)) | Ok(_)),
                "{text}: {answer:?}"
            );
        }
        let unknown = index.search(&SearchRequest {
            text: "¡:*".into(),
            access: vec!["public".into()],
            limit: 5,
            ..SearchRequest::default()
        });
        assert!(matches!(unknown, Err(IndexError::Query(_))), "{unknown:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(fuzz_cases()))]

        /// Fuzz target: any query text, syntax or not, is an answer or `InvalidQuery`,
        /// never a panic, and only what the caller may see comes back.
        #[test]
        fn fuzz_query_text_never_panics(
            text in proptest::string::string_regex(
                "([a-zA-Zа-яА-ЯəğüöşıçƏ0-9 \"'*~^:()+\\-]|AND|OR|NOT|kind:|year:|lang:){0,40}"
            ).unwrap(),
            raw in ".{0,80}",
        ) {
            let (_dir, index) = fuzz_index();
            for text in [text, raw] {
                let request = SearchRequest {
                    text,
                    access: vec!["public".into()],
                    limit: 5,
                    ..SearchRequest::default()
                };
                match index.search(&request) {
                    Ok(results) => proptest::prop_assert!(
                        results.hits.iter().all(|h| h.entity_id != "4"),
                        "a hidden document was returned"
                    ),
                    Err(IndexError::Query(_)) => {}
                    Err(other) => proptest::prop_assert!(false, "{other}"),
                }
            }
        }
    }

    /// Cases per fuzz property: `PROPTEST_CASES` (CI raises it), else a quick default.
    fn fuzz_cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(64)
    }

    /// A small index shared by the fuzz cases: one open and one hidden document.
    fn fuzz_index() -> (
        std::sync::Arc<tempfile::TempDir>,
        std::sync::Arc<SearchIndex>,
    ) {
        static INDEX: std::sync::OnceLock<(
            std::sync::Arc<tempfile::TempDir>,
            std::sync::Arc<SearchIndex>,
        )> = std::sync::OnceLock::new();
        INDEX
            .get_or_init(|| {
                let (dir, index) = index();
                (std::sync::Arc::new(dir), std::sync::Arc::new(index))
            })
            .clone()
    }

    fn search(index: &SearchIndex, text: &str, access: &[&str]) -> SearchResults {
        index
            .search(&SearchRequest {
                text: text.into(),
                access: access.iter().map(|s| s.to_string()).collect(),
                limit: 10,
                ..SearchRequest::default()
            })
            .unwrap()
    }

    fn ids(results: &SearchResults) -> Vec<&str> {
        let mut ids: Vec<&str> = results.hits.iter().map(|h| h.entity_id.as_str()).collect();
        ids.sort();
        ids
    }

    #[test]
    fn latin_finds_cyrillic_and_back() {
        let (_dir, index) = index();
        assert_eq!(ids(&search(&index, "tadqiqot", &["public"])), ["1", "2"]);
        assert_eq!(ids(&search(&index, "тадқиқот", &["public"])), ["1", "2"]);
        // Every spelling finds both Uzbek texts (and, one letter away, Azerbaijani "Özbəkistan").
        for spelling in ["Oʻzbekiston", "O'zbekiston", "ozbekiston", "Ўзбекистон"] {
            let found = search(&index, spelling, &["public"]);
            assert!(
                ids(&found).starts_with(&["1", "2"]),
                "{spelling}: {:?}",
                ids(&found)
            );
            assert_eq!(
                found.hits[0].kind, "publication",
                "exact matches rank first"
            );
        }
        let hit = search(&index, "tadqiqot", &["public"]);
        let cyrillic = hit.hits.iter().find(|h| h.entity_id == "1").unwrap();
        assert!(
            cyrillic.snippet.contains("<mark>тадқиқот</mark>"),
            "{}",
            cyrillic.snippet
        );
    }

    #[test]
    fn hidden_documents_are_absent_from_results_totals_and_facets() {
        let (_dir, index) = index();
        let outsider = search(&index, "tadqiqot", &["public"]);
        assert_eq!(outsider.total, 2);
        assert!(!outsider.hits.iter().any(|h| h.entity_id == "4"));
        assert_eq!(
            outsider.kinds,
            vec![FacetCount {
                value: "publication".into(),
                count: 2
            }]
        );
        assert!(
            !outsider.countries.iter().any(|c| c.value == "AZ"),
            "{:?}",
            outsider.countries
        );
        assert!(
            !outsider.years.iter().any(|y| y.value == "2024"),
            "{:?}",
            outsider.years
        );
        assert!(
            !outsider.organisations.iter().any(|o| o.value == "org-AZ"),
            "{:?}",
            outsider.organisations
        );
        assert_eq!(
            outsider.tags.iter().map(|t| t.count).sum::<u64>(),
            2,
            "{:?}",
            outsider.tags
        );
        let insider = search(&index, "tadqiqot", &["public", "org:secret"]);
        assert_eq!(insider.total, 3);
        assert!(
            insider.years.contains(&FacetCount {
                value: "2024".into(),
                count: 1
            }),
            "{:?}",
            insider.years
        );
        assert_eq!(insider.years[0].value, "2024", "newest year first");
        assert!(insider.kinds.contains(&FacetCount {
            value: "document".into(),
            count: 1
        }));
    }

    #[test]
    fn typos_in_longer_words_are_forgiven_but_short_words_must_be_exact() {
        let (_dir, index) = index();
        assert_eq!(ids(&search(&index, "statistcs", &["public"])), ["3"]);
        assert_eq!(ids(&search(&index, "tadqiqto", &["public"])), ["1", "2"]);
        assert!(search(&index, "va", &["public"]).total <= 1);
        assert_eq!(
            search(&index, "vo", &["public"]).total,
            0,
            "no fuzziness under 5 letters"
        );
    }

    #[test]
    fn syntax_filters_order_and_pages() {
        let (_dir, index) = index();
        assert_eq!(
            ids(&search(&index, "\"tadqiqot usullari\"", &["public"])),
            ["2"]
        );
        assert_eq!(
            ids(&search(&index, "+tadqiqot -usullari", &["public"])),
            ["1"]
        );
        assert_eq!(
            ids(&search(&index, "usullari OR statistics", &["public"])),
            ["2", "3"]
        );
        assert!(matches!(
            index.search(&SearchRequest {
                text: "\"unclosed".into(),
                access: vec!["public".into()],
                limit: 5,
                ..SearchRequest::default()
            }),
            Err(IndexError::Query(_))
        ));
        let filtered = index
            .search(&SearchRequest {
                kinds: vec!["dataset".into()],
                access: vec!["public".into()],
                limit: 5,
                ..SearchRequest::default()
            })
            .unwrap();
        assert_eq!(ids(&filtered), ["3"]);
        let newest = index
            .search(&SearchRequest {
                access: vec!["public".into()],
                order: SearchOrder::Newest,
                limit: 2,
                ..SearchRequest::default()
            })
            .unwrap();
        assert_eq!(newest.total, 3);
        assert_eq!(
            newest
                .hits
                .iter()
                .map(|h| h.entity_id.as_str())
                .collect::<Vec<_>>(),
            ["2", "3"]
        );
        let second = index
            .search(&SearchRequest {
                access: vec!["public".into()],
                order: SearchOrder::Newest,
                limit: 2,
                offset: 2,
                ..SearchRequest::default()
            })
            .unwrap();
        assert_eq!(
            second
                .hits
                .iter()
                .map(|h| h.entity_id.as_str())
                .collect::<Vec<_>>(),
            ["1"]
        );
    }
}
