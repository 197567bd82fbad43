//! The documents module's operations. Each is one call that every adapter (REST, GraphQL, the
//! portal) makes the same way; it picks a read or a write transaction itself and runs the
//! rules of `rules.rs`, `steps.rs`, `keys.rs` and `webhooks.rs`, which decide who may see and
//! do what.

use std::sync::Arc;

use silkbridge_schema::DbConnection;
use silkbridge_schema::models::DocumentFileRow;

use super::domain::Step;
use super::input::{DocumentInput, Mailbox};
use super::keys::{self, PublicKeyView};
use super::receipts::{self, Receipt, ReceiptCheck};
use super::step_signing::{StepSignature, StepToSign};
use super::steps::StepResult;
use super::views::{DocumentFileView, DocumentView, EventView, StepView};
use super::webhooks::{self, WebhookInput, WebhookView};
use super::{key_list, organisation_keys, rules, steps};
use crate::error::{ApiError, ApiResult};
use crate::http::pagination::{Page, PageParams};
use crate::identity::caller::Caller;
use crate::identity::tokens::TokenKeys;
use crate::state::AppState;
use crate::storage::{Destination, Upload};

/// Most events one poll returns.
pub const MAX_EVENTS: u32 = 1000;

/// The caller's organisations' documents (`mailbox`: inbox, outbox, or both), newest first.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    mailbox: Option<Mailbox>,
    page: PageParams,
) -> ApiResult<Page<DocumentView>> {
    let caller = caller.clone();
    state
        .read(move |conn| rules::list(conn, &caller, mailbox, page.limit, page.cursor.as_deref()))
        .await
}

/// One document, for its parties (404 to anyone else).
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> ApiResult<DocumentView> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state.read(move |conn| rules::get(conn, &caller, &id)).await
}

/// Creates a draft (the sending organisation's editors).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    input: DocumentInput,
) -> ApiResult<DocumentView> {
    let caller = caller.clone();
    state
        .write(move |conn| rules::create(conn, &caller, input))
        .await
}

/// Replaces a draft's metadata and recipients.
pub async fn update_draft(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: DocumentInput,
) -> ApiResult<DocumentView> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .write(move |conn| rules::update_draft(conn, &caller, &id, input))
        .await
}

/// Attaches a file to a draft: streamed, hashed and size-capped; executables are refused.
pub async fn upload_file<S, E>(
    state: &AppState,
    caller: &Caller,
    id: &str,
    upload: Upload<S>,
) -> ApiResult<DocumentFileView>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let max_files = state.config.documents.max_files;
    let (check_caller, check_id) = (caller.clone(), id.to_owned());
    let (file_id, key) = state
        .read(move |conn| rules::prepare_upload(conn, &check_caller, &check_id, max_files))
        .await?;
    let (caller, id) = (caller.clone(), id.to_owned());
    crate::storage::receive(
        state,
        upload,
        Destination {
            object_key: key,
            max_bytes: state.config.documents.file_max_bytes,
        },
        crate::http::files::check_any_data,
        move |conn, received| rules::record_file(conn, &caller, &id, file_id, received, max_files),
    )
    .await
}

/// A document's file, for its parties.
pub async fn file(
    state: &AppState,
    caller: &Caller,
    id: &str,
    file_id: &str,
) -> ApiResult<DocumentFileRow> {
    let (caller, id, file_id) = (caller.clone(), id.to_owned(), file_id.to_owned());
    state
        .read(move |conn| rules::find_file(conn, &caller, &id, &file_id))
        .await
}

/// Takes any step: the sender's (send, recall) or a recipient's (deliver, accept, reject,
/// sign; `organisation` names the recipient acting when the caller acts for several). Each is
/// signed by the acting organisation's key — by the platform for a platform-held key, or
/// `signature` as the organisation signed the prepared step itself; anything but the legal
/// transitions is 409.
pub async fn take_step(
    state: &AppState,
    caller: &Caller,
    id: &str,
    step: Step,
    organisation: Option<&str>,
    reason: Option<&str>,
    signature: StepSignature,
) -> ApiResult<DocumentView> {
    if matches!(signature, StepSignature::Prepare) {
        return Err(ApiError::internal(anyhow::anyhow!(
            "take_step asked only to prepare"
        )));
    }
    let work = StepWork::new(state, caller, id, step, organisation, reason);
    state
        .write(move |conn| match work.run(conn, &signature)? {
            StepResult::Taken(view) => Ok(view),
            StepResult::ToSign(_) => Err(ApiError::internal(anyhow::anyhow!(
                "a step was only prepared"
            ))),
        })
        .await
}

/// Prepares a step for an organisation that holds its own key: every check `take_step`
/// makes, in a transaction that is then rolled back; the payload to sign.
pub async fn prepare_step(
    state: &AppState,
    caller: &Caller,
    id: &str,
    step: Step,
    organisation: Option<&str>,
    reason: Option<&str>,
) -> ApiResult<StepToSign> {
    let work = StepWork::new(state, caller, id, step, organisation, reason);
    state
        .write(move |conn| {
            use diesel::Connection;
            let mut prepared = None;
            let rolled_back = conn.transaction::<(), ApiError, _>(|conn| {
                if let StepResult::ToSign(to_sign) = work.run(conn, &StepSignature::Prepare)? {
                    prepared = Some(to_sign);
                }
                Err(ApiError::internal(anyhow::anyhow!("rolled back")))
            });
            match (prepared, rolled_back) {
                (Some(to_sign), _) => Ok(to_sign),
                (None, Err(error)) => Err(error),
                (None, Ok(())) => Err(ApiError::internal(anyhow::anyhow!("nothing prepared"))),
            }
        })
        .await
}

/// One step's arguments, owned, for a blocking transaction.
struct StepWork {
    documents: Arc<keys::DocumentKeys>,
    platform: Arc<TokenKeys>,
    caller: Caller,
    id: String,
    step: Step,
    organisation: Option<String>,
    reason: Option<String>,
}

impl StepWork {
    fn new(
        state: &AppState,
        caller: &Caller,
        id: &str,
        step: Step,
        organisation: Option<&str>,
        reason: Option<&str>,
    ) -> Self {
        Self {
            documents: state.documents.clone(),
            platform: state.identity.keys.clone(),
            caller: caller.clone(),
            id: id.to_owned(),
            step,
            organisation: organisation.map(str::to_owned),
            reason: reason.map(str::to_owned),
        }
    }

    fn run(&self, conn: &mut DbConnection, signature: &StepSignature) -> ApiResult<StepResult> {
        let keys = steps::StepKeys {
            documents: &self.documents,
            platform: &self.platform,
        };
        if self.step.by_recipient() {
            steps::recipient_step(
                conn,
                keys,
                signature,
                &self.caller,
                &self.id,
                self.step,
                self.organisation.as_deref(),
                self.reason.as_deref(),
            )
        } else {
            steps::sender_step(conn, keys, signature, &self.caller, &self.id, self.step)
        }
    }
}

/// The signed history, in order.
pub async fn history(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Vec<StepView>> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .read(move |conn| rules::history(conn, &caller, &id))
        .await
}

/// The receipt of a recipient's step, for the document's parties.
pub async fn receipt(state: &AppState, caller: &Caller, id: &str, seq: i32) -> ApiResult<Receipt> {
    let (caller, id) = (caller.clone(), id.to_owned());
    let platform = key_list::PlatformKey::of(&state.identity.keys);
    state
        .read(move |conn| receipts::build(conn, &platform, &caller, &id, seq))
        .await
}

/// Checks a receipt against the platform's published keys (anyone may ask).
pub async fn verify_receipt(state: &AppState, receipt: Receipt) -> ApiResult<ReceiptCheck> {
    let platform = key_list::PlatformKey::of(&state.identity.keys);
    state
        .read(move |conn| receipts::verify_with_platform_keys(conn, &platform, &receipt))
        .await
}

/// Every organisation's signing keys and the platform's, signed by the platform key: the
/// file verifiers keep (anyone may fetch it).
pub async fn key_list(state: &AppState) -> ApiResult<key_list::SignedKeyList> {
    let platform = state.identity.keys.clone();
    state
        .read(move |conn| key_list::export(conn, &platform))
        .await
}

/// Registers a key the organisation holds itself (its admins), with its registration
/// statement; from then on its steps must come signed.
pub async fn register_signing_key(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
    statement: &str,
) -> ApiResult<PublicKeyView> {
    let (caller, slug, statement) = (
        caller.clone(),
        organisation.to_owned(),
        statement.to_owned(),
    );
    state
        .write(move |conn| organisation_keys::register_for(conn, &caller, &slug, &statement))
        .await
}

/// Events of the caller's organisations after the event id `after`, in commit order (the
/// polling alternative to webhooks); 1 to `MAX_EVENTS` at a time, 100 unless asked.
pub async fn events(
    state: &AppState,
    caller: &Caller,
    after: Option<&str>,
    limit: Option<u32>,
) -> ApiResult<Vec<EventView>> {
    let limit = limit.unwrap_or(100);
    if limit == 0 || limit > MAX_EVENTS {
        return Err(ApiError::invalid_parameter(format!(
            "limit must be between 1 and {MAX_EVENTS}"
        )));
    }
    let (caller, after) = (caller.clone(), after.map(str::to_owned));
    state
        .read(move |conn| rules::events(conn, &caller, after.as_deref(), limit))
        .await
}

/// An organisation's document-signing public keys, current and retired (anyone may read).
pub async fn signing_keys(state: &AppState, organisation: &str) -> ApiResult<Vec<PublicKeyView>> {
    let slug = organisation.to_owned();
    state
        .read(move |conn| {
            let org = crate::identity::rules::organisation_by_slug(conn, &slug)?;
            keys::published(conn, &org.id)
        })
        .await
}

/// Retires the organisation's current signing key (it stays published) and makes a new one
/// (its admins).
pub async fn rotate_signing_key(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
) -> ApiResult<PublicKeyView> {
    let (caller, slug) = (caller.clone(), organisation.to_owned());
    let keys = state.documents.clone();
    state
        .write(move |conn| keys::rotate_for(conn, &keys, &caller, &slug))
        .await
}

/// The organisation's webhook, if one is set (its admins); the secret is never shown again.
pub async fn webhook(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
) -> ApiResult<Option<WebhookView>> {
    let (caller, slug) = (caller.clone(), organisation.to_owned());
    state
        .read(move |conn| webhooks::get(conn, &caller, &slug))
        .await
}

/// Sets the organisation's webhook (its admins); the answer carries the new secret once.
pub async fn set_webhook(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
    input: WebhookInput,
) -> ApiResult<WebhookView> {
    let (caller, slug) = (caller.clone(), organisation.to_owned());
    let keys = state.documents.clone();
    let url_rules = webhooks::UrlRules::from(&state.config.documents);
    state
        .write(move |conn| webhooks::set(conn, &keys, &caller, &slug, input, url_rules))
        .await
}

/// Removes the organisation's webhook (events can still be polled).
pub async fn delete_webhook(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
) -> ApiResult<()> {
    let (caller, slug) = (caller.clone(), organisation.to_owned());
    state
        .write(move |conn| webhooks::delete(conn, &caller, &slug))
        .await
}

/// The organisation's newest webhook delivery attempts (its admins).
pub async fn webhook_deliveries(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
    limit: Option<i64>,
) -> ApiResult<Vec<super::webhook_deliveries::DeliveryView>> {
    let (caller, slug) = (caller.clone(), organisation.to_owned());
    state
        .read(move |conn| super::webhook_deliveries::list(conn, &caller, &slug, limit))
        .await
}

/// Queues one of the organisation's events for delivery again (its admins).
pub async fn redeliver_webhook_event(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
    event_id: &str,
) -> ApiResult<()> {
    let (caller, slug, id) = (caller.clone(), organisation.to_owned(), event_id.to_owned());
    state
        .write(move |conn| super::webhook_deliveries::redeliver(conn, &caller, &slug, &id))
        .await
}
