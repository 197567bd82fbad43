//! The documents module's GraphQL fields: the same service calls as REST. Files are uploaded
//! and downloaded over REST (streamed bodies); receipts travel as JSON text.

use async_graphql::{Context, Object, Result};

use super::domain::Step;
use super::keys::{self, PublicKeyView};
use super::receipts::{self, Receipt, ReceiptCheck};
use super::service::{self, DocumentInput, DocumentView, EventView, Mailbox, StepView};
use super::webhooks::{self, WebhookView};
use crate::db;
use crate::error::{ApiError, ErrorCode};
use crate::graphql::{caller_of, state_of};
use crate::http::pagination::Page;
use crate::identity::service as identity;

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
    ) -> Result<Page<DocumentView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| {
            service::list(conn, &caller, mailbox, first, after.as_deref())
        })
        .await
        .map_err(|e| e.into_graphql())
    }

    /// One document; null for anyone but its parties.
    async fn document(&self, ctx: &Context<'_>, id: String) -> Result<Option<DocumentView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        match db::run(&state.db, move |conn| service::get(conn, &caller, &id)).await {
            Ok(found) => Ok(Some(found)),
            Err(e) if e.code == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e.into_graphql()),
        }
    }

    /// A document's signed history.
    async fn document_history(&self, ctx: &Context<'_>, id: String) -> Result<Vec<StepView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| service::history(conn, &caller, &id))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Events of the caller's organisations after the event id `after` (polling).
    async fn document_events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        limit: Option<u32>,
    ) -> Result<Vec<EventView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| {
            service::events(conn, &caller, after.as_deref(), limit)
        })
        .await
        .map_err(|e| e.into_graphql())
    }

    /// The organisation's webhook (its admins); null when none is set. The secret is never
    /// shown again.
    async fn document_webhook(
        &self,
        ctx: &Context<'_>,
        organisation: String,
    ) -> Result<Option<WebhookView>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        db::run(&state.db, move |conn| {
            webhooks::get(conn, &caller, &organisation)
        })
        .await
        .map_err(|e| e.into_graphql())
    }

    /// An organisation's document-signing public keys.
    async fn signing_keys(
        &self,
        ctx: &Context<'_>,
        organisation: String,
    ) -> Result<Vec<PublicKeyView>> {
        let state = state_of(ctx)?;
        db::run(&state.db, move |conn| {
            let org = identity::organisation_by_slug(conn, &organisation)?;
            keys::published(conn, &org.id)
        })
        .await
        .map_err(|e| e.into_graphql())
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
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::create(conn, &caller, input))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Replaces a draft's metadata and recipients.
    async fn update_document(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: DocumentInput,
    ) -> Result<DocumentView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| service::update_draft(conn, &caller, &id, input))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Takes a step (send, recall, deliver, accept, reject, sign).
    async fn document_step(
        &self,
        ctx: &Context<'_>,
        id: String,
        step: Step,
        organisation: Option<String>,
        reason: Option<String>,
    ) -> Result<DocumentView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let keys = state.documents.clone();
        state
            .write(move |conn| {
                super::take(
                    conn,
                    &keys,
                    &caller,
                    &id,
                    step,
                    organisation.as_deref(),
                    reason.as_deref(),
                )
            })
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Checks a receipt (its JSON text) against the platform's published keys.
    async fn verify_receipt(&self, ctx: &Context<'_>, receipt: String) -> Result<ReceiptCheck> {
        let state = state_of(ctx)?;
        let receipt: Receipt = serde_json::from_str(&receipt).map_err(|e| {
            ApiError::invalid_parameter(format!("not a receipt: {e}")).into_graphql()
        })?;
        db::run(&state.db, move |conn| {
            receipts::verify_with_platform_keys(conn, &receipt)
        })
        .await
        .map_err(|e| e.into_graphql())
    }

    /// Removes an organisation's webhook (events can still be polled); returns true.
    async fn delete_document_webhook(
        &self,
        ctx: &Context<'_>,
        organisation: String,
    ) -> Result<bool> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        state
            .write(move |conn| webhooks::delete(conn, &caller, &organisation))
            .await
            .map(|()| true)
            .map_err(|e| e.into_graphql())
    }

    /// Retires the organisation's current signing key (it stays published) and makes a new
    /// one: its admins.
    async fn rotate_signing_key(
        &self,
        ctx: &Context<'_>,
        organisation: String,
    ) -> Result<PublicKeyView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let keys = state.documents.clone();
        state
            .write(move |conn| keys::rotate_for(conn, &keys, &caller, &organisation))
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Sets an organisation's webhook; the answer carries its HMAC secret once.
    async fn set_document_webhook(
        &self,
        ctx: &Context<'_>,
        organisation: String,
        url: String,
    ) -> Result<WebhookView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let keys = state.documents.clone();
        let rules = webhooks::UrlRules::from(&state.config.documents);
        state
            .write(move |conn| {
                webhooks::set(
                    conn,
                    &keys,
                    &caller,
                    &organisation,
                    webhooks::WebhookInput { url },
                    rules,
                )
            })
            .await
            .map_err(|e| e.into_graphql())
    }
}
