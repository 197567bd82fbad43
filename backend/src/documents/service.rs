//! The documents module's rules: who may see a document (its sender's and, once sent, its
//! recipients' members and partner systems, nobody else — not even platform administrators),
//! who may act, and every transition as one transaction that updates the state, appends the
//! signed step, writes the audit entry, the change-log entry and the events for the other side.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use silkbridge_schema::change_log::{self, Operation};
use silkbridge_schema::models::{
    DocumentEventRow, DocumentFileRow, DocumentRecipientRow, DocumentRow, DocumentStepRow,
};
use silkbridge_schema::{DbConnection, ids};
use silkbridge_search_index::IndexDocument;
use utoipa::ToSchema;

use super::chain::{self, GENESIS, Manifest, ManifestFile, StepPayload};
use super::domain::{self, CONFIDENTIALITY, Step};
use super::keys::{self, DocumentKeys};
use super::store;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::http::files::Received;
use crate::http::pagination::{Page, PageRequest, newest_key, parse_newest_key};
use crate::identity::caller::Caller;
use crate::identity::domain::Country;
use crate::identity::policy::{self, Action, authorize};
use crate::identity::service::{self as identity, OrganisationView};
use crate::validate::Validator;

/// The change-log and search kind of documents.
pub const DOCUMENT_KIND: &str = "document";
const CURSOR_SCOPE: &str = "documents";

/// An organisation taking part in an exchange.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct Party {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub country: Country,
}

fn party(org: &OrganisationView) -> Party {
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
    pub at: String,
    /// The compact JWS (EdDSA) by the acting organisation's key.
    pub jws: String,
    /// SHA-256 of the JWS: what the next step names as `prev`.
    pub step_hash: String,
}

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

/// Organisations whose documents the caller may read.
fn readers(caller: &Caller) -> ApiResult<Vec<String>> {
    policy::exchange_scope(caller)
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format_args!("document `{id}`"))
}

/// Whether `organisations` may see the document: the sender always, recipients once sent.
fn visible_to(
    row: &DocumentRow,
    recipients: &[DocumentRecipientRow],
    organisations: &[String],
) -> bool {
    organisations.contains(&row.sender_id)
        || (row.state == "sent"
            && recipients
                .iter()
                .any(|r| r.document_id == row.id && organisations.contains(&r.organisation_id)))
}

/// A document the caller may read, else 404 (outsiders do not learn it exists).
pub fn readable(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<DocumentRow> {
    let orgs = readers(caller)?;
    let row = store::document(conn, id)?.ok_or_else(|| not_found(id))?;
    let recipients = store::recipients(conn, std::slice::from_ref(&row.id))?;
    if visible_to(&row, &recipients, &orgs) {
        Ok(row)
    } else {
        Err(not_found(id))
    }
}

/// Takes the document's row lock for a transition (on PostgreSQL concurrent transitions of
/// one document wait for each other; SQLite writers are serial anyway) and reads it fresh.
fn lock(conn: &mut DbConnection, id: &str) -> ApiResult<DocumentRow> {
    use silkbridge_schema::tables::documents;
    diesel::update(documents::table.find(id))
        .set(documents::updated_at.eq(ids::now()))
        .execute(conn)?;
    store::document(conn, id)?.ok_or_else(|| not_found(id))
}

fn file_url(document_id: &str, file_id: &str) -> String {
    format!("/api/v1/documents/{document_id}/files/{file_id}")
}

/// Full views of `rows`, in order.
pub fn views(conn: &mut DbConnection, rows: Vec<DocumentRow>) -> ApiResult<Vec<DocumentView>> {
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

fn one_view(conn: &mut DbConnection, row: DocumentRow) -> ApiResult<DocumentView> {
    views(conn, vec![row])?
        .pop()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("view of one document is empty")))
}

pub fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<DocumentView> {
    let row = readable(conn, caller, id)?;
    one_view(conn, row)
}

/// The caller's documents, newest change first.
pub fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    mailbox: Option<Mailbox>,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<DocumentView>> {
    let orgs = readers(caller)?;
    let page = PageRequest::parse(limit, cursor, CURSOR_SCOPE)?;
    let after = page.after.as_deref().map(parse_newest_key).transpose()?;
    let outbox = mailbox.map(|m| m == Mailbox::Outbox);
    let rows = store::visible_ids(conn, &orgs, outbox, after, page.fetch_limit())?;
    let (rows, next_cursor) = page.split(rows, CURSOR_SCOPE, |row| {
        newest_key(&row.updated_at, &row.id)
    });
    Ok(Page {
        items: views(conn, rows)?,
        next_cursor,
    })
}

struct Checked {
    sender: OrganisationView,
    recipients: Vec<OrganisationView>,
    confidentiality: String,
}

fn check(conn: &mut DbConnection, input: &DocumentInput) -> ApiResult<Checked> {
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

fn recipient_rows(document_id: &str, recipients: &[OrganisationView]) -> Vec<DocumentRecipientRow> {
    let now = ids::now();
    recipients
        .iter()
        .map(|org| DocumentRecipientRow {
            document_id: document_id.to_owned(),
            organisation_id: org.id.clone(),
            state: "pending".into(),
            reason: None,
            updated_at: now,
        })
        .collect()
}

/// Creates a draft for the sender's editors (or its partner system).
pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: DocumentInput,
) -> ApiResult<DocumentView> {
    readers(caller)?;
    let checked = check(conn, &input)?;
    authorize(
        caller,
        Action::ExchangeFor {
            organisation_id: &checked.sender.id,
        },
    )?;
    let now = ids::now();
    let row = DocumentRow {
        id: ids::new_id(),
        sender_id: checked.sender.id.clone(),
        subject: input.subject.trim().to_owned(),
        document_type: input.document_type.trim().to_owned(),
        reference_number: input.reference_number.trim().to_owned(),
        confidentiality: checked.confidentiality,
        state: "draft".into(),
        content_digest: None,
        created_by: caller.actor(),
        created_at: now,
        updated_at: now,
    };
    store::insert_document(conn, &row)?;
    store::replace_recipients(conn, &row.id, &recipient_rows(&row.id, &checked.recipients))?;
    change_log::record(conn, DOCUMENT_KIND, &row.id, Operation::Upsert)?;
    crate::audit::record(
        conn,
        &caller.actor(),
        "document.create",
        &format!("document:{}", row.id),
        serde_json::json!({"sender": row.sender_id}),
    )?;
    one_view(conn, row)
}

/// A draft the caller may change (the sender's editors).
fn editable_draft(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<DocumentRow> {
    let row = readable(conn, caller, id)?;
    authorize(
        caller,
        Action::ExchangeFor {
            organisation_id: &row.sender_id,
        },
    )?;
    let row = lock(conn, id)?;
    if row.state != "draft" {
        return Err(ApiError::new(
            ErrorCode::InvalidTransition,
            format!("the document is {}: only drafts change", row.state),
        ));
    }
    Ok(row)
}

/// Replaces a draft's metadata and recipients (the sender stays).
pub fn update_draft(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: DocumentInput,
) -> ApiResult<DocumentView> {
    let mut row = editable_draft(conn, caller, id)?;
    let checked = check(conn, &input)?;
    if checked.sender.id != row.sender_id {
        return Err(ApiError::validation(vec![FieldError::new(
            "sender",
            "immutable",
            "the sender of a document does not change",
        )]));
    }
    row.subject = input.subject.trim().to_owned();
    row.document_type = input.document_type.trim().to_owned();
    row.reference_number = input.reference_number.trim().to_owned();
    row.confidentiality = checked.confidentiality;
    row.updated_at = ids::now();
    store::save_document(conn, &row)?;
    store::replace_recipients(conn, &row.id, &recipient_rows(&row.id, &checked.recipients))?;
    change_log::record(conn, DOCUMENT_KIND, &row.id, Operation::Upsert)?;
    one_view(conn, row)
}

/// Where a new file of a draft goes, after checking the caller may add one.
pub fn prepare_upload(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    max_files: u32,
) -> ApiResult<(String, String)> {
    let row = draft_with_room(conn, caller, id, max_files)?;
    let file_id = ids::new_id();
    Ok((file_id.clone(), format!("documents/{}/{file_id}", row.id)))
}

/// A draft the caller may add a file to, with room for one more.
fn draft_with_room(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    max_files: u32,
) -> ApiResult<DocumentRow> {
    let row = editable_draft(conn, caller, id)?;
    if store::files(conn, std::slice::from_ref(&row.id))?.len() >= max_files as usize {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("a document carries at most {max_files} files"),
        ));
    }
    Ok(row)
}

/// Records an uploaded file of a draft (re-checked: it may have been sent meanwhile).
pub fn record_file(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    file_id: String,
    received: Received,
    max_files: u32,
) -> ApiResult<DocumentFileView> {
    draft_with_room(conn, caller, id, max_files)?;
    let row = DocumentFileRow {
        id: file_id,
        document_id: id.to_owned(),
        object_key: received.object_key,
        file_name: received.file_name,
        content_type: received.content_type,
        size_bytes: received.size_bytes,
        sha256: received.sha256,
        created_at: ids::now(),
    };
    store::insert_file(conn, &row)?;
    change_log::record(conn, DOCUMENT_KIND, id, Operation::Upsert)?;
    Ok(DocumentFileView {
        url: file_url(id, &row.id),
        id: row.id,
        file_name: row.file_name,
        content_type: row.content_type,
        size_bytes: row.size_bytes,
        sha256: row.sha256,
    })
}

/// A file the caller may download, with its object key.
pub fn find_file(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    file_id: &str,
) -> ApiResult<DocumentFileRow> {
    let row = readable(conn, caller, id)?;
    store::files(conn, std::slice::from_ref(&row.id))?
        .into_iter()
        .find(|f| f.id == file_id)
        .ok_or_else(|| ApiError::not_found(format_args!("file `{file_id}`")))
}

/// The manifest a send fixes.
pub fn manifest(conn: &mut DbConnection, row: &DocumentRow) -> ApiResult<Manifest> {
    let ids = std::slice::from_ref(&row.id);
    let mut recipients: Vec<String> = store::recipients(conn, ids)?
        .into_iter()
        .map(|r| r.organisation_id)
        .collect();
    recipients.sort();
    let mut files: Vec<ManifestFile> = store::files(conn, ids)?
        .into_iter()
        .map(|f| ManifestFile {
            id: f.id,
            name: f.file_name,
            sha256: f.sha256,
            size: f.size_bytes,
        })
        .collect();
    files.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Manifest {
        document: row.id.clone(),
        sender: row.sender_id.clone(),
        subject: row.subject.clone(),
        document_type: row.document_type.clone(),
        reference_number: row.reference_number.clone(),
        confidentiality: row.confidentiality.clone(),
        recipients,
        files,
    })
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Appends the signed step, its audit entry, its change-log entry and the events.
#[allow(clippy::too_many_arguments)]
fn record_step(
    conn: &mut DbConnection,
    keys: &DocumentKeys,
    caller: &Caller,
    row: &DocumentRow,
    step: Step,
    actor: &str,
    recipient: Option<&str>,
    reason: Option<&str>,
    notify: &[String],
) -> ApiResult<DocumentStepRow> {
    let steps = store::steps(conn, &row.id)?;
    let seq = i32::try_from(steps.len() + 1).unwrap_or(i32::MAX);
    let prev = steps
        .last()
        .map_or_else(|| GENESIS.to_owned(), |s| s.step_hash.clone());
    // The key first: one made now must be valid at the moment the step says it signed.
    let key = keys::current(conn, keys, actor)?;
    let now = ids::now();
    let payload = StepPayload {
        document: row.id.clone(),
        seq,
        step: step.as_str().into(),
        actor: actor.to_owned(),
        recipient: recipient.map(str::to_owned),
        content: row.content_digest.clone().unwrap_or_default(),
        prev,
        at: rfc3339(now),
        reason: reason.map(str::to_owned),
    };
    let jws = keys::sign(&key, &payload.to_value())?;
    let stored = DocumentStepRow {
        document_id: row.id.clone(),
        seq,
        action: step.as_str().into(),
        actor_id: actor.to_owned(),
        recipient_id: recipient.map(str::to_owned),
        step_hash: keys::step_hash(&jws),
        jws,
        created_at: now,
    };
    store::insert_step(conn, &stored)?;
    for organisation in notify {
        let id = ids::new_id();
        let event = serde_json::json!({
            "id": id,
            "type": step.event(),
            "document_id": row.id,
            "reference_number": row.reference_number,
            "seq": seq,
            "actor": actor,
            "recipient": recipient,
            "at": payload.at,
        });
        store::insert_event(
            conn,
            &DocumentEventRow {
                id,
                organisation_id: organisation.clone(),
                event_type: step.event().into(),
                document_id: row.id.clone(),
                payload: event.to_string(),
                created_at: now,
                attempts: 0,
                next_attempt_at: now,
                delivered_at: None,
                last_error: None,
            },
        )?;
    }
    change_log::record(conn, DOCUMENT_KIND, &row.id, Operation::Upsert)?;
    crate::audit::record(
        conn,
        &caller.actor(),
        &format!("document.{}", step.as_str()),
        &format!("document:{}", row.id),
        serde_json::json!({"seq": seq, "organisation": actor, "recipient": recipient, "step_hash": stored.step_hash}),
    )?;
    Ok(stored)
}

/// The sender's steps: send a draft, or recall a sent document nobody has received.
pub fn sender_step(
    conn: &mut DbConnection,
    keys: &DocumentKeys,
    caller: &Caller,
    id: &str,
    step: Step,
) -> ApiResult<DocumentView> {
    let visible = readable(conn, caller, id)?;
    authorize(
        caller,
        Action::ExchangeFor {
            organisation_id: &visible.sender_id,
        },
    )?;
    let mut row = lock(conn, id)?;
    let ids = std::slice::from_ref(&row.id);
    let mut recipients = store::recipients(conn, ids)?;
    let any_received = recipients
        .iter()
        .any(|r| !matches!(r.state.as_str(), "sent" | "pending"));
    let next = domain::sender_step(step, &row.state, any_received)?;
    if step == Step::Send {
        if store::files(conn, ids)?.is_empty() {
            return Err(ApiError::validation(vec![FieldError::new(
                "files",
                "required",
                "attach at least one file before sending",
            )]));
        }
        row.content_digest = Some(manifest(conn, &row)?.digest());
        let now = ids::now();
        for recipient in &mut recipients {
            recipient.state = "sent".into();
            recipient.updated_at = now;
            store::save_recipient(conn, recipient)?;
        }
    }
    row.state = next.into();
    row.updated_at = ids::now();
    store::save_document(conn, &row)?;
    let notify: Vec<String> = recipients
        .iter()
        .map(|r| r.organisation_id.clone())
        .collect();
    let sender = row.sender_id.clone();
    record_step(conn, keys, caller, &row, step, &sender, None, None, &notify)?;
    one_view(conn, row)
}

/// A recipient's steps: deliver, accept, reject (with a reason) or sign, as `organisation`
/// (a slug; default: the one recipient organisation the caller acts for).
pub fn recipient_step(
    conn: &mut DbConnection,
    keys: &DocumentKeys,
    caller: &Caller,
    id: &str,
    step: Step,
    organisation: Option<&str>,
    reason: Option<&str>,
) -> ApiResult<DocumentView> {
    let visible = readable(conn, caller, id)?;
    let ids = std::slice::from_ref(&visible.id);
    let recipients = store::recipients(conn, ids)?;
    let acting: Vec<&DocumentRecipientRow> = match organisation {
        Some(slug) => {
            let org = identity::organisation_by_slug(conn, slug).map_err(|_| {
                ApiError::invalid_parameter(format!("there is no organisation `{slug}`"))
            })?;
            recipients
                .iter()
                .filter(|r| r.organisation_id == org.id)
                .collect()
        }
        None => recipients
            .iter()
            .filter(|r| {
                authorize(
                    caller,
                    Action::ExchangeFor {
                        organisation_id: &r.organisation_id,
                    },
                )
                .is_ok()
            })
            .collect(),
    };
    let copy = match acting.as_slice() {
        [one] => (*one).clone(),
        [] => {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "only a recipient's editors and admins (or its partner system) take this step",
            ));
        }
        _ => {
            return Err(ApiError::invalid_parameter(
                "you act for several recipients: name one with `organisation`",
            ));
        }
    };
    authorize(
        caller,
        Action::ExchangeFor {
            organisation_id: &copy.organisation_id,
        },
    )?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if step == Step::Reject && reason.is_none() {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            "required",
            "say why the document is rejected",
        )]));
    }
    if let Some(reason) = reason
        && reason.chars().count() > 2000
    {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            "too_long",
            "at most 2000 characters",
        )]));
    }
    let row = lock(conn, id)?;
    let mut copy = store::recipients(conn, std::slice::from_ref(&row.id))?
        .into_iter()
        .find(|r| r.organisation_id == copy.organisation_id)
        .ok_or_else(|| not_found(id))?;
    let next = domain::recipient_step(step, &row.state, &copy.state)?;
    copy.state = next.into();
    copy.updated_at = ids::now();
    if step == Step::Reject {
        copy.reason = reason.map(str::to_owned);
    }
    store::save_recipient(conn, &copy)?;
    let recipient = copy.organisation_id.clone();
    let notify = vec![row.sender_id.clone()];
    record_step(
        conn,
        keys,
        caller,
        &row,
        step,
        &recipient,
        Some(&recipient),
        if step == Step::Reject { reason } else { None },
        &notify,
    )?;
    one_view(conn, row)
}

fn step_view(row: DocumentStepRow) -> StepView {
    StepView {
        seq: row.seq,
        step: row.action,
        actor: row.actor_id,
        recipient: row.recipient_id,
        reason: StepPayload::unverified(&row.jws).and_then(|p| p.reason),
        // The step's time is its row's: both were taken from one clock reading.
        at: rfc3339(row.created_at),
        jws: row.jws,
        step_hash: row.step_hash,
    }
}

/// The signed history, in order.
pub fn history(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<Vec<StepView>> {
    let row = readable(conn, caller, id)?;
    Ok(store::steps(conn, &row.id)?
        .into_iter()
        .map(step_view)
        .collect())
}

/// Checks a document's stored history against the published keys and its stored manifest
/// (file bytes are checked by the caller, who reads the object store). `Ok(steps)` or the
/// first break.
pub fn verify_stored(conn: &mut DbConnection, id: &str) -> ApiResult<Result<usize, chain::Break>> {
    let row = store::document(conn, id)?.ok_or_else(|| not_found(id))?;
    let steps = store::steps(conn, id)?;
    if row.state == "draft" && steps.is_empty() {
        return Ok(Ok(0));
    }
    let digest = manifest(conn, &row)?.digest();
    if row.content_digest.as_deref() != Some(digest.as_str()) {
        return Ok(Err(chain::Break {
            seq: 0,
            reason: "the stored metadata, recipients or file list no longer match what was sent"
                .into(),
        }));
    }
    let kids: Vec<String> = steps
        .iter()
        .filter_map(|s| keys::kid_of(&s.jws).ok())
        .collect();
    let published = keys::by_ids(conn, &kids)?;
    let signed: Vec<chain::SignedStep> = steps
        .iter()
        .map(|s| chain::SignedStep {
            seq: s.seq,
            jws: s.jws.clone(),
        })
        .collect();
    let key_of = |kid: &str| published.iter().find(|k| k.kid == kid).cloned();
    Ok(chain::verify(id, &digest, &signed, &key_of).map(|payloads| payloads.len()))
}

/// Every document id, for `silkbridge documents verify`.
pub fn all_ids(conn: &mut DbConnection) -> ApiResult<Vec<String>> {
    Ok(store::all_ids(conn)?)
}

/// Every stored file of a document (for byte checks).
pub fn stored_files(conn: &mut DbConnection, id: &str) -> ApiResult<Vec<DocumentFileRow>> {
    Ok(store::files(conn, &[id.to_owned()])?)
}

fn document(views: DocumentView) -> IndexDocument {
    // Exchange tokens, not organisation tokens: the policy's exchange scope (members and the
    // organisation's own partner systems; no platform-wide token) decides, as for a read.
    let mut access = vec![policy::exchange_token(&views.sender.id)];
    if views.state == "sent" {
        access.extend(
            views
                .recipients
                .iter()
                .map(|r| policy::exchange_token(&r.organisation.id)),
        );
    }
    let mut body = vec![
        views.reference_number.clone(),
        views.document_type.clone(),
        views.sender.name.clone(),
    ];
    body.extend(views.recipients.iter().map(|r| r.organisation.name.clone()));
    body.extend(views.files.iter().map(|f| f.file_name.clone()));
    IndexDocument {
        kind: DOCUMENT_KIND.into(),
        entity_id: views.id,
        title: views.subject,
        body: body.join("\n"),
        organisation_id: Some(views.sender.id),
        country: Some(views.sender.country.as_str().to_owned()),
        access,
        updated_at: views.updated_at.and_utc().timestamp(),
        ..IndexDocument::default()
    }
}

pub fn index_document(conn: &mut DbConnection, id: &str) -> ApiResult<Option<IndexDocument>> {
    match store::document(conn, id)? {
        Some(row) => Ok(views(conn, vec![row])?.pop().map(document)),
        None => Ok(None),
    }
}

pub fn index_documents_after(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> ApiResult<(Vec<IndexDocument>, Option<String>)> {
    let rows = store::after_id(conn, after_id, limit)?;
    let last = rows.last().map(|r| r.id.clone());
    Ok((views(conn, rows)?.into_iter().map(document).collect(), last))
}

pub fn count(conn: &mut DbConnection) -> ApiResult<i64> {
    Ok(store::count(conn)?)
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

/// Events of the caller's organisations after `after` (an event id this caller was given), in
/// commit order: the polling alternative to webhooks. An id that is not one of the caller's
/// events is an invalid cursor (the same answer whether or not it exists elsewhere).
pub fn events(
    conn: &mut DbConnection,
    caller: &Caller,
    after: Option<&str>,
    limit: Option<u32>,
) -> ApiResult<Vec<EventView>> {
    let orgs = readers(caller)?;
    let limit = i64::from(limit.unwrap_or(100).clamp(1, 1000));
    let events = store::events(conn, &orgs, after.filter(|a| !a.is_empty()), limit)?
        .ok_or_else(crate::http::pagination::invalid_cursor)?;
    Ok(events
        .into_iter()
        .map(|e| EventView {
            id: e.id,
            organisation_id: e.organisation_id,
            event_type: e.event_type,
            document_id: e.document_id,
            created_at: e.created_at,
            payload: e.payload,
            delivered_at: e.delivered_at,
        })
        .collect())
}

/// Groups steps by document for receipts.
pub(super) fn steps_of(conn: &mut DbConnection, id: &str) -> ApiResult<Vec<DocumentStepRow>> {
    Ok(store::steps(conn, id)?)
}
