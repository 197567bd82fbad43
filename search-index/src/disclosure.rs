//! What a search may learn from the index beyond the documents it returns. Two things in
//! a search engine depend on every document, not only on those a query matches: whether the
//! index "knows" a word (typo tolerance switches on for words it does not), and the
//! statistics of relevance scores (BM25's document frequencies). Decided over the whole
//! index, both let a caller probe whether a word occurs in a restricted or confidential
//! document: a near spelling in a public document is found or not, a score moves. So the
//! first is asked of the caller's visible documents, and scores are computed from the
//! public documents' statistics, which everyone may see (docs/security.md, Security II).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::query::{
    Bm25StatisticsProvider, BooleanQuery, EnableScoring, Occur, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocSet, Searcher, TERMINATED, Term};

/// The access token of documents everyone may read.
pub const PUBLIC_ACCESS: &str = "public";

/// Whether any live document that `visible` admits holds `word` in one of `fields`. Stops at
/// the first such document in each segment: an existence test, not a count.
pub fn caller_knows(
    searcher: &Searcher,
    fields: &[Field],
    word: &str,
    visible: &dyn Query,
) -> tantivy::Result<bool> {
    let holds: Vec<(Occur, Box<dyn Query>)> = fields
        .iter()
        .map(|field| {
            let term: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(*field, word),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, term)
        })
        .collect();
    let query = BooleanQuery::new(vec![
        (
            Occur::Must,
            Box::new(BooleanQuery::new(holds)) as Box<dyn Query>,
        ),
        (Occur::Must, visible.box_clone()),
    ]);
    Ok(live_matches(searcher, &query, Some(1))? > 0)
}

/// How many live documents match `query`, counting no further than `stop_at`.
fn live_matches(
    searcher: &Searcher,
    query: &dyn Query,
    stop_at: Option<u64>,
) -> tantivy::Result<u64> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut found = 0;
    for segment in searcher.segment_readers() {
        let mut scorer = weight.scorer(segment, 1.0)?;
        let alive = segment.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|bits| bits.is_alive(doc)) {
                found += 1;
                if stop_at.is_some_and(|stop| found >= stop) {
                    return Ok(found);
                }
            }
            doc = scorer.advance();
        }
    }
    Ok(found)
}

/// BM25 statistics of the public documents: how many there are, how many hold a term, and
/// how long their texts are (`PublicLengths`).
pub struct PublicStatistics<'a> {
    searcher: &'a Searcher,
    access: Field,
    lengths: FieldLengths,
}

impl<'a> PublicStatistics<'a> {
    pub fn new(searcher: &'a Searcher, access: Field, lengths: FieldLengths) -> Self {
        Self {
            searcher,
            access,
            lengths,
        }
    }

    fn public(&self) -> TermQuery {
        public_query(self.access)
    }
}

fn public_query(access: Field) -> TermQuery {
    TermQuery::new(
        Term::from_field_text(access, PUBLIC_ACCESS),
        IndexRecordOption::Basic,
    )
}

/// Total text length per field.
pub type FieldLengths = Arc<HashMap<Field, u64>>;

/// The total length (in tokens, as field norms record it) of the public documents' scored
/// text fields, computed once per index generation: a pass over every public document, so
/// not once per search.
#[derive(Default)]
pub struct PublicLengths {
    /// The index generation the totals are of, and the totals.
    cached: Mutex<Option<(u64, FieldLengths)>>,
}

impl PublicLengths {
    /// The totals for `searcher`'s generation of the index.
    pub fn of(
        &self,
        searcher: &Searcher,
        access: Field,
        fields: &[Field],
    ) -> tantivy::Result<FieldLengths> {
        let generation = searcher.generation().generation_id();
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((of, totals)) = cached.as_ref()
            && *of == generation
        {
            return Ok(totals.clone());
        }
        let weight =
            public_query(access).weight(EnableScoring::disabled_from_searcher(searcher))?;
        let mut totals: HashMap<Field, u64> = fields.iter().map(|f| (*f, 0)).collect();
        for segment in searcher.segment_readers() {
            let norms = fields
                .iter()
                .map(|f| Ok((*f, segment.get_fieldnorms_reader(*f)?)))
                .collect::<tantivy::Result<Vec<_>>>()?;
            let alive = segment.alive_bitset();
            let mut scorer = weight.scorer(segment, 1.0)?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|bits| bits.is_alive(doc)) {
                    for (field, reader) in &norms {
                        *totals.entry(*field).or_default() += u64::from(reader.fieldnorm(doc));
                    }
                }
                doc = scorer.advance();
            }
        }
        let totals = Arc::new(totals);
        *cached = Some((generation, totals.clone()));
        Ok(totals)
    }
}

impl Bm25StatisticsProvider for PublicStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        match self.lengths.get(&field) {
            Some(total) => Ok(*total),
            // Keyword fields (kinds, countries, languages) hold about one token a document;
            // the whole index's count would move with hidden documents.
            None => self.total_num_docs(),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        // Deleted documents count until their segment merges, as in tantivy's own statistics;
        // it is never below `doc_freq` below, as BM25's inverse document frequency requires.
        self.searcher
            .doc_freq(&Term::from_field_text(self.access, PUBLIC_ACCESS))
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let query = BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::Basic)) as Box<dyn Query>,
            ),
            (Occur::Must, Box::new(self.public())),
        ]);
        live_matches(self.searcher, &query, None)
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        CommitState, IndexDocument, IndexOptions, SCHEMA_VERSION, SearchIndex, SearchRequest,
    };

    fn document(id: &str, body: &str, access: &str) -> IndexDocument {
        IndexDocument {
            kind: "publication".into(),
            entity_id: id.into(),
            title: format!("Hisobot {id}"),
            body: body.into(),
            organisation_id: None,
            country: Some("UZ".into()),
            access: vec![access.into()],
            updated_at: 1,
            year: None,
            languages: Vec::new(),
            licence: None,
            tags: Vec::new(),
        }
    }

    /// What an outsider sees of a search, with and without a confidential document holding
    /// `secret_word`.
    fn answers(query: &str, secret_word: &str) -> [Vec<(String, u32)>; 2] {
        [false, true].map(|with_secret| {
            let dir = tempfile::tempdir().unwrap();
            let index = SearchIndex::open_or_create(dir.path(), &IndexOptions::default()).unwrap();
            index
                .upsert(&document("1", "paxtachilik hosildorligi", "public"))
                .unwrap();
            index
                .upsert(&document("2", "paxtachilik va bogʻdorchilik", "public"))
                .unwrap();
            if with_secret {
                index
                    .upsert(&document(
                        "3",
                        &format!("{secret_word} paxtachilik"),
                        "org:secret",
                    ))
                    .unwrap();
            }
            index
                .commit(&CommitState {
                    schema_version: SCHEMA_VERSION,
                    ..CommitState::default()
                })
                .unwrap();
            let results = index
                .search(&SearchRequest {
                    text: query.into(),
                    access: vec!["public".into()],
                    limit: 10,
                    ..SearchRequest::default()
                })
                .unwrap();
            results
                .hits
                .into_iter()
                .map(|hit| (hit.entity_id, hit.score.to_bits()))
                .collect()
        })
    }

    #[test]
    fn a_word_only_a_hidden_document_holds_leaves_typo_tolerance_on() {
        // The query is one edit from the public `hosildorligi` and spelt exactly as in the
        // hidden document: were the hidden word "known", typo tolerance would switch off.
        let [without, with] = answers("hosildorligx", "hosildorligx");
        assert_eq!(
            without.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(),
            ["1"]
        );
        assert_eq!(
            without, with,
            "a hidden document changed what an outsider finds"
        );
    }

    #[test]
    fn hidden_documents_do_not_move_public_scores() {
        let [without, with] = answers("paxtachilik", "maxfiy");
        assert_eq!(without.len(), 2);
        assert_eq!(
            without, with,
            "a hidden document changed the scores an outsider sees"
        );
    }
}
