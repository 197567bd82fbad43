//! Searching the one index, as the caller may: access tokens come from the identity
//! module's `Caller`, the same policy REST and GraphQL use everywhere else.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use silkbridge_search_index::{IndexError, SearchOrder, SearchRequest};
use utoipa::ToSchema;

use super::sources;
use crate::db;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::pagination::{PageRequest, encode_cursor};
use crate::identity::caller::Caller;
use crate::identity::domain::{Country, LANGUAGE_TAGS};
use crate::identity::rules as identity;
use crate::state::AppState;

const CURSOR_SCOPE: &str = "search";

/// What to search for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, async_graphql::InputObject)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words (all must match; longer words tolerate typos) or query syntax: "phrases",
    /// +must -mustnot, OR. Latin and Cyrillic spellings match each other. Empty: everything.
    pub q: Option<String>,
    /// Kinds to include, comma-separated: organisation, listing (more as modules arrive).
    pub kind: Option<String>,
    /// UZ or AZ.
    pub country: Option<String>,
    /// An organisation's slug.
    pub organisation: Option<String>,
    /// Items of this year or later (publications).
    pub year_from: Option<i32>,
    /// Items of this year or earlier (publications).
    pub year_to: Option<i32>,
    /// Readable in this language: uz (either script), uz-Latn, uz-Cyrl, az, ru or en;
    /// comma-separated for any of several.
    pub language: Option<String>,
    /// An SPDX licence id (publications).
    pub licence: Option<String>,
    /// Tags, keywords or categories, comma-separated; all must match (any script).
    pub tag: Option<String>,
    /// `relevance` (default) or `newest`.
    pub sort: Option<String>,
    /// Results per page, 1 to 100 (default 20).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One result.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct SearchHitView {
    pub kind: String,
    pub id: String,
    pub title: String,
    /// A passage with the matched words in `<mark>` tags (HTML-escaped).
    pub snippet: String,
    pub organisation_id: Option<String>,
    pub country: Option<String>,
    pub updated_at: NaiveDateTime,
    pub score: f32,
}

/// A facet value and its count among everything the query matched (and the caller may see).
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
    /// A name for people where the value is a key (an organisation's name for its slug);
    /// absent where the value is its own name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Counts by kind, country, language, organisation, year, licence and tag. Each value is
/// what the matching filter parameter takes (`organisation` gives slugs, `year` years for
/// `year_from`/`year_to`, `tag` a tag in lower case, whose filter also finds its other script).
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct SearchFacets {
    pub kind: Vec<FacetValue>,
    pub country: Vec<FacetValue>,
    pub language: Vec<FacetValue>,
    /// The 20 most frequent.
    pub organisation: Vec<FacetValue>,
    /// Newest first.
    pub year: Vec<FacetValue>,
    pub licence: Vec<FacetValue>,
    /// The 20 most frequent.
    pub tag: Vec<FacetValue>,
}

/// A page of results.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct SearchResponse {
    pub total: u64,
    pub items: Vec<SearchHitView>,
    pub facets: SearchFacets,
    pub next_cursor: Option<String>,
}

/// The non-empty items of a comma-separated parameter.
fn comma_list(value: Option<&str>) -> impl Iterator<Item = &str> {
    value
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter, detail)
}

pub async fn search(
    state: &AppState,
    caller: &Caller,
    params: SearchParams,
) -> ApiResult<SearchResponse> {
    let page = PageRequest::<usize>::parse(params.limit, params.cursor.as_deref(), CURSOR_SCOPE)?;
    let offset = page.after.unwrap_or(0);
    let mut kinds = Vec::new();
    for kind in comma_list(params.kind.as_deref()) {
        if sources::source(kind).is_none() {
            return Err(invalid(format!(
                "unknown kind `{kind}`; searchable: {}",
                sources::kinds().collect::<Vec<_>>().join(", ")
            )));
        }
        kinds.push(kind.to_owned());
    }
    let country = params
        .country
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse::<Country>()
                .map(|c| c.as_str().to_owned())
                .map_err(invalid)
        })
        .transpose()?;
    let order = match params.sort.as_deref() {
        None | Some("relevance") => SearchOrder::Relevance,
        Some("newest") => SearchOrder::Newest,
        Some(other) => {
            return Err(invalid(format!(
                "unknown sort `{other}`; expected relevance or newest"
            )));
        }
    };
    let organisation_id = match params.organisation.filter(|o| !o.is_empty()) {
        Some(slug) => Some(
            db::run(&state.db, move |conn| {
                identity::organisation_by_slug(conn, &slug)
            })
            .await?
            .id,
        ),
        None => None,
    };
    let mut languages = Vec::new();
    for lang in comma_list(params.language.as_deref()) {
        match lang {
            "uz" => languages.extend(["uz-Latn".to_owned(), "uz-Cyrl".to_owned()]),
            tag if LANGUAGE_TAGS.contains(&tag) => languages.push(tag.to_owned()),
            other => {
                return Err(invalid(format!(
                    "unknown language `{other}`; expected uz or one of {}",
                    LANGUAGE_TAGS.join(", ")
                )));
            }
        }
    }
    if let (Some(from), Some(to)) = (params.year_from, params.year_to)
        && to < from
    {
        return Err(invalid("year_to is before year_from"));
    }
    let licence = params
        .licence
        .filter(|l| !l.is_empty())
        .map(|l| crate::research::domain::normalise_licence(&l).map_err(invalid))
        .transpose()?;
    let request = SearchRequest {
        year_from: params.year_from,
        year_to: params.year_to,
        languages,
        licence,
        tags: comma_list(params.tag.as_deref())
            .map(str::to_owned)
            .collect(),
        text: params.q.unwrap_or_default(),
        access: caller.access_tokens(),
        kinds,
        country,
        organisation_id,
        order,
        offset,
        limit: page.limit as usize,
    };
    let index = state.index.clone();
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(ApiError::internal)?
        .map_err(|error| match error {
            IndexError::Query(message) => ApiError::new(ErrorCode::InvalidQuery, message),
            other => ApiError::internal(other),
        })?;
    let shown = offset + results.hits.len();
    let next_cursor = (shown < results.total && !results.hits.is_empty())
        .then(|| encode_cursor(&shown, CURSOR_SCOPE));
    let facet = |counts: Vec<silkbridge_search_index::FacetCount>| {
        counts
            .into_iter()
            .map(|c| FacetValue {
                value: c.value,
                count: c.count,
                label: None,
            })
            .collect()
    };
    // The index keeps organisation ids; callers filter by slug, so the facet speaks slugs.
    let organisation_ids: Vec<String> = results
        .organisations
        .iter()
        .map(|c| c.value.clone())
        .collect();
    let organisations = if organisation_ids.is_empty() {
        Default::default()
    } else {
        state
            .read(move |conn| {
                identity::organisations_by_ids(conn, organisation_ids.iter().map(String::as_str))
            })
            .await?
    };
    let organisation = results
        .organisations
        .into_iter()
        .filter_map(|c| {
            organisations.get(&c.value).map(|o| FacetValue {
                value: o.slug.clone(),
                count: c.count,
                label: Some(o.name.clone()),
            })
        })
        .collect();
    Ok(SearchResponse {
        total: results.total as u64,
        facets: SearchFacets {
            kind: facet(results.kinds),
            country: facet(results.countries),
            language: facet(results.languages),
            organisation,
            year: facet(results.years),
            licence: facet(results.licences),
            tag: facet(results.tags),
        },
        items: results
            .hits
            .into_iter()
            .map(|hit| SearchHitView {
                updated_at: chrono::DateTime::from_timestamp(hit.updated_at, 0)
                    .map(|t| t.naive_utc())
                    .unwrap_or_default(),
                kind: hit.kind,
                id: hit.entity_id,
                title: hit.title,
                snippet: hit.snippet,
                organisation_id: hit.organisation_id,
                country: hit.country,
                score: hit.score,
            })
            .collect(),
        next_cursor,
    })
}
