//! Opening, writing and committing the index.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::Facet;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

use crate::document::document_key;
use crate::fields::{Fields, SCHEMA_VERSION, build_schema, fields_of};
use crate::fold::fold;
use crate::{IndexDocument, IndexError};

/// Tuning of the writer.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Memory the writer may buffer before flushing a segment. Bounded so that indexing a
    /// large corpus does not grow the process without limit.
    pub writer_memory_bytes: usize,
    /// Indexing threads; 1 keeps the server responsive on small machines.
    pub writer_threads: usize,
}

impl Default for IndexOptions {
    fn default() -> Self {
        Self {
            writer_memory_bytes: 64 * 1024 * 1024,
            writer_threads: 1,
        }
    }
}

/// What a commit records beside the documents (Tantivy's commit payload).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitState {
    pub schema_version: u32,
    /// The change-log position (opaque to this crate) that the committed documents reflect.
    /// `None` means the index has never been filled and needs a full rebuild.
    pub position: Option<String>,
    /// During a rebuild: the last item key written, so an interrupted rebuild resumes.
    pub rebuild_after: Option<String>,
    /// During a rebuild: the position the rebuild will reflect once finished.
    pub rebuild_target: Option<String>,
    /// During a rebuild: how far the tailer has applied the change log meanwhile (from
    /// `rebuild_target` on), so visibility changes and deletions reach search at once,
    /// rebuild or not.
    #[serde(default)]
    pub rebuild_tail: Option<String>,
}

/// A hit of the minimal query used to check an index; the search issue builds the real one.
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleHit {
    pub kind: String,
    pub entity_id: String,
    pub title: String,
}

/// An open index with its single writer.
pub struct SearchIndex {
    path: PathBuf,
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    writer: Mutex<IndexWriter>,
    pub(crate) fields: Fields,
    /// Text lengths of the public documents, for scores (`disclosure`).
    pub(crate) public_lengths: crate::disclosure::PublicLengths,
}

impl SearchIndex {
    /// Opens the index at `path`, creating an empty one if the folder is new or empty.
    pub fn open_or_create(path: &Path, options: &IndexOptions) -> Result<Self, IndexError> {
        let shown = path.display().to_string();
        std::fs::create_dir_all(path).map_err(|e| IndexError::Folder {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let is_new = !path.join("meta.json").exists();
        let index = if is_new {
            let (schema, _) = build_schema();
            Index::create_in_dir(path, schema)?
        } else {
            Index::open_in_dir(path).map_err(|e| IndexError::Corrupt {
                path: shown.clone(),
                reason: e.to_string(),
            })?
        };
        crate::analyzers::register(&index);
        let fields = fields_of(&index.schema()).map_err(|e| IndexError::Corrupt {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let writer = index
            .writer_with_num_threads(options.writer_threads.max(1), options.writer_memory_bytes)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => IndexError::Locked,
                other => IndexError::Tantivy(other),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let this = Self {
            path: path.to_owned(),
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            public_lengths: Default::default(),
        };
        if is_new {
            this.commit(&CommitState {
                schema_version: SCHEMA_VERSION,
                ..CommitState::default()
            })?;
        } else {
            let found = this.commit_state()?.schema_version;
            if found != SCHEMA_VERSION {
                return Err(IndexError::SchemaMismatch {
                    path: shown,
                    found,
                    expected: SCHEMA_VERSION,
                });
            }
        }
        Ok(this)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The state recorded by the last commit.
    pub fn commit_state(&self) -> Result<CommitState, IndexError> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default())
    }

    fn writer(&self) -> MutexGuard<'_, IndexWriter> {
        // A poisoned lock only means another thread panicked mid-call; the writer itself
        // stays consistent (uncommitted work is simply discarded on the next rollback).
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds or replaces a document (by kind and id). Visible after the next commit.
    pub fn upsert(&self, document: &IndexDocument) -> Result<(), IndexError> {
        let f = self.fields;
        let key = document.key();
        let mut tantivy_doc = doc!(
            f.key => key.clone(),
            f.kind => document.kind.clone(),
            f.entity_id => document.entity_id.clone(),
            f.title => document.title.clone(),
            f.body => document.body.clone(),
            f.title_folded => fold(&document.title),
            f.body_folded => fold(&document.body),
            f.text_stemmed => document.title.as_str(),
            f.text_stemmed => document.body.as_str(),
            f.updated_at => document.updated_at,
        );
        if let Some(year) = document.year {
            tantivy_doc.add_i64(f.year, i64::from(year));
            tantivy_doc.add_facet(f.facets, Facet::from_path(["year", &year.to_string()]));
        }
        for lang in &document.languages {
            tantivy_doc.add_text(f.languages, lang);
            tantivy_doc.add_facet(f.facets, Facet::from_path(["language", lang.as_str()]));
        }
        if let Some(licence) = &document.licence {
            tantivy_doc.add_text(f.licence, licence);
            tantivy_doc.add_facet(f.facets, Facet::from_path(["licence", licence.as_str()]));
        }
        // Filters compare folded keys (either script, any case); the facet shows the tag as
        // written, in lower case, once per document however many spellings it carries.
        let mut keys = std::collections::BTreeSet::new();
        for tag in &document.tags {
            let key = crate::analyzers::tag_key(tag);
            if !key.is_empty() && keys.insert(key.clone()) {
                tantivy_doc.add_text(f.tags, &key);
                let shown = tag.trim().to_lowercase();
                tantivy_doc.add_facet(f.facets, Facet::from_path(["tag", shown.as_str()]));
            }
        }
        tantivy_doc.add_facet(f.facets, Facet::from_path(["kind", document.kind.as_str()]));
        if let Some(org) = &document.organisation_id {
            tantivy_doc.add_text(f.organisation_id, org);
            tantivy_doc.add_facet(f.facets, Facet::from_path(["organisation", org.as_str()]));
        }
        if let Some(country) = &document.country {
            tantivy_doc.add_text(f.country, country);
            tantivy_doc.add_facet(f.facets, Facet::from_path(["country", country.as_str()]));
        }
        for token in &document.access {
            tantivy_doc.add_text(f.access, token);
        }
        let writer = self.writer();
        writer.delete_term(Term::from_field_text(f.key, &key));
        writer.add_document(tantivy_doc)?;
        Ok(())
    }

    /// Removes a document. Visible after the next commit.
    pub fn delete(&self, kind: &str, entity_id: &str) {
        let key = document_key(kind, entity_id);
        self.writer()
            .delete_term(Term::from_field_text(self.fields.key, &key));
    }

    /// Removes every document (the start of an in-place rebuild).
    pub fn clear(&self) -> Result<(), IndexError> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    /// Commits pending changes together with `state`, then makes them visible to searches.
    pub fn commit(&self, state: &CommitState) -> Result<(), IndexError> {
        let payload = serde_json::to_string(state)
            .map_err(|e| IndexError::Query(format!("cannot encode commit state: {e}")))?;
        {
            let mut writer = self.writer();
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// Relevance statistics that no hidden document moves (`disclosure`).
    pub(crate) fn public_statistics<'a>(
        &self,
        searcher: &'a tantivy::Searcher,
    ) -> Result<crate::disclosure::PublicStatistics<'a>, IndexError> {
        let f = self.fields;
        let lengths = self.public_lengths.of(
            searcher,
            f.access,
            &[f.title_folded, f.body_folded, f.text_stemmed],
        )?;
        Ok(crate::disclosure::PublicStatistics::new(
            searcher, f.access, lengths,
        ))
    }

    /// Documents visible to searches.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// A cheap health check: the index can be read.
    pub fn check(&self) -> Result<(), IndexError> {
        let _ = self.index.load_metas()?;
        Ok(())
    }

    /// Matches `text` in titles and bodies among documents carrying one of `access` tokens.
    /// Returns the total count and the best `limit` hits.
    pub fn simple_search(
        &self,
        text: &str,
        access: &[String],
        limit: usize,
    ) -> Result<(usize, Vec<SimpleHit>), IndexError> {
        let f = self.fields;
        let parser = QueryParser::for_index(&self.index, vec![f.title_folded, f.body_folded]);
        let text_query = parser
            .parse_query(&fold(text))
            .map_err(|e| IndexError::Query(e.to_string()))?;
        // Matching, not scored: see `disclosure`.
        let access_query: Box<dyn Query> = Box::new(tantivy::query::ConstScoreQuery::new(
            Box::new(BooleanQuery::new(
                access
                    .iter()
                    .map(|token| {
                        let term = Term::from_field_text(f.access, token);
                        let q: Box<dyn Query> =
                            Box::new(TermQuery::new(term, IndexRecordOption::Basic));
                        (Occur::Should, q)
                    })
                    .collect(),
            )),
            0.0,
        ));
        let query = BooleanQuery::new(vec![(Occur::Must, text_query), (Occur::Must, access_query)]);
        let searcher = self.reader.searcher();
        let (count, top) = searcher.search_with_statistics_provider(
            &query,
            &(Count, TopDocs::with_limit(limit.max(1)).order_by_score()),
            &self.public_statistics(&searcher)?,
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (_score, address) in top {
            let stored: TantivyDocument = searcher.doc(address)?;
            let text_of = |field| {
                stored
                    .get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            hits.push(SimpleHit {
                kind: text_of(f.kind),
                entity_id: text_of(f.entity_id),
                title: text_of(f.title),
            });
        }
        Ok((count, hits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(id: &str, title: &str, access: &[&str]) -> IndexDocument {
        IndexDocument {
            kind: "organisation".into(),
            entity_id: id.into(),
            title: title.into(),
            body: String::new(),
            organisation_id: None,
            country: Some("UZ".into()),
            access: access.iter().map(|s| s.to_string()).collect(),
            updated_at: 0,
            ..IndexDocument::default()
        }
    }

    fn state(position: &str) -> CommitState {
        CommitState {
            schema_version: SCHEMA_VERSION,
            position: Some(position.into()),
            ..CommitState::default()
        }
    }

    #[test]
    fn position_is_committed_with_documents_and_survives_reopening() -> Result<(), IndexError> {
        let dir = tempfile::tempdir().map_err(|e| IndexError::Query(e.to_string()))?;
        {
            let index = SearchIndex::open_or_create(dir.path(), &IndexOptions::default())?;
            assert_eq!(index.commit_state()?.position, None);
            index.upsert(&document("1", "Statistics agency", &["public"]))?;
            index.commit(&state("0:1"))?;
            index.upsert(&document("2", "Uncommitted agency", &["public"]))?;
        }
        let index = SearchIndex::open_or_create(dir.path(), &IndexOptions::default())?;
        assert_eq!(index.commit_state()?.position.as_deref(), Some("0:1"));
        assert_eq!(index.num_docs(), 1, "uncommitted work must not survive");
        Ok(())
    }

    #[test]
    fn upsert_replaces_and_access_tokens_filter() -> Result<(), IndexError> {
        let dir = tempfile::tempdir().map_err(|e| IndexError::Query(e.to_string()))?;
        let index = SearchIndex::open_or_create(dir.path(), &IndexOptions::default())?;
        index.upsert(&document("1", "open agency", &["public"]))?;
        index.upsert(&document("1", "open ministry", &["public"]))?;
        index.upsert(&document("2", "hidden ministry", &["org:x"]))?;
        index.commit(&state("0:2"))?;
        let public = vec!["public".to_string()];
        let (count, hits) = index.simple_search("ministry", &public, 10)?;
        assert_eq!(count, 1);
        assert_eq!(hits[0].entity_id, "1");
        assert_eq!(index.simple_search("agency", &public, 10)?.0, 0);
        let member = vec!["public".to_string(), "org:x".to_string()];
        assert_eq!(index.simple_search("ministry", &member, 10)?.0, 2);
        assert!(matches!(
            index.simple_search("title:(", &public, 10),
            Err(IndexError::Query(_))
        ));
        Ok(())
    }

    #[test]
    fn a_second_writer_is_refused_with_locked() -> Result<(), IndexError> {
        let dir = tempfile::tempdir().map_err(|e| IndexError::Query(e.to_string()))?;
        let _first = SearchIndex::open_or_create(dir.path(), &IndexOptions::default())?;
        let second = SearchIndex::open_or_create(dir.path(), &IndexOptions::default());
        assert!(matches!(second, Err(IndexError::Locked)));
        Ok(())
    }

    #[test]
    fn garbage_in_the_folder_is_reported_as_corrupt() -> Result<(), IndexError> {
        let dir = tempfile::tempdir().map_err(|e| IndexError::Query(e.to_string()))?;
        std::fs::write(dir.path().join("meta.json"), b"{not json")
            .map_err(|e| IndexError::Query(e.to_string()))?;
        let opened = SearchIndex::open_or_create(dir.path(), &IndexOptions::default());
        assert!(
            matches!(opened, Err(IndexError::Corrupt { .. })),
            "{:?}",
            opened.err()
        );
        Ok(())
    }
}
