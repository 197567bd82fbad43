//! The documents module's GraphQL fields: the same service calls as REST. Files are uploaded
//! and downloaded over REST (streamed bodies); receipts travel as JSON text.

use async_graphql::{Context, Object, Result};

use super::domain::Step;
use super::input::{DocumentInput, Mailbox};
use super::key_list::SignedKeyList;
use super::keys::PublicKeyView;
use super::receipts::{Receipt, ReceiptCheck};
use super::service;
use super::step_signing::{StepSignature, StepToSign};
use super::views::{DocumentView, EventView, StepView};
use super::webhooks::{WebhookInput, WebhookView};
use crate::error::ApiError;
use crate::graphql::{answer, found, request};
use crate::http::pagination::{PageParams, graphql_page};

graphql_page!(DocumentPage, DocumentView);

#[derive(Default)]
pub struct DocumentsQuery;

#[Object]
impl DocumentsQuery {
    /// The caller's organisations' documents (`mailbox`: INBOX, OUTBOX, or both).
    async fn documents(
        &self,
        ctx: &Context<'_>,
        mailbox: Option<Mailbox>,
        first: Option<u32>,
        after: Option<String>,
    ) -> Result<DocumentPage> {
        let (state, caller) = request(ctx)?;
        let page = PageParams {
            limit: first,
            cursor: after,
        };
        answer(service::list(state, &caller, mailbox, page).await).map(DocumentPage::from)
    }

    /// One document; null for anyone but its parties.
    async fn document(&self, ctx: &Context<'_>, id: String) -> Result<Option<DocumentView>> {
        let (state, caller) = request(ctx)?;
        found(service::get(state, &caller, &id).await)
    }

    /// A document's signed history.
    async fn document_history(&self, ctx: &Context<'_>, id: String) -> Result<Vec<StepView>> {
        let (state, caller) = request(ctx)?;
        answer(service::history(state, &caller, &id).await)
    }

    /// Events of the caller's organisations after the event id `after` (polling).
    async fn document_events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        limit: Option<u32>,
    ) -> Result<Vec<EventView>> {
        let (state, caller) = request(ctx)?;
        answer(service::events(state, &caller, after.as_deref(), limit).await)
    }

    /// The organisation's webhook (its admins); null when none is set. The secret is never
    /// shown again.
    async fn document_webhook(
        &self,
        ctx: &Context<'_>,
        organisation: String,
    ) -> Result<Option<WebhookView>> {
        let (state, caller) = request(ctx)?;
        answer(service::webhook(state, &caller, &organisation).await)
    }

    /// The webhook's newest delivery attempts, newest first (its admins; 1 to 500, 100).
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        limit: Option<i64>,
    ) -> Result<Vec<super::webhook_deliveries::DeliveryView>> {
        let (state, caller) = request(ctx)?;
        answer(service::webhook_deliveries(state, &caller, &organisation, limit).await)
    }

    /// An organisation's document-signing public keys.
    async fn signing_keys(
        &self,
        ctx: &Context<'_>,
        organisation: String,
    ) -> Result<Vec<PublicKeyView>> {
        let (state, _) = request(ctx)?;
        answer(service::signing_keys(state, &organisation).await)
    }

    /// Every organisation's signing keys and the platform's, as one JWS signed by the
    /// platform key: the list `silkbridge verify-receipt --keys` trusts.
    async fn signing_key_list(&self, ctx: &Context<'_>) -> Result<SignedKeyList> {
        let (state, _) = request(ctx)?;
        answer(service::key_list(state).await)
    }
}

#[derive(Default)]
pub struct DocumentsMutation;

#[Object]
impl DocumentsMutation {
    /// Creates a draft.
    async fn create_document(
        &self,
        ctx: &Context<'_>,
        input: DocumentInput,
    ) -> Result<DocumentView> {
        let (state, caller) = request(ctx)?;
        answer(service::create(state, &caller, input).await)
    }

    /// Replaces a draft's metadata and recipients.
    async fn update_document(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: DocumentInput,
    ) -> Result<DocumentView> {
        let (state, caller) = request(ctx)?;
        answer(service::update_draft(state, &caller, &id, input).await)
    }

    /// Takes a step (send, recall, deliver, accept, reject, sign). An organisation that holds
    /// its own key sends the prepared step's `signedAt` and its detached JWS `signature`.
    #[allow(clippy::too_many_arguments)]
    async fn document_step(
        &self,
        ctx: &Context<'_>,
        id: String,
        step: Step,
        organisation: Option<String>,
        reason: Option<String>,
        signed_at: Option<String>,
        signature: Option<String>,
    ) -> Result<DocumentView> {
        let (state, caller) = request(ctx)?;
        let signature =
            StepSignature::submitted(signed_at, signature).map_err(ApiError::into_graphql)?;
        answer(
            service::take_step(
                state,
                &caller,
                &id,
                step,
                organisation.as_deref(),
                reason.as_deref(),
                signature,
            )
            .await,
        )
    }

    /// Prepares a step for an organisation that holds its own key: every check the step
    /// makes, nothing written; the payload and canonical bytes to sign.
    async fn prepare_document_step(
        &self,
        ctx: &Context<'_>,
        id: String,
        step: Step,
        organisation: Option<String>,
        reason: Option<String>,
    ) -> Result<StepToSign> {
        let (state, caller) = request(ctx)?;
        answer(
            service::prepare_step(
                state,
                &caller,
                &id,
                step,
                organisation.as_deref(),
                reason.as_deref(),
            )
            .await,
        )
    }

    /// Registers a key the organisation holds itself, by its registration statement (its
    /// admins); the current key is retired.
    async fn register_signing_key(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        statement: String,
    ) -> Result<PublicKeyView> {
        let (state, caller) = request(ctx)?;
        answer(service::register_signing_key(state, &caller, &organisation, &statement).await)
    }

    /// Checks a receipt (its JSON text) against the platform's published keys.
    async fn verify_receipt(&self, ctx: &Context<'_>, receipt: String) -> Result<ReceiptCheck> {
        let (state, _) = request(ctx)?;
        let receipt: Receipt = serde_json::from_str(&receipt).map_err(|e| {
            ApiError::invalid_parameter(format!("not a receipt: {e}")).into_graphql()
        })?;
        answer(service::verify_receipt(state, receipt).await)
    }

    /// Queues one of the organisation's events for delivery again (its admins); true.
    async fn redeliver_webhook_event(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        event: String,
    ) -> Result<bool> {
        let (state, caller) = request(ctx)?;
        answer(service::redeliver_webhook_event(state, &caller, &organisation, &event).await)
            .map(|()| true)
    }

    /// Removes an organisation's webhook (events can still be polled); returns true.
    async fn delete_document_webhook(
        &self,
        ctx: &Context<'_>,
        organisation: String,
    ) -> Result<bool> {
        let (state, caller) = request(ctx)?;
        answer(service::delete_webhook(state, &caller, &organisation).await).map(|()| true)
    }

    /// Retires the organisation's current signing key (it stays published) and makes a new
    /// one: its admins.
    async fn rotate_signing_key(
        &self,
        ctx: &Context<'_>,
        organisation: String,
    ) -> Result<PublicKeyView> {
        let (state, caller) = request(ctx)?;
        answer(service::rotate_signing_key(state, &caller, &organisation).await)
    }

    /// Sets an organisation's webhook; the answer carries its HMAC secret once.
    async fn set_document_webhook(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        url: String,
    ) -> Result<WebhookView> {
        let (state, caller) = request(ctx)?;
        answer(service::set_webhook(state, &caller, &organisation, WebhookInput { url }).await)
    }
}
