//! A dataset's editable metadata and every rule it must follow. REST, GraphQL and the CKAN
//! Action API all arrive here, so a rule holds however a publisher writes. A failed check
//! stores nothing and names each broken field.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::{self, FREQUENCIES};
use crate::error::ApiResult;
use crate::identity::domain::LANGUAGE_TAGS;
use crate::validate::Validator;

pub const MAX_TITLE: usize = 500;
pub const MAX_NOTES: usize = 20_000;
const MAX_TAGS: usize = 100;
const MAX_EXTRAS: usize = 100;
const MAX_SHORT: usize = 500;

/// A dataset's title and description in one more language.
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
#[graphql(input_name = "DatasetTextInput")]
pub struct DatasetText {
    /// `uz-Latn`, `uz-Cyrl`, `az`, `ru` or `en`.
    pub lang: String,
    pub title: String,
    #[serde(default)]
    #[graphql(default)]
    pub notes: String,
}

/// A custom key-value pair (CKAN "extras").
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
#[graphql(input_name = "DatasetExtraInput")]
pub struct DatasetExtra {
    pub key: String,
    pub value: String,
}

/// What publishers write about a dataset.
#[derive(
    Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema, async_graphql::InputObject,
)]
#[serde(deny_unknown_fields)]
#[graphql(input_name = "DatasetInput")]
pub struct DatasetInput {
    /// URL slug: 2 to 100 lower-case letters, digits, `-` and `_`; unique.
    pub name: String,
    /// The slug (or id) of the publishing organisation.
    pub organisation: String,
    /// The language of `title` and `notes` (default `en`).
    #[serde(default)]
    #[graphql(default)]
    pub language: Option<String>,
    pub title: String,
    /// Description (Markdown).
    #[serde(default)]
    #[graphql(default)]
    pub notes: String,
    /// Title and description in other languages.
    #[serde(default)]
    #[graphql(default)]
    pub translations: Vec<DatasetText>,
    /// A licence id from the licence list (`CC-BY-4.0`, or CKAN's `cc-by`); default
    /// `notspecified`.
    #[serde(default)]
    #[graphql(default)]
    pub licence: Option<String>,
    #[serde(default)]
    #[graphql(default)]
    pub tags: Vec<String>,
    /// DCAT-AP data themes (the CKAN groups): `econ`, `envi`, `soci`, …
    #[serde(default)]
    #[graphql(default)]
    pub themes: Vec<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub maintainer: Option<String>,
    pub maintainer_email: Option<String>,
    pub version: Option<String>,
    /// The dataset's page at its source, if any.
    pub url: Option<String>,
    /// First day the data covers.
    pub temporal_start: Option<NaiveDate>,
    /// Last day the data covers.
    pub temporal_end: Option<NaiveDate>,
    /// Spatial coverage: a place name, ISO country code or GeoJSON.
    pub spatial: Option<String>,
    /// Update frequency: CONT, DAILY, WEEKLY, MONTHLY, QUARTERLY, BIANNUAL, ANNUAL,
    /// BIENNIAL, IRREG, NEVER or UNKNOWN.
    pub frequency: Option<String>,
    /// Private datasets are seen only by the organisation's members.
    #[serde(default)]
    #[graphql(default)]
    pub private: bool,
    #[serde(default)]
    #[graphql(default)]
    pub extras: Vec<DatasetExtra>,
}

/// Checked input, normalised (licence and theme ids canonical, blanks dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedDataset {
    pub input: DatasetInput,
    pub language: String,
    pub licence: String,
}

fn blank_to_none(value: &mut Option<String>) {
    if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
        *value = None;
    }
    if let Some(v) = value.as_mut() {
        *v = v.trim().to_owned();
    }
}

/// Checks and normalises `input`; every broken rule is reported at once.
pub fn check(mut input: DatasetInput) -> ApiResult<CheckedDataset> {
    let mut v = Validator::default();
    input.name = input.name.trim().to_owned();
    if !domain::valid_name(&input.name) {
        v.fail(
            "name",
            "invalid_format",
            "use 2 to 100 lower-case letters, digits, - and _",
        );
    }
    if input.organisation.trim().is_empty() {
        v.fail(
            "organisation",
            "required",
            "name the publishing organisation",
        );
    }
    v.text("title", &input.title, MAX_TITLE);
    if input.notes.chars().count() > MAX_NOTES {
        v.fail(
            "notes",
            "too_long",
            format!("must be at most {MAX_NOTES} characters"),
        );
    }
    let language = input.language.clone().unwrap_or_else(|| "en".into());
    if !LANGUAGE_TAGS.contains(&language.as_str()) {
        v.fail(
            "language",
            "unknown_value",
            format!("expected one of {}", LANGUAGE_TAGS.join(", ")),
        );
    }
    let mut seen = vec![language.clone()];
    for (i, text) in input.translations.iter().enumerate() {
        if !LANGUAGE_TAGS.contains(&text.lang.as_str()) {
            v.fail(
                format!("translations/{i}/lang"),
                "unknown_value",
                format!("expected one of {}", LANGUAGE_TAGS.join(", ")),
            );
        } else if seen.contains(&text.lang) {
            v.fail(
                format!("translations/{i}/lang"),
                "duplicate",
                "one text per language",
            );
        }
        seen.push(text.lang.clone());
        v.text(&format!("translations/{i}/title"), &text.title, MAX_TITLE);
        if text.notes.chars().count() > MAX_NOTES {
            v.fail(format!("translations/{i}/notes"), "too_long", "too long");
        }
    }
    let licence = match input
        .licence
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        None => "notspecified".to_owned(),
        Some(id) => match domain::licence(id) {
            Some(found) => found.id.to_owned(),
            None => {
                v.fail(
                    "licence",
                    "unknown_value",
                    format!("`{id}` is not in the licence list (see license_list)"),
                );
                String::new()
            }
        },
    };
    input.tags = input.tags.iter().map(|t| t.trim().to_owned()).collect();
    input.tags.sort();
    input.tags.dedup();
    if input.tags.len() > MAX_TAGS {
        v.fail("tags", "too_many", format!("at most {MAX_TAGS} tags"));
    }
    for tag in &input.tags {
        if !domain::valid_tag(tag) {
            v.fail(
                "tags",
                "invalid_format",
                format!("`{tag}`: tags are 2 to 100 letters, digits, spaces, -, _ and ."),
            );
        }
    }
    let mut themes = Vec::new();
    for theme in &input.themes {
        match domain::theme(theme) {
            Some(found) => themes.push(found.name.to_owned()),
            None => v.fail(
                "themes",
                "unknown_value",
                format!("`{theme}` is not a data theme (see group_list)"),
            ),
        }
    }
    themes.sort();
    themes.dedup();
    input.themes = themes;
    for value in [
        &mut input.author,
        &mut input.author_email,
        &mut input.maintainer,
        &mut input.maintainer_email,
        &mut input.version,
        &mut input.url,
        &mut input.spatial,
        &mut input.frequency,
    ] {
        blank_to_none(value);
    }
    for (field, value) in [
        ("author", &input.author),
        ("maintainer", &input.maintainer),
        ("version", &input.version),
    ] {
        if let Some(value) = value {
            v.text(field, value, MAX_SHORT);
        }
    }
    for (field, value) in [
        ("author_email", &input.author_email),
        ("maintainer_email", &input.maintainer_email),
    ] {
        if let Some(value) = value {
            v.email(field, value);
        }
    }
    if let Some(url) = &input.url {
        v.http_url("url", url);
    }
    if let Some(spatial) = &input.spatial {
        v.text("spatial", spatial, 10_000);
    }
    if let Some(frequency) = input.frequency.as_mut() {
        *frequency = frequency.to_ascii_uppercase();
        if !FREQUENCIES.contains(&frequency.as_str()) {
            v.fail(
                "frequency",
                "unknown_value",
                format!("expected one of {}", FREQUENCIES.join(", ")),
            );
        }
    }
    if let (Some(start), Some(end)) = (input.temporal_start, input.temporal_end)
        && end < start
    {
        v.fail(
            "temporal_end",
            "before_start",
            "must not be before temporal_start",
        );
    }
    if input.extras.len() > MAX_EXTRAS {
        v.fail("extras", "too_many", format!("at most {MAX_EXTRAS} extras"));
    }
    let mut keys = Vec::new();
    for (i, extra) in input.extras.iter().enumerate() {
        v.text(&format!("extras/{i}/key"), &extra.key, 100);
        if extra.value.chars().count() > MAX_SHORT * 10 {
            v.fail(format!("extras/{i}/value"), "too_long", "too long");
        }
        if keys.contains(&extra.key) {
            v.fail(format!("extras/{i}/key"), "duplicate", "each key once");
        }
        keys.push(extra.key.clone());
    }
    v.finish()?;
    Ok(CheckedDataset {
        input,
        language,
        licence,
    })
}

/// Filters of the dataset list, as received.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, async_graphql::InputObject)]
#[into_params(parameter_in = Query)]
#[graphql(name = "DatasetFilter")]
pub struct DatasetQuery {
    /// Organisation slug.
    pub organisation: Option<String>,
    pub tag: Option<String>,
    /// Data theme (`econ`, …).
    pub theme: Option<String>,
    /// Licence id.
    pub licence: Option<String>,
    /// Resource format (`CSV`, `JSON`, …).
    pub format: Option<String>,
    /// `name` (default) or `-updated` (most recently changed first).
    pub sort: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> DatasetInput {
        DatasetInput {
            name: "population-2024".into(),
            organisation: "stat-uz".into(),
            title: "Population by region".into(),
            licence: Some("cc-by".into()),
            tags: vec!["population".into(), "population".into(), "aholi".into()],
            themes: vec!["SOCI".into()],
            ..DatasetInput::default()
        }
    }

    #[test]
    fn valid_input_is_normalised() {
        let checked = check(valid()).unwrap();
        assert_eq!(checked.licence, "CC-BY-4.0");
        assert_eq!(checked.language, "en");
        assert_eq!(checked.input.tags, vec!["aholi", "population"]);
        assert_eq!(checked.input.themes, vec!["soci"]);
    }

    #[test]
    fn every_broken_rule_is_named() {
        let input = DatasetInput {
            name: "Bad Name".into(),
            title: " ".into(),
            licence: Some("nonsense".into()),
            themes: vec!["weather".into()],
            frequency: Some("hourly".into()),
            temporal_start: NaiveDate::from_ymd_opt(2024, 2, 1),
            temporal_end: NaiveDate::from_ymd_opt(2024, 1, 1),
            author_email: Some("nobody".into()),
            ..valid()
        };
        let error = check(input).unwrap_err();
        let fields: Vec<&str> = error.errors.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "name",
            "title",
            "licence",
            "themes",
            "frequency",
            "temporal_end",
            "author_email",
        ] {
            assert!(
                fields.contains(&expected),
                "{expected} missing from {fields:?}"
            );
        }
    }
}
