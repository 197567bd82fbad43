//! What the IMEI API returns and accepts; the same types serve REST (utoipa) and GraphQL.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::ListStatus;
use crate::identity::domain::Country;

/// The 3GPP TS 29.511 equipment status.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, async_graphql::Enum,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum EquipmentStatus {
    Whitelisted,
    Greylisted,
    Blacklisted,
}

impl From<ListStatus> for EquipmentStatus {
    fn from(status: ListStatus) -> Self {
        match status {
            ListStatus::White => Self::Whitelisted,
            ListStatus::Grey => Self::Greylisted,
            ListStatus::Black => Self::Blacklisted,
        }
    }
}

/// A partner's status check: the 5G-EIR status and what an operator acts on.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct DeviceStatus {
    /// The IMEI, normalised to 15 digits.
    pub imei: String,
    pub status: EquipmentStatus,
    /// Why it is listed: `stolen`, `lost`, `counterfeit`, `duplicate_imei`,
    /// `customs_unregistered` or `unknown_tac`.
    pub reason: Option<String>,
    /// The country whose organisation listed it.
    pub listed_by_country: Option<Country>,
    /// Whether the type allocation code is in the registry's TAC database.
    pub known_tac: bool,
}

/// A citizen's check: the status and nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "PublicDeviceStatus")]
pub struct PublicStatus {
    pub imei: String,
    pub status: EquipmentStatus,
}

/// Brand and model of a type allocation code.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct TacInfo {
    pub tac: String,
    pub brand: String,
    pub model: String,
    pub device_type: String,
}

/// One change in a device's history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "ImeiEvent")]
pub struct DeviceEvent {
    pub at: NaiveDateTime,
    /// `registered`, `reported`, `recovered`, `greylisted`, `grace_expired` or
    /// `flagged_duplicate`.
    pub action: String,
    /// The list status after the change: `white`, `grey` or `black`.
    pub status: String,
    pub reason: Option<String>,
    pub country: Option<String>,
    pub organisation_id: Option<String>,
    /// `user:<id>`, `partner:<id>` or `system`.
    pub actor: String,
    pub case_reference: Option<String>,
    pub note: Option<String>,
}

/// A device's full record, for agencies and administrators.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct DeviceRecord {
    pub imei: String,
    pub status: EquipmentStatus,
    pub reason: Option<String>,
    /// The country and organisation that set the current status.
    pub listed_by_country: Option<Country>,
    pub listed_by_organisation_id: Option<String>,
    pub case_reference: Option<String>,
    /// A grey-listed device turns black after this.
    pub grace_until: Option<NaiveDateTime>,
    pub registered_by_organisation_id: Option<String>,
    pub registered_at: Option<NaiveDateTime>,
    pub tac: Option<TacInfo>,
    /// Oldest first.
    pub history: Vec<DeviceEvent>,
}

/// A stolen, lost or counterfeit report.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "ImeiReportInput")]
pub struct ReportInput {
    /// `stolen`, `lost` or `counterfeit`.
    pub reason: String,
    /// The agency's case number.
    pub case_reference: String,
    /// The reporting agency; may be left out by a member of one organisation only.
    pub organisation_id: Option<String>,
    pub note: Option<String>,
}

/// Grey-listing: the device works until the grace period ends, then turns black.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "ImeiGreylistInput")]
pub struct GreylistInput {
    /// `customs_unregistered` or `counterfeit`.
    pub reason: String,
    /// Days until it turns black; the configured default when left out.
    pub grace_days: Option<u32>,
    pub case_reference: Option<String>,
    pub organisation_id: Option<String>,
    pub note: Option<String>,
}

/// Taking a device off the list (a stolen phone returned to its owner, say).
#[derive(Debug, Clone, Default, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "ImeiRecoveryInput")]
pub struct RecoveryInput {
    pub organisation_id: Option<String>,
    pub note: Option<String>,
}

/// Devices a manufacturer or importer registers.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "ImeiRegistrationInput")]
pub struct RegistrationInput {
    /// Up to 10,000 IMEIs or IMEISVs.
    pub imeis: Vec<String>,
    pub organisation_id: Option<String>,
}

/// What a registration did.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationResult {
    /// Devices new to the registry.
    pub registered: u32,
    /// Devices it already knew (their registration is kept).
    pub already_registered: u32,
    /// Grey-listed as customs-unregistered and cleared by this registration.
    pub cleared: u32,
}

/// What an upload of observed IMEI–IMSI pairs did.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct ObservationResult {
    pub accepted: u64,
    /// IMEIs newly grey-listed as likely clones (seen with more IMSIs than the threshold).
    pub flagged: Vec<String>,
}
