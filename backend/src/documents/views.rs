//! What the parties of an exchange see: the views REST, GraphQL, receipts and the portal share.

use chrono::NaiveDateTime;
use serde::Serialize;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{DocumentRow, DocumentStepRow};
use utoipa::ToSchema;

use super::chain::StepPayload;
use super::steps::rfc3339;
use super::store;
use crate::error::{ApiError, ApiResult};
use crate::identity::domain::Country;
use crate::identity::rules as identity;
use crate::identity::views::OrganisationView;

/// An organisation taking part in an exchange.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct Party {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub country: Country,
}

pub(super) fn party(org: &OrganisationView) -> Party {
    Party {
        id: org.id.clone(),
        slug: org.slug.clone(),
        name: org.name.clone(),
        country: org.country,
    }
}

/// A recipient and where its copy stands.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct RecipientView {
    pub organisation: Party,
    /// `pending` (draft), `sent`, `delivered`, `accepted`, `rejected` or `signed`.
    pub state: String,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// A file of a document.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "DocumentFile")]
#[schema(as = DocumentFile)]
pub struct DocumentFileView {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub url: String,
}

/// A document as its parties see it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "Document")]
#[schema(as = Document)]
pub struct DocumentView {
    pub id: String,
    pub sender: Party,
    pub subject: String,
    pub document_type: String,
    pub reference_number: String,
    /// `public`, `internal` or `confidential`.
    pub confidentiality: String,
    /// `draft`, `sent` or `recalled`.
    pub state: String,
    /// SHA-256 of the manifest every signed step covers (set when sent).
    pub content_digest: Option<String>,
    pub recipients: Vec<RecipientView>,
    pub files: Vec<DocumentFileView>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One signed step of the history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct StepView {
    pub seq: i32,
    /// send, recall, deliver, accept, reject or sign.
    pub step: String,
    /// The acting organisation's id.
    pub actor: String,
    pub recipient: Option<String>,
    pub reason: Option<String>,
    /// When the step was signed (RFC 3339, UTC): by the platform, when it took the step; by
    /// an organisation holding its own key, the time it signed.
    pub at: String,
    /// When the platform recorded the step.
    pub received_at: String,
    /// Who held the signing key: `platform`, or `organisation` (then the platform
    /// countersigned the step, see the receipt).
    pub custody: String,
    /// The compact JWS (EdDSA) by the acting organisation's key.
    pub jws: String,
    /// SHA-256 of the JWS: what the next step names as `prev`.
    pub step_hash: String,
}

pub(super) fn file_url(document_id: &str, file_id: &str) -> String {
    format!("/api/v1/documents/{document_id}/files/{file_id}")
}

/// Full views of `rows`, in order.
pub(crate) fn views(
    conn: &mut DbConnection,
    rows: Vec<DocumentRow>,
) -> ApiResult<Vec<DocumentView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let recipients = store::recipients(conn, &ids)?;
    let files = store::files(conn, &ids)?;
    let org_ids: Vec<&str> = rows
        .iter()
        .map(|r| r.sender_id.as_str())
        .chain(recipients.iter().map(|r| r.organisation_id.as_str()))
        .collect();
    let orgs = identity::organisations_by_ids(conn, org_ids)?;
    let party_of = |id: &str| -> ApiResult<Party> {
        orgs.get(id)
            .map(party)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("organisation {id} is missing")))
    };
    rows.into_iter()
        .map(|row| {
            Ok(DocumentView {
                sender: party_of(&row.sender_id)?,
                recipients: recipients
                    .iter()
                    .filter(|r| r.document_id == row.id)
                    .map(|r| {
                        Ok(RecipientView {
                            organisation: party_of(&r.organisation_id)?,
                            state: r.state.clone(),
                            reason: r.reason.clone(),
                            updated_at: r.updated_at,
                        })
                    })
                    .collect::<ApiResult<_>>()?,
                files: files
                    .iter()
                    .filter(|f| f.document_id == row.id)
                    .map(|f| DocumentFileView {
                        id: f.id.clone(),
                        file_name: f.file_name.clone(),
                        content_type: f.content_type.clone(),
                        size_bytes: f.size_bytes,
                        sha256: f.sha256.clone(),
                        url: file_url(&row.id, &f.id),
                    })
                    .collect(),
                subject: row.subject,
                document_type: row.document_type,
                reference_number: row.reference_number,
                confidentiality: row.confidentiality,
                state: row.state,
                content_digest: row.content_digest,
                created_at: row.created_at,
                updated_at: row.updated_at,
                id: row.id,
            })
        })
        .collect()
}

pub(super) fn one_view(conn: &mut DbConnection, row: DocumentRow) -> ApiResult<DocumentView> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("view of one document is empty")))
}

pub(super) fn step_view(row: DocumentStepRow) -> StepView {
    let payload = StepPayload::unverified(&row.jws);
    let received_at = rfc3339(row.created_at);
    StepView {
        seq: row.seq,
        step: row.action,
        actor: row.actor_id,
        recipient: row.recipient_id,
        at: payload
            .as_ref()
            .and_then(StepPayload::signed_at)
            .map_or_else(|| received_at.clone(), rfc3339),
        reason: payload.and_then(|p| p.reason),
        received_at,
        // Only steps signed with organisation-held keys are countersigned.
        custody: if row.countersignature.is_some() {
            super::keys::ORGANISATION_HELD
        } else {
            super::keys::PLATFORM_HELD
        }
        .into(),
        jws: row.jws,
        step_hash: row.step_hash,
    }
}

/// An event as the caller's systems see it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct EventView {
    /// Also the webhook's `Idempotency-Key`.
    pub id: String,
    pub organisation_id: String,
    /// `document.sent`, `document.delivered`, `document.accepted`, `document.rejected`,
    /// `document.signed`, `document.recalled`.
    pub event_type: String,
    pub document_id: String,
    pub created_at: NaiveDateTime,
    /// The JSON body the webhook receives.
    pub payload: String,
    pub delivered_at: Option<NaiveDateTime>,
}
