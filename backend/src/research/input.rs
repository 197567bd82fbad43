//! A publication's editable content and every rule it must follow. A failed check stores
//! nothing and names each broken field.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use silkbridge_schema::DbConnection;
use utoipa::ToSchema;

use super::domain::{
    AccessLevel, PublicationType, normalise_doi, normalise_licence, normalise_orcid, parse_issued,
};
use crate::error::ApiResult;
use crate::identity::domain::LANGUAGE_TAGS;
use crate::identity::rules as identity;
use crate::validate::Validator;

/// Longest title and abstract, in characters.
pub const MAX_TITLE: usize = 500;
pub const MAX_ABSTRACT: usize = 10_000;
const MAX_AUTHORS: usize = 500;
const MAX_TERMS: usize = 50;

/// A publication's title and abstract in one language.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Serialize,
    Deserialize,
    ToSchema,
    async_graphql::SimpleObject,
    async_graphql::InputObject,
)]
#[graphql(input_name = "PublicationTextInput")]
pub struct PublicationText {
    /// `uz-Latn`, `uz-Cyrl`, `az`, `ru` or `en`.
    pub lang: String,
    pub title: String,
    #[serde(rename = "abstract")]
    #[graphql(name = "abstract")]
    pub abstract_text: String,
}

/// One author, in citation order.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Serialize,
    Deserialize,
    ToSchema,
    async_graphql::SimpleObject,
    async_graphql::InputObject,
)]
#[graphql(input_name = "AuthorInput")]
pub struct Author {
    /// As it should be cited, e.g. `Dilnoza Karimova`.
    pub name: String,
    /// An ORCID iD, `0000-0002-1825-0097`.
    pub orcid: Option<String>,
    /// The affiliation as written (any institution).
    pub affiliation: Option<String>,
    /// The slug of the affiliated organisation, if it is on this platform.
    pub organisation: Option<String>,
}

/// What editors write: the content of one version of a publication.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Default,
    Serialize,
    Deserialize,
    ToSchema,
    async_graphql::SimpleObject,
    async_graphql::InputObject,
)]
#[graphql(input_name = "PublicationInput", name = "PublicationContent")]
pub struct PublicationInput {
    /// article, conference_paper, report, thesis, book, book_chapter, dataset_paper or preprint.
    pub publication_type: String,
    /// The language of `title` and `abstract`: `uz-Latn`, `uz-Cyrl`, `az`, `ru` or `en`.
    pub language: String,
    pub title: String,
    #[serde(rename = "abstract")]
    #[graphql(name = "abstract")]
    pub abstract_text: String,
    /// The title and abstract in other languages.
    #[serde(default)]
    #[graphql(default)]
    pub translations: Vec<PublicationText>,
    /// At least one.
    #[serde(default)]
    #[graphql(default)]
    pub authors: Vec<Author>,
    #[serde(default)]
    #[graphql(default)]
    pub keywords: Vec<String>,
    /// Subject classification codes or terms (e.g. OECD FOS `1.2`, ACM CCS concepts).
    #[serde(default)]
    #[graphql(default)]
    pub subjects: Vec<String>,
    /// Publication date as precise as known: `2024`, `2024-05` or `2024-05-17`.
    pub issued: String,
    /// Journal, conference or series.
    pub venue: Option<String>,
    /// e.g. `10.18653/v1/2020.acl-main.1`.
    pub doi: Option<String>,
    /// An SPDX licence id, e.g. `CC-BY-4.0`.
    pub licence: String,
    /// open, organisation or embargoed.
    pub access_level: String,
    /// Required for `embargoed`: the first day everyone may read it.
    pub embargo_until: Option<NaiveDate>,
}

/// Checked content, normalised, with the derived year.
#[derive(Debug, Clone)]
pub struct CheckedContent {
    pub input: PublicationInput,
    pub year: i32,
}

impl CheckedContent {
    /// Every language the publication can be read in, main first.
    pub fn languages(&self) -> Vec<String> {
        let mut langs = vec![self.input.language.clone()];
        langs.extend(self.input.translations.iter().map(|t| t.lang.clone()));
        langs
    }
}

fn check_terms(check: &mut Validator, field: &str, terms: &[String]) {
    if terms.len() > MAX_TERMS {
        check.fail(field, "too_many", format!("at most {MAX_TERMS}"));
    }
    for (i, term) in terms.iter().enumerate() {
        check.text(&format!("{field}[{i}]"), term, 100);
    }
}

fn check_language(check: &mut Validator, field: &str, lang: &str) {
    if !LANGUAGE_TAGS.contains(&lang) {
        check.fail(
            field,
            "unknown_value",
            format!("language must be one of {}", LANGUAGE_TAGS.join(", ")),
        );
    }
}

/// Checks every rule of a publication's content and returns it normalised.
pub fn check(conn: &mut DbConnection, mut input: PublicationInput) -> ApiResult<CheckedContent> {
    let mut check = Validator::default();
    check.parse::<PublicationType>("publication_type", &input.publication_type);
    check_language(&mut check, "language", &input.language);
    check.text("title", &input.title, MAX_TITLE);
    check.text("abstract", &input.abstract_text, MAX_ABSTRACT);
    let mut langs = BTreeSet::from([input.language.clone()]);
    for (i, text) in input.translations.iter().enumerate() {
        check_language(&mut check, &format!("translations[{i}].lang"), &text.lang);
        if !langs.insert(text.lang.clone()) {
            check.fail(
                format!("translations[{i}].lang"),
                "duplicate",
                "one title and abstract per language",
            );
        }
        check.text(&format!("translations[{i}].title"), &text.title, MAX_TITLE);
        check.text(
            &format!("translations[{i}].abstract"),
            &text.abstract_text,
            MAX_ABSTRACT,
        );
    }
    if input.authors.is_empty() {
        check.fail("authors", "required", "name at least one author");
    }
    if input.authors.len() > MAX_AUTHORS {
        check.fail("authors", "too_many", format!("at most {MAX_AUTHORS}"));
    }
    for (i, author) in input.authors.iter_mut().enumerate() {
        check.text(&format!("authors[{i}].name"), &author.name, 200);
        author.name = author.name.trim().to_owned();
        if let Some(orcid) = &author.orcid {
            match normalise_orcid(orcid) {
                Ok(normal) => author.orcid = Some(normal),
                Err(message) => {
                    check.fail(format!("authors[{i}].orcid"), "invalid_format", message)
                }
            }
        }
        if let Some(affiliation) = &author.affiliation {
            check.text(&format!("authors[{i}].affiliation"), affiliation, 300);
        }
        if let Some(slug) = &author.organisation
            && identity::organisation_by_slug(conn, slug).is_err()
        {
            check.fail(
                format!("authors[{i}].organisation"),
                "unknown_value",
                format!("no organisation `{slug}` on this platform"),
            );
        }
    }
    check_terms(&mut check, "keywords", &input.keywords);
    check_terms(&mut check, "subjects", &input.subjects);
    let mut year = 0;
    match parse_issued(&input.issued) {
        Ok((normal, y)) => {
            input.issued = normal;
            year = y;
        }
        Err(message) => check.fail("issued", "invalid_date", message),
    }
    if let Some(venue) = &input.venue {
        check.text("venue", venue, 300);
    }
    if let Some(doi) = &input.doi {
        match normalise_doi(doi) {
            Ok(normal) => input.doi = Some(normal),
            Err(message) => check.fail("doi", "invalid_format", message),
        }
    }
    match normalise_licence(&input.licence) {
        Ok(normal) => input.licence = normal,
        Err(message) => check.fail("licence", "unknown_value", message),
    }
    match check.parse::<AccessLevel>("access_level", &input.access_level) {
        Some(AccessLevel::Embargoed) if input.embargo_until.is_none() => check.fail(
            "embargo_until",
            "required",
            "an embargoed publication needs the date it opens",
        ),
        Some(AccessLevel::Open | AccessLevel::Organisation) if input.embargo_until.is_some() => {
            check.fail(
                "embargo_until",
                "conflict",
                "only embargoed publications carry an embargo date",
            )
        }
        _ => {}
    }
    check.finish()?;
    input.title = input.title.trim().to_owned();
    input.abstract_text = input.abstract_text.trim().to_owned();
    input.keywords = dedup(input.keywords);
    input.subjects = dedup(input.subjects);
    Ok(CheckedContent { input, year })
}

/// Trimmed, without repeats, in the order given.
fn dedup(terms: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    terms
        .into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| seen.insert(t.to_lowercase()))
        .collect()
}

/// Filters and order of a publication list, as received.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, async_graphql::InputObject)]
#[into_params(parameter_in = Query)]
pub struct PublicationQuery {
    /// An organisation's slug.
    pub organisation: Option<String>,
    /// article, conference_paper, report, thesis, book, book_chapter, dataset_paper, preprint.
    pub publication_type: Option<String>,
    /// Issued in this year.
    pub year: Option<i32>,
    /// Issued in or after this year.
    pub year_from: Option<i32>,
    /// Issued in or before this year.
    pub year_to: Option<i32>,
    /// Readable in this language: uz (either script), uz-Latn, uz-Cyrl, az, ru or en.
    pub language: Option<String>,
    /// An SPDX licence id.
    pub licence: Option<String>,
    /// `newest` (default: last changed first), `year` (latest issued first) or `title`.
    pub sort: Option<String>,
}
