//! CKAN's `package_search`: `q` (free text through the platform's Tantivy index, so
//! Latin↔Cyrillic folding and stemming apply; `field:value` terms act as filters), `fq`
//! filters, `facet.field`, `rows`, `start`, `sort` and `include_private`, answered in CKAN's
//! shape. Text chooses candidates in the index, which is access-filtered like every search;
//! filters, facets and sorting then run over the visible datasets in the database.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::envelope::{self, CkanError, Params};
use super::package;
use crate::datasets::domain;
use crate::datasets::index::DATASET_KIND;
use crate::datasets::service;
use crate::datasets::views::DatasetView;
use crate::error::ApiError;
use crate::identity::caller::Caller;
use crate::state::AppState;

const DEFAULT_ROWS: i64 = 10;
const MAX_ROWS: i64 = 1000;
/// Most text matches considered (CKAN's Solr has a similar ceiling on `rows`, not on hits).
const MAX_TEXT_HITS: usize = 10_000;
const DEFAULT_FACET_LIMIT: i64 = 50;
/// Fields `fq` and `facet.field` understand.
const FIELDS: &[&str] = &[
    "organization",
    "tags",
    "groups",
    "res_format",
    "license_id",
    "name",
    "id",
    "frequency",
    "language",
];

/// The values a dataset has for a CKAN search field.
fn values<'a>(view: &'a DatasetView, field: &str) -> Vec<&'a str> {
    match field {
        "organization" => vec![view.organisation.slug.as_str()],
        "tags" => view.tags.iter().map(String::as_str).collect(),
        "groups" => view.themes.iter().map(String::as_str).collect(),
        "res_format" => view
            .resources
            .iter()
            .map(|r| r.format.as_str())
            .filter(|f| !f.is_empty())
            .collect(),
        "license_id" => vec![view.licence.id.as_str()],
        "name" => vec![view.name.as_str()],
        "id" => vec![view.id.as_str()],
        "frequency" => view.frequency.iter().map(String::as_str).collect(),
        "language" => std::iter::once(view.language.as_str())
            .chain(view.translations.iter().map(|t| t.lang.as_str()))
            .collect(),
        _ => Vec::new(),
    }
}

/// One `field:value` condition; `negated` for `-field:value`.
#[derive(Debug, Clone, PartialEq)]
struct Condition {
    field: String,
    value: String,
    negated: bool,
}

/// Splits Solr-style text into terms, keeping `"quoted phrases"` (and `field:"a b"`) whole.
fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A term as a condition, if it names a known field.
fn condition(term: &str) -> Result<Option<Condition>, CkanError> {
    let (negated, body) = match term.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, term.strip_prefix('+').unwrap_or(term)),
    };
    let Some((field, value)) = body.split_once(':') else {
        return Ok(None);
    };
    if field.is_empty() || field.contains('"') {
        return Ok(None);
    }
    let field = match field {
        "owner_org" => "organization",
        "license" => "license_id",
        "groups" | "tags" | "organization" | "res_format" | "license_id" | "name" | "id"
        | "frequency" | "language" => field,
        "dataset_type" | "type" | "capacity" | "state" => {
            return Ok(Some(Condition {
                field: field.to_owned(),
                value: value.trim_matches('"').to_owned(),
                negated,
            }));
        }
        other => {
            return Err(CkanError::search_query(format!(
                "unknown field `{other}`; filterable: {}",
                FIELDS.join(", ")
            )));
        }
    };
    Ok(Some(Condition {
        field: field.to_owned(),
        value: value.trim_matches('"').to_owned(),
        negated,
    }))
}

fn holds(view: &DatasetView, condition: &Condition) -> bool {
    let found = match condition.field.as_str() {
        "dataset_type" | "type" => condition.value == "dataset",
        "capacity" => (condition.value == "public") != view.private,
        "state" => condition.value == view.state,
        "organization" => {
            condition.value == view.organisation.slug || condition.value == view.organisation.id
        }
        "groups" => {
            domain::theme(&condition.value).is_some_and(|t| view.themes.iter().any(|v| v == t.name))
        }
        "license_id" => domain::licence(&condition.value)
            .map_or(condition.value == view.licence.id, |l| {
                l.id == view.licence.id
            }),
        "res_format" => values(view, "res_format")
            .iter()
            .any(|v| v.eq_ignore_ascii_case(&condition.value)),
        field => values(view, field).contains(&condition.value.as_str()),
    };
    found != condition.negated
}

/// Every requested facet field, from a JSON list, a JSON-encoded list (CKAN's usual form) or
/// repeated query keys.
fn facet_fields(params: &Params) -> Result<Vec<String>, CkanError> {
    let list = match params.get("facet.field") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(text)) if text.trim_start().starts_with('[') => serde_json::from_str::<
            Vec<String>,
        >(text)
        .map_err(|_| CkanError::search_query("facet.field must be a JSON list of field names"))?,
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| CkanError::search_query("facet.field must list field names"))?,
        Some(_) => return Err(CkanError::search_query("facet.field must list field names")),
    };
    for field in &list {
        if !FIELDS.contains(&field.as_str()) {
            return Err(CkanError::search_query(format!(
                "cannot facet on `{field}`; facetable: {}",
                FIELDS.join(", ")
            )));
        }
    }
    Ok(list)
}

fn display_name(field: &str, value: &str, views: &[DatasetView]) -> String {
    match field {
        "organization" => views
            .iter()
            .find(|v| v.organisation.slug == value)
            .map_or_else(|| value.to_owned(), |v| v.organisation.name.clone()),
        "groups" => domain::theme(value).map_or_else(|| value.to_owned(), |t| t.title.to_owned()),
        "license_id" => {
            domain::licence(value).map_or_else(|| value.to_owned(), |l| l.title.to_owned())
        }
        _ => value.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SortKey {
    Score,
    Modified,
    Created,
    Name,
    Title,
}

fn sort_spec(text: &str) -> Result<Vec<(SortKey, bool)>, CkanError> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (field, direction) = part.split_once(' ').unwrap_or((part, "asc"));
            let key = match field.trim() {
                "score" | "rank" => SortKey::Score,
                "metadata_modified" => SortKey::Modified,
                "metadata_created" => SortKey::Created,
                "name" => SortKey::Name,
                "title_string" | "title" => SortKey::Title,
                other => {
                    return Err(CkanError::search_query(format!(
                        "cannot sort by `{other}`; use score, metadata_modified, metadata_created, name or title_string"
                    )));
                }
            };
            let descending = match direction.trim() {
                "asc" => false,
                "desc" => true,
                other => return Err(CkanError::search_query(format!("sort direction `{other}` is not asc or desc"))),
            };
            Ok((key, descending))
        })
        .collect()
}

/// Runs `package_search` for `caller`.
pub async fn package_search(
    state: &AppState,
    caller: Caller,
    params: &Params,
) -> Result<Value, CkanError> {
    let rows = envelope::integer(params, "rows")?.unwrap_or(DEFAULT_ROWS);
    if !(0..=MAX_ROWS).contains(&rows) {
        return Err(CkanError::search_query(format!(
            "rows must be between 0 and {MAX_ROWS}"
        )));
    }
    let start = envelope::integer(params, "start")?.unwrap_or(0);
    if start < 0 {
        return Err(CkanError::search_query("start must not be negative"));
    }
    let include_private = envelope::boolean(params, "include_private")?.unwrap_or(false);
    let sort_text = envelope::text(params, "sort")
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "score desc, metadata_modified desc".into());
    let sort = sort_spec(&sort_text)?;
    let facets = facet_fields(params)?;
    let facet_limit = envelope::integer(params, "facet.limit")?.unwrap_or(DEFAULT_FACET_LIMIT);
    let facet_mincount = envelope::integer(params, "facet.mincount")?.unwrap_or(1);

    let mut conditions = Vec::new();
    let mut text_terms = Vec::new();
    let q = envelope::text(params, "q").unwrap_or_default();
    for term in terms(&q) {
        if term == "*:*" {
            continue;
        }
        match condition(&term)? {
            Some(found) => conditions.push(found),
            None => text_terms.push(term),
        }
    }
    let mut fq_texts: Vec<String> = envelope::text(params, "fq").into_iter().collect();
    if let Some(Value::Array(list)) = params.get("fq_list") {
        fq_texts.extend(list.iter().filter_map(|v| v.as_str().map(str::to_owned)));
    }
    for fq in fq_texts {
        for term in terms(&fq) {
            if term == "AND" || term == "*:*" {
                continue;
            }
            match condition(&term)? {
                Some(found) => conditions.push(found),
                None => {
                    return Err(CkanError::search_query(format!(
                        "fq term `{term}` is not field:value"
                    )));
                }
            }
        }
    }

    // Free text → candidate ids in relevance order, from the access-filtered index.
    let text = text_terms.join(" ");
    let ranked: Option<Vec<String>> = if text.trim().is_empty() {
        None
    } else {
        let request = silkbridge_search_index::SearchRequest {
            text,
            access: caller.access_tokens(),
            kinds: vec![DATASET_KIND.to_owned()],
            offset: 0,
            limit: MAX_TEXT_HITS,
            ..silkbridge_search_index::SearchRequest::default()
        };
        let index = state.index.clone();
        let results = tokio::task::spawn_blocking(move || index.search(&request))
            .await
            .map_err(|e| CkanError::from(ApiError::internal(e)))?
            .map_err(|error| match error {
                silkbridge_search_index::IndexError::Query(message) => {
                    CkanError::search_query(message)
                }
                other => CkanError::from(ApiError::internal(other)),
            })?;
        Some(results.hits.into_iter().map(|h| h.entity_id).collect())
    };
    let ids = ranked.clone();
    let mut found = service::all_readable(state, &caller, ids)
        .await
        .map_err(CkanError::from)?;
    found.retain(|view| {
        (include_private || !view.private) && conditions.iter().all(|c| holds(view, c))
    });

    let rank: BTreeMap<&str, usize> = ranked
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let rank_of = |view: &DatasetView| rank.get(view.id.as_str()).copied().unwrap_or(usize::MAX);
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&found[a], &found[b]);
        for (key, descending) in &sort {
            let ordering = match key {
                // A better rank is a smaller number: "score desc" means rank ascending.
                SortKey::Score => rank_of(b).cmp(&rank_of(a)),
                SortKey::Modified => a.updated_at.cmp(&b.updated_at),
                SortKey::Created => a.created_at.cmp(&b.created_at),
                SortKey::Name => a.name.cmp(&b.name),
                SortKey::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
            };
            let ordering = if *descending {
                ordering.reverse()
            } else {
                ordering
            };
            if ordering.is_ne() {
                return ordering;
            }
        }
        a.name.cmp(&b.name)
    });

    let mut facet_counts = Map::new();
    let mut search_facets = Map::new();
    for field in &facets {
        let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
        for view in &found {
            let mut seen = values(view, field);
            seen.sort_unstable();
            seen.dedup();
            for value in seen {
                *counts.entry(value).or_default() += 1;
            }
        }
        let mut items: Vec<(&str, i64)> = counts
            .into_iter()
            .filter(|(_, c)| *c >= facet_mincount)
            .collect();
        items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        if facet_limit >= 0 {
            items.truncate(usize::try_from(facet_limit).unwrap_or(usize::MAX));
        }
        facet_counts.insert(
            field.clone(),
            Value::Object(
                items
                    .iter()
                    .map(|(v, c)| ((*v).to_owned(), json!(c)))
                    .collect(),
            ),
        );
        search_facets.insert(
            field.clone(),
            json!({
                "title": field,
                "items": items.iter().map(|(v, c)| json!({
                    "name": v,
                    "display_name": display_name(field, v, &found),
                    "count": c,
                })).collect::<Vec<_>>(),
            }),
        );
    }
    let base = state.config.public_url.clone();
    let results: Vec<Value> = order
        .iter()
        .skip(usize::try_from(start).unwrap_or(usize::MAX))
        .take(usize::try_from(rows).unwrap_or(0))
        .map(|&i| package::package(&base, &found[i]))
        .collect();
    Ok(json!({
        "count": found.len(),
        "facets": facet_counts,
        "search_facets": search_facets,
        "results": results,
        "sort": sort_text,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(crate::fuzzing::config())]

        /// Fuzz target: any `q`/`fq`, `sort` and `facet.field` text is parsed or refused
        /// with a CKAN error, never a panic.
        #[test]
        fn fuzz_ckan_parameters(
            text in "([a-z_]{0,10}:?\"?[a-zA-Z0-9 ,-]{0,10}\"?[ -]?){0,5}|.{0,60}",
            facets in ".{0,40}",
        ) {
            for term in terms(&text) {
                let _ = condition(&term);
            }
            let _ = sort_spec(&text);
            let params = crate::datasets::ckan::envelope::from_pairs([
                ("facet.field".to_owned(), facets.clone()),
                ("facet.limit".to_owned(), facets),
            ]);
            let _ = facet_fields(&params);
        }
    }

    #[test]
    fn terms_keep_phrases_and_conditions_know_their_fields() {
        assert_eq!(
            terms(r#"population tags:"open data" -res_format:PDF"#),
            vec!["population", r#"tags:"open data""#, "-res_format:PDF"]
        );
        assert_eq!(
            condition(r#"tags:"open data""#).unwrap(),
            Some(Condition {
                field: "tags".into(),
                value: "open data".into(),
                negated: false
            })
        );
        assert!(
            condition("-res_format:PDF")
                .unwrap()
                .is_some_and(|c| c.negated)
        );
        assert_eq!(condition("population").unwrap(), None);
        assert!(condition("colour:red").is_err());
    }

    #[test]
    fn sort_specs_parse_and_refuse_unknown_fields() {
        assert_eq!(
            sort_spec("score desc, metadata_modified desc").unwrap(),
            vec![(SortKey::Score, true), (SortKey::Modified, true)]
        );
        assert_eq!(sort_spec("name").unwrap(), vec![(SortKey::Name, false)]);
        assert!(sort_spec("colour asc").is_err());
        assert!(sort_spec("name sideways").is_err());
    }
}
