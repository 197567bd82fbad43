//! The documents module's rules on a connection: who may see a document (its sender's and, once
//! sent, its recipients' members and partner systems, nobody else, not even platform
//! administrators), drafts and their files, history and events. The operations in
//! `service.rs` run them in one transaction each; the seed composes them.

use silkbridge_schema::models::{
    DocumentFileRow, DocumentRecipientRow, DocumentRow, DocumentStepRow,
};
use silkbridge_schema::{DbConnection, ids};

use super::index::DOCUMENT_KIND;
use super::input::{DocumentInput, Mailbox, check};
use super::store;
use super::views::{
    DocumentFileView, DocumentView, EventView, StepView, file_url, one_view, step_view, views,
};
use crate::changes::Change;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::http::pagination::{NewestKey, Page, PageRequest};
use crate::identity::caller::Caller;
use crate::identity::policy::{self, Action, authorize};
use crate::identity::views::OrganisationView;
use crate::storage::Received;

pub(super) const CURSOR_SCOPE: &str = "documents";

/// Organisations whose documents the caller may read.
pub(super) fn readers(caller: &Caller) -> ApiResult<Vec<String>> {
    policy::exchange_scope(caller)
}

pub(super) fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format_args!("document `{id}`"))
}

/// Whether `organisations` may see the document: the sender always, recipients once sent.
pub(super) fn visible_to(
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
pub(crate) fn readable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<DocumentRow> {
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
pub(super) fn lock(conn: &mut DbConnection, id: &str) -> ApiResult<DocumentRow> {
    store::touch_for_update(conn, id, ids::now())?;
    store::document(conn, id)?.ok_or_else(|| not_found(id))
}

pub(crate) fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<DocumentView> {
    let row = readable(conn, caller, id)?;
    one_view(conn, row)
}

/// The caller's documents, newest change first.
pub(crate) fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    mailbox: Option<Mailbox>,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<DocumentView>> {
    let orgs = readers(caller)?;
    let page = PageRequest::<NewestKey>::parse(limit, cursor, CURSOR_SCOPE)?;
    let after = page.after.clone().map(NewestKey::into_pair);
    let outbox = mailbox.map(|m| m == Mailbox::Outbox);
    let rows = store::visible_ids(conn, &orgs, outbox, after, page.fetch_limit())?;
    let (rows, next_cursor) = page.split(rows, CURSOR_SCOPE, |row| {
        NewestKey::of(&row.updated_at, &row.id)
    });
    Ok(Page {
        items: views(conn, rows)?,
        next_cursor,
    })
}

pub(super) fn recipient_rows(
    document_id: &str,
    recipients: &[OrganisationView],
) -> Vec<DocumentRecipientRow> {
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
pub(crate) fn create(
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
    Change::upsert(DOCUMENT_KIND, &row.id).record(conn)?;
    crate::changes::audit(
        conn,
        &caller.actor(),
        "document.create",
        &format!("document:{}", row.id),
        serde_json::json!({"sender": row.sender_id}),
    )?;
    one_view(conn, row)
}

/// A draft the caller may change (the sender's editors).
pub(super) fn editable_draft(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<DocumentRow> {
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
pub(crate) fn update_draft(
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
    Change::upsert(DOCUMENT_KIND, &row.id).record(conn)?;
    one_view(conn, row)
}

/// Where a new file of a draft goes, after checking the caller may add one.
pub(crate) fn prepare_upload(
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
pub(super) fn draft_with_room(
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
pub(crate) fn record_file(
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
    Change::upsert(DOCUMENT_KIND, id).record(conn)?;
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
pub(crate) fn find_file(
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

/// The signed history, in order.
pub(crate) fn history(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Vec<StepView>> {
    let row = readable(conn, caller, id)?;
    Ok(store::steps(conn, &row.id)?
        .into_iter()
        .map(step_view)
        .collect())
}

/// Every document id, for `silkbridge documents verify`.
pub(crate) fn all_ids(conn: &mut DbConnection) -> ApiResult<Vec<String>> {
    Ok(store::all_ids(conn)?)
}

/// Every stored file of a document (for byte checks).
pub(crate) fn stored_files(conn: &mut DbConnection, id: &str) -> ApiResult<Vec<DocumentFileRow>> {
    Ok(store::files(conn, &[id.to_owned()])?)
}

/// Events of the caller's organisations after `after` (an event id this caller was given), in
/// commit order: the polling alternative to webhooks. An id that is not one of the caller's
/// events is an invalid cursor (the same answer whether or not it exists elsewhere).
pub(crate) fn events(
    conn: &mut DbConnection,
    caller: &Caller,
    after: Option<&str>,
    limit: u32,
) -> ApiResult<Vec<EventView>> {
    let orgs = readers(caller)?;
    let limit = i64::from(limit);
    let events = crate::outbox::store::events(
        conn,
        &orgs,
        "document.",
        after.filter(|a| !a.is_empty()),
        limit,
    )?
    .ok_or_else(crate::http::pagination::invalid_cursor)?;
    Ok(events
        .into_iter()
        .map(|e| EventView {
            id: e.id,
            organisation_id: e.organisation_id,
            event_type: e.event_type,
            document_id: e.subject,
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
