//! What callers send and see of cases: the types REST, GraphQL and the portal share.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::domain::{CaseKind, CaseState, Confidentiality};
use crate::identity::domain::Country;

/// A case as one caller may see it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "ImeiCase")]
pub struct CaseView {
    pub id: String,
    /// The reporting organisation's own reference (unique within it).
    pub reference: String,
    pub kind: CaseKind,
    pub state: CaseState,
    pub confidentiality: Confidentiality,
    /// The reporting organisation.
    pub organisation_id: String,
    /// Where the owner is (the reporting organisation's country).
    pub country: Country,
    pub summary: String,
    /// The devices, as 15-digit IMEIs.
    pub imeis: Vec<String>,
    /// The owner's contact details: only for the reporting organisation and the embassy
    /// handing the device over, and only until the case ends.
    pub owner_contact: Option<String>,
    /// The organisation holding the device since it was found.
    pub found_by: Option<String>,
    pub found_country: Option<Country>,
    /// Where the found device is held.
    pub held_at: Option<String>,
    /// The owner's country's embassy that hands the device over.
    pub embassy_id: Option<String>,
    /// Linked cases the caller may also see.
    pub linked_cases: Vec<String>,
    /// Raised by every change.
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

/// One thing that happened to a case. A sighting names the operator and its country, never
/// the subscriber.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "ImeiCaseEvent")]
pub struct CaseEventView {
    pub id: String,
    /// `opened`, `sighted`, `located`, `found`, `handed_over`, `closed`, `withdrawn`,
    /// `linked`.
    pub kind: String,
    /// The case's state after it.
    pub state: CaseState,
    /// The organisation that acted (for a sighting: the operator).
    pub organisation_id: Option<String>,
    pub country: Option<Country>,
    pub imei: Option<String>,
    pub note: Option<String>,
    pub at: NaiveDateTime,
}

/// A new case.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "NewImeiCaseInput")]
pub struct NewCaseInput {
    /// The reporting organisation (an agency or police force); may be left out by someone who
    /// edits for one such organisation only.
    pub organisation_id: Option<String>,
    pub kind: CaseKind,
    /// The organisation's own reference, 1–100 characters, unique within it.
    pub reference: String,
    /// Default `agencies`.
    pub confidentiality: Option<Confidentiality>,
    /// Up to 2,000 characters.
    pub summary: Option<String>,
    /// 1–100 IMEIs. Lost and stolen devices are black-listed in both countries at once.
    pub imeis: Vec<String>,
    /// How to reach the owner (lost and stolen cases), up to 500 characters; sealed at rest.
    pub owner_contact: Option<String>,
}

/// An agency records a device of the case found.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "ImeiCaseFoundInput")]
pub struct FoundInput {
    /// The agency or police force holding the device (its country is where it was found).
    pub organisation_id: Option<String>,
    /// Where the device is held, 1–300 characters.
    pub held_at: String,
    pub note: Option<String>,
}

/// A transition that needs nothing but an optional note (hand-over, close, withdraw).
#[derive(Debug, Clone, Default, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "ImeiCaseNoteInput")]
pub struct NoteInput {
    /// Up to 2,000 characters.
    pub note: Option<String>,
}

/// Links another case to this one.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "ImeiCaseLinkInput")]
pub struct LinkInput {
    pub case_id: String,
}

/// Filters of the case list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub state: Option<CaseState>,
    pub kind: Option<CaseKind>,
    /// 1–100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}
