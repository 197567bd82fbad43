//! Rows of IMEI cases (lost and stolen phones, devices in crimes and fraud), in storage form.

use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A case and where it stands.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::tables::imei_cases, treat_none_as_null = true)]
pub struct ImeiCase {
    pub id: String,
    pub reference: String,
    pub kind: String,
    pub state: String,
    pub confidentiality: String,
    /// The reporting organisation.
    pub organisation_id: String,
    /// The reporting organisation's country: where the owner is.
    pub country: String,
    pub summary: String,
    /// The owner's contact details, sealed; `None` once erased.
    pub contact_key_id: Option<String>,
    pub contact_nonce: Option<Vec<u8>>,
    pub contact_sealed: Option<Vec<u8>>,
    pub found_by: Option<String>,
    pub found_country: Option<String>,
    pub held_at: Option<String>,
    /// The owner's country's embassy in the country where the device was found.
    pub embassy_id: Option<String>,
    /// Raised by every change, so two concurrent transitions cannot both apply.
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

/// One thing that happened to a case.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::imei_case_events)]
pub struct ImeiCaseEvent {
    pub id: String,
    pub case_id: String,
    pub kind: String,
    /// The case's state after it.
    pub state: String,
    pub actor: String,
    pub organisation_id: Option<String>,
    pub country: Option<String>,
    pub imei: Option<i64>,
    pub note: Option<String>,
    pub at: NaiveDateTime,
}
