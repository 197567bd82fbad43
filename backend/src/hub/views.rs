//! What callers get back, shared by REST, GraphQL and the portal. What a view holds depends on
//! who asks (`access`): decisions reach applicants once published; scores reach organisers
//! only as aggregates, and each reviewer sees their own.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::domain::Phase;
use super::input::{Answer, Criterion, Fund, ProgrammeText, Question, Score};
use crate::identity::domain::Country;

/// An organisation as the hub shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubOrganisation")]
#[schema(as = HubOrganisation)]
pub struct HubOrganisationView {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub country: Country,
}

/// An organisation running a programme.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubOrganiser")]
#[schema(as = HubOrganiser)]
#[serde(rename_all = "camelCase")]
pub struct OrganiserView {
    pub organisation: HubOrganisationView,
    /// False until one of its editors confirms (then it runs the programme and is shown).
    pub confirmed: bool,
}

/// What the caller is to a programme.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubProgrammeRoles")]
#[schema(as = HubProgrammeRoles)]
#[serde(rename_all = "camelCase")]
pub struct ProgrammeRoles {
    /// A member of a confirmed organiser.
    pub organiser: bool,
    /// An editor of a confirmed organiser: may change it, appoint, decide, publish.
    pub organiser_editor: bool,
    /// On the review panel.
    pub reviewer: bool,
}

/// A programme.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubProgramme")]
#[schema(as = HubProgramme)]
#[serde(rename_all = "camelCase")]
pub struct ProgrammeView {
    pub id: String,
    pub slug: String,
    pub kind: String,
    pub state: String,
    pub phase: Phase,
    pub title: String,
    pub description: String,
    pub translations: Vec<ProgrammeText>,
    pub applications_open_at: NaiveDateTime,
    pub applications_close_at: NaiveDateTime,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub location: String,
    pub countries: Vec<String>,
    pub stages: Vec<String>,
    pub sectors: Vec<String>,
    pub questions: Vec<Question>,
    pub criteria: Vec<Criterion>,
    pub capacity: Option<i32>,
    pub funds: Vec<Fund>,
    /// Confirmed organisers, for everyone; pending ones too, for the organisers.
    pub organisers: Vec<OrganiserView>,
    pub results_published_at: Option<NaiveDateTime>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// What the caller is to it.
    pub roles: ProgrammeRoles,
}

/// The panel's scores of an application, for its organisers: aggregates only.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubScoreSummary")]
#[schema(as = HubScoreSummary)]
#[serde(rename_all = "camelCase")]
pub struct ScoreSummary {
    pub reviews: i32,
    /// The weighted mean over every review and criterion (1–5); none before a review.
    pub weighted_mean: Option<f64>,
    pub criteria: Vec<CriterionMean>,
    /// The reviewers' comments, without their names, in no particular order.
    pub comments: Vec<String>,
}

/// One criterion's mean score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubCriterionMean")]
#[schema(as = HubCriterionMean)]
pub struct CriterionMean {
    pub criterion: String,
    pub mean: f64,
}

/// One reviewer's review, for that reviewer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubReview")]
#[schema(as = HubReview)]
#[serde(rename_all = "camelCase")]
pub struct ReviewView {
    pub application_id: String,
    pub scores: Vec<Score>,
    pub comment: String,
    pub updated_at: NaiveDateTime,
}

/// An application.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubApplication")]
#[schema(as = HubApplication)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationView {
    pub id: String,
    pub programme_id: String,
    pub programme_slug: String,
    pub programme_title: String,
    pub startup: HubOrganisationView,
    pub state: String,
    pub stage: String,
    pub sector: String,
    pub answers: Vec<Answer>,
    /// The files answering the form's `file` questions.
    pub files: Vec<super::files::ApplicationFileView>,
    pub submitted_at: Option<NaiveDateTime>,
    /// The decision: for the organisers as soon as it is taken, for the applicant once the
    /// results are published, for reviewers never.
    pub decision: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i32,
    /// How the caller sees it: `applicant` (a member of the startup), `organiser` or `reviewer`.
    /// A reviewer who belongs to the startup sees it as an applicant, never to score.
    pub seen_as: String,
    /// Organisers only.
    pub scores: Option<ScoreSummary>,
    /// The calling reviewer's own review.
    pub my_review: Option<ReviewView>,
}

/// A member of the review panel, for the organisers.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubReviewer")]
#[schema(as = HubReviewer)]
#[serde(rename_all = "camelCase")]
pub struct ReviewerView {
    pub user_id: String,
    pub display_name: String,
    pub appointed_at: NaiveDateTime,
}
