//! What organisers, startups and reviewers send, and every rule it must follow. A failed check
//! stores nothing and names each broken field.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::{Decision, ProgrammeKind, QuestionKind, SCORE_RANGE, Sector, Stage};
use crate::error::ApiResult;
use crate::identity::domain::{Country, LANGUAGE_TAGS};
use crate::validate::Validator;

/// Most questions, criteria, funds and translations a programme carries.
pub const MAX_ITEMS: usize = 30;

/// A programme's title and description in one more language.
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
#[graphql(name = "HubProgrammeText", input_name = "HubProgrammeTextInput")]
#[schema(as = HubProgrammeText)]
pub struct ProgrammeText {
    /// `uz-Latn`, `uz-Cyrl`, `az`, `ru` or `en`.
    pub lang: String,
    pub title: String,
    pub description: String,
}

/// One question of a programme's application form.
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
#[graphql(name = "HubQuestion", input_name = "HubQuestionInput")]
#[schema(as = HubQuestion)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    /// Lower-case letters, digits and hyphens; unique within the form.
    pub id: String,
    /// text, choice, number or file.
    pub kind: String,
    pub label: String,
    #[serde(default)]
    #[graphql(default)]
    pub required: bool,
    /// The choices of a `choice` question.
    #[serde(default)]
    #[graphql(default)]
    pub options: Vec<String>,
}

/// A criterion the review panel scores (1 to 5).
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
#[graphql(name = "HubCriterion", input_name = "HubCriterionInput")]
#[schema(as = HubCriterion)]
pub struct Criterion {
    pub id: String,
    pub label: String,
    /// 1 to 10 (default 1): how much it counts in the weighted mean.
    #[serde(default = "one")]
    #[graphql(default = 1)]
    pub weight: i32,
}

fn one() -> i32 {
    1
}

/// What one side puts into a co-investment call.
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
#[graphql(name = "HubFund", input_name = "HubFundInput")]
#[schema(as = HubFund)]
#[serde(rename_all = "camelCase")]
pub struct Fund {
    /// The investor: an organiser's or another organisation's slug.
    pub investor: String,
    /// Whole currency units.
    pub amount: i64,
    /// UZS, AZN, USD or EUR.
    pub currency: String,
}

/// A programme as its organisers write it.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema, async_graphql::InputObject)]
#[graphql(name = "HubProgrammeInput")]
#[schema(as = HubProgrammeInput)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProgrammeInput {
    /// accelerator, hackathon, demo_day or co_investment.
    pub kind: String,
    /// The organisation creating it (slug; its editors). Only when creating.
    pub organisation: Option<String>,
    /// Its address: 2 to 64 lower-case letters, digits, hyphens. Only when creating.
    pub slug: Option<String>,
    pub title: String,
    pub description: String,
    #[serde(default)]
    #[graphql(default)]
    pub translations: Vec<ProgrammeText>,
    pub applications_open_at: NaiveDateTime,
    pub applications_close_at: NaiveDateTime,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    #[serde(default)]
    #[graphql(default)]
    pub location: String,
    /// Countries whose startups may apply: `UZ`, `AZ`.
    pub countries: Vec<String>,
    /// Stages that may apply (none: any).
    #[serde(default)]
    #[graphql(default)]
    pub stages: Vec<String>,
    /// Sectors that may apply (none: any).
    #[serde(default)]
    #[graphql(default)]
    pub sectors: Vec<String>,
    #[serde(default)]
    #[graphql(default)]
    pub questions: Vec<Question>,
    /// At least one.
    pub criteria: Vec<Criterion>,
    /// Places at the event (hackathons and demo days).
    pub capacity: Option<i32>,
    /// What each side puts in (co-investment calls).
    #[serde(default)]
    #[graphql(default)]
    pub funds: Vec<Fund>,
}

fn ids_unique<'a>(check: &mut Validator, field: &str, ids: impl Iterator<Item = &'a str>) {
    let mut seen = BTreeSet::new();
    for (i, id) in ids.enumerate() {
        check.slug(&format!("{field}[{i}].id"), id);
        if !seen.insert(id) {
            check.fail(format!("{field}[{i}].id"), "duplicate", "ids are unique");
        }
    }
}

fn subset<T: std::str::FromStr<Err = String>>(
    check: &mut Validator,
    field: &str,
    values: &[String],
) {
    let mut seen = BTreeSet::new();
    for (i, value) in values.iter().enumerate() {
        check.parse::<T>(&format!("{field}[{i}]"), value);
        if !seen.insert(value) {
            check.fail(format!("{field}[{i}]"), "duplicate", "each value once");
        }
    }
}

/// Checks every rule of a programme.
pub(super) fn check_programme(input: &ProgrammeInput, creating: bool) -> ApiResult<ProgrammeKind> {
    let mut check = Validator::default();
    let kind = check.parse::<ProgrammeKind>("kind", &input.kind);
    if creating {
        match &input.slug {
            Some(slug) => check.slug("slug", slug),
            None => check.fail("slug", "required", "required"),
        }
        if input.organisation.is_none() {
            check.fail("organisation", "required", "required");
        }
    }
    check.typed_text("title", Some(&input.title), true, 200);
    check.typed_text("description", Some(&input.description), true, 20_000);
    check.typed_text("location", Some(&input.location), false, 300);
    let mut langs = BTreeSet::new();
    for (i, text) in input.translations.iter().enumerate() {
        if !LANGUAGE_TAGS.contains(&text.lang.as_str()) {
            check.fail(
                format!("translations[{i}].lang"),
                "unknown_value",
                format!("language must be one of {}", LANGUAGE_TAGS.join(", ")),
            );
        }
        if !langs.insert(text.lang.as_str()) {
            check.fail(
                format!("translations[{i}].lang"),
                "duplicate",
                "one per language",
            );
        }
        check.typed_text(
            &format!("translations[{i}].title"),
            Some(&text.title),
            true,
            200,
        );
        check.typed_text(
            &format!("translations[{i}].description"),
            Some(&text.description),
            true,
            20_000,
        );
    }
    if input.applications_close_at <= input.applications_open_at {
        check.fail(
            "applicationsCloseAt",
            "out_of_range",
            "applications close after they open",
        );
    }
    if input.starts_at < input.applications_close_at {
        check.fail(
            "startsAt",
            "out_of_range",
            "the programme starts once applications close",
        );
    }
    if input.ends_at < input.starts_at {
        check.fail(
            "endsAt",
            "out_of_range",
            "the programme ends after it starts",
        );
    }
    if input.countries.is_empty() {
        check.fail("countries", "required", "name at least one country");
    }
    subset::<Country>(&mut check, "countries", &input.countries);
    subset::<Stage>(&mut check, "stages", &input.stages);
    subset::<Sector>(&mut check, "sectors", &input.sectors);
    for (field, len) in [
        ("translations", input.translations.len()),
        ("questions", input.questions.len()),
        ("criteria", input.criteria.len()),
        ("funds", input.funds.len()),
    ] {
        if len > MAX_ITEMS {
            check.fail(field, "too_many", format!("at most {MAX_ITEMS}"));
        }
    }
    ids_unique(
        &mut check,
        "questions",
        input.questions.iter().map(|q| q.id.as_str()),
    );
    for (i, question) in input.questions.iter().enumerate() {
        let kind = check.parse::<QuestionKind>(&format!("questions[{i}].kind"), &question.kind);
        check.typed_text(
            &format!("questions[{i}].label"),
            Some(&question.label),
            true,
            500,
        );
        let wants_options = kind == Some(QuestionKind::Choice);
        if wants_options == question.options.is_empty() {
            check.fail(
                format!("questions[{i}].options"),
                "invalid_value",
                "choice questions, and only they, list their options",
            );
        }
        for (j, option) in question.options.iter().enumerate() {
            check.typed_text(
                &format!("questions[{i}].options[{j}]"),
                Some(option),
                true,
                200,
            );
        }
    }
    if input.criteria.is_empty() {
        check.fail(
            "criteria",
            "required",
            "the panel scores at least one criterion",
        );
    }
    ids_unique(
        &mut check,
        "criteria",
        input.criteria.iter().map(|c| c.id.as_str()),
    );
    for (i, criterion) in input.criteria.iter().enumerate() {
        check.typed_text(
            &format!("criteria[{i}].label"),
            Some(&criterion.label),
            true,
            300,
        );
        if !(1..=10).contains(&criterion.weight) {
            check.fail(format!("criteria[{i}].weight"), "out_of_range", "1 to 10");
        }
    }
    if input.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
        check.fail("capacity", "out_of_range", "1 to 100000 places");
    }
    let co_investment = kind == Some(ProgrammeKind::CoInvestment);
    if co_investment && input.funds.is_empty() {
        check.fail(
            "funds",
            "required",
            "a co-investment call states each side's funds",
        );
    }
    if !co_investment && !input.funds.is_empty() {
        check.fail(
            "funds",
            "invalid_value",
            "only co-investment calls state funds",
        );
    }
    for (i, fund) in input.funds.iter().enumerate() {
        check.slug(&format!("funds[{i}].investor"), &fund.investor);
        if !(1..=1_000_000_000_000).contains(&fund.amount) {
            check.fail(
                format!("funds[{i}].amount"),
                "out_of_range",
                "a positive amount",
            );
        }
        if !["UZS", "AZN", "USD", "EUR"].contains(&fund.currency.as_str()) {
            check.fail(
                format!("funds[{i}].currency"),
                "unknown_value",
                "UZS, AZN, USD or EUR",
            );
        }
    }
    check.finish()?;
    kind.ok_or_else(|| crate::error::ApiError::internal(anyhow::anyhow!("kind checked")))
}

/// One answer of an application's form.
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
#[graphql(name = "HubAnswer", input_name = "HubAnswerInput")]
#[schema(as = HubAnswer)]
pub struct Answer {
    /// The question's id.
    pub question: String,
    /// The text, the chosen option, or the number as text.
    pub value: String,
}

/// A startup's application as its editors write it.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema, async_graphql::InputObject)]
#[graphql(name = "HubApplicationInput")]
#[schema(as = HubApplicationInput)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationInput {
    /// The applying startup (slug; its editors). Only when creating.
    pub startup: Option<String>,
    /// idea, mvp, seed or growth.
    pub stage: String,
    /// A sector the programme takes (see the programme).
    pub sector: String,
    #[serde(default)]
    #[graphql(default)]
    pub answers: Vec<Answer>,
}

/// A reviewer's scores of one application.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema, async_graphql::InputObject)]
#[graphql(name = "HubReviewInput")]
#[schema(as = HubReviewInput)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// A score of 1 to 5 for every criterion of the programme.
    pub scores: Vec<Score>,
    #[serde(default)]
    #[graphql(default)]
    pub comment: String,
}

/// One criterion's score.
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
#[graphql(name = "HubScore", input_name = "HubScoreInput")]
#[schema(as = HubScore)]
pub struct Score {
    pub criterion: String,
    pub score: i32,
}

/// The organisers' decision on an application.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema, async_graphql::InputObject)]
#[graphql(name = "HubDecisionInput")]
#[schema(as = HubDecisionInput)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// accepted, waitlisted or declined.
    pub decision: String,
}

impl DecisionInput {
    pub(super) fn parsed(&self) -> ApiResult<Decision> {
        let mut check = Validator::default();
        let decision = check.parse::<Decision>("decision", &self.decision);
        check.finish()?;
        decision.ok_or_else(|| crate::error::ApiError::internal(anyhow::anyhow!("checked")))
    }
}

/// An organisation asked to run a programme too.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema, async_graphql::InputObject)]
#[graphql(name = "HubOrganiserInput")]
#[schema(as = HubOrganiserInput)]
#[serde(deny_unknown_fields)]
pub struct OrganiserInput {
    /// Its slug.
    pub organisation: String,
}

/// A person appointed to the review panel.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema, async_graphql::InputObject)]
#[graphql(name = "HubReviewerInput")]
#[schema(as = HubReviewerInput)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewerInput {
    pub user_id: String,
}

/// A conflict of interest a reviewer declares.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema, async_graphql::InputObject)]
#[graphql(name = "HubConflictInput")]
#[schema(as = HubConflictInput)]
#[serde(deny_unknown_fields)]
pub struct ConflictInput {
    /// The startup's slug.
    pub startup: String,
    #[serde(default)]
    #[graphql(default)]
    pub reason: String,
}

/// Checks a review against the programme's criteria; answers the scores as stored.
pub(super) fn check_review(
    input: &ReviewInput,
    criteria: &[Criterion],
) -> ApiResult<std::collections::BTreeMap<String, i32>> {
    let mut check = Validator::default();
    let mut scores = std::collections::BTreeMap::new();
    for (i, score) in input.scores.iter().enumerate() {
        if !criteria.iter().any(|c| c.id == score.criterion) {
            check.fail(
                format!("scores[{i}].criterion"),
                "unknown_value",
                "not a criterion of this programme",
            );
        }
        if !SCORE_RANGE.contains(&score.score) {
            check.fail(format!("scores[{i}].score"), "out_of_range", "1 to 5");
        }
        if scores
            .insert(score.criterion.clone(), score.score)
            .is_some()
        {
            check.fail(
                format!("scores[{i}].criterion"),
                "duplicate",
                "one score per criterion",
            );
        }
    }
    for criterion in criteria {
        if !scores.contains_key(&criterion.id) {
            check.fail("scores", "required", format!("score `{}`", criterion.id));
        }
    }
    check.typed_text("comment", Some(&input.comment), false, 5000);
    check.finish()?;
    Ok(scores)
}
