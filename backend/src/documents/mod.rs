//! Documents: official e-documents exchanged between organisations of both countries. A
//! sender drafts, attaches files and sends; each recipient delivers (acknowledges receipt),
//! accepts or rejects, and may sign; a sender may recall before anyone received it. Every
//! transition is signed by the acting organisation's Ed25519 key over the document's manifest
//! and the previous step, so the history is a verifiable chain; recipients' steps yield
//! receipts the sender can verify offline. Only the parties see a document.

pub mod chain;
pub mod demo;
pub mod domain;
pub mod graphql;
pub mod keys;
pub mod receipts;
pub mod rest;
pub mod service;
mod store;
pub mod verify;
pub mod webhooks;

use silkbridge_schema::DbConnection;

use crate::error::ApiResult;
use crate::identity::caller::Caller;
use domain::Step;
use keys::DocumentKeys;
use service::DocumentView;

/// Takes any step: the sender's (send, recall) or a recipient's (deliver, accept, reject,
/// sign). REST and GraphQL both come here.
pub fn take(
    conn: &mut DbConnection,
    keys: &DocumentKeys,
    caller: &Caller,
    id: &str,
    step: Step,
    organisation: Option<&str>,
    reason: Option<&str>,
) -> ApiResult<DocumentView> {
    if step.by_recipient() {
        service::recipient_step(conn, keys, caller, id, step, organisation, reason)
    } else {
        service::sender_step(conn, keys, caller, id, step)
    }
}
