//! What a sender writes, and every rule it must follow. A failed check stores nothing and
//! names each broken field.

use serde::Deserialize;
use silkbridge_schema::DbConnection;
use utoipa::ToSchema;

use super::domain::CONFIDENTIALITY;
use crate::error::{ApiError, ApiResult};
use crate::identity::rules as identity;
use crate::identity::views::OrganisationView;
use crate::validate::Validator;

/// What a sender writes.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(deny_unknown_fields)]
#[graphql(input_name = "DocumentInput")]
pub struct DocumentInput {
    /// The sending organisation's slug.
    pub sender: String,
    pub subject: String,
    /// e.g. `letter`, `agreement`, `request`, `report`.
    pub document_type: String,
    /// The sender's registration number.
    pub reference_number: String,
    /// `public`, `internal` (default) or `confidential`.
    #[serde(default)]
    #[graphql(default)]
    pub confidentiality: Option<String>,
    /// Slugs of the receiving organisations (either country).
    pub recipients: Vec<String>,
}

/// Which documents to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema, async_graphql::Enum)]
#[serde(rename_all = "lowercase")]
pub enum Mailbox {
    /// Sent to the caller's organisations.
    Inbox,
    /// Sent (or drafted) by them.
    Outbox,
}

pub(super) struct Checked {
    pub(super) sender: OrganisationView,
    pub(super) recipients: Vec<OrganisationView>,
    pub(super) confidentiality: String,
}

pub(super) fn check(conn: &mut DbConnection, input: &DocumentInput) -> ApiResult<Checked> {
    let mut v = Validator::default();
    v.text("subject", &input.subject, 500);
    v.text("document_type", &input.document_type, 100);
    v.text("reference_number", &input.reference_number, 100);
    let confidentiality = input
        .confidentiality
        .clone()
        .unwrap_or_else(|| "internal".into());
    if !CONFIDENTIALITY.contains(&confidentiality.as_str()) {
        v.fail(
            "confidentiality",
            "unknown_value",
            format!("expected one of {}", CONFIDENTIALITY.join(", ")),
        );
    }
    let sender = identity::organisation_by_slug(conn, input.sender.trim()).ok();
    if sender.is_none() {
        v.fail(
            "sender",
            "unknown_value",
            format!("there is no organisation `{}`", input.sender),
        );
    }
    let mut recipients: Vec<OrganisationView> = Vec::new();
    if input.recipients.is_empty() {
        v.fail(
            "recipients",
            "required",
            "name at least one receiving organisation",
        );
    }
    for (i, slug) in input.recipients.iter().enumerate() {
        match identity::organisation_by_slug(conn, slug.trim()) {
            Ok(org) if sender.as_ref().is_some_and(|s| s.id == org.id) => v.fail(
                format!("recipients/{i}"),
                "invalid_value",
                "an organisation does not send to itself",
            ),
            Ok(org) if recipients.iter().any(|r| r.id == org.id) => v.fail(
                format!("recipients/{i}"),
                "duplicate",
                "each recipient once",
            ),
            Ok(org) => recipients.push(org),
            Err(_) => v.fail(
                format!("recipients/{i}"),
                "unknown_value",
                format!("there is no organisation `{slug}`"),
            ),
        }
    }
    if recipients.len() > 50 {
        v.fail("recipients", "too_many", "at most 50 recipients");
    }
    v.finish()?;
    let sender =
        sender.ok_or_else(|| ApiError::internal(anyhow::anyhow!("checked sender missing")))?;
    Ok(Checked {
        sender,
        recipients,
        confidentiality,
    })
}
