//! An organisation's webhook: where `outbox` pushes the events of every module for it
//! (documents' steps, IMEI cases' sightings and finds). Set, read and removed by the
//! organisation's admins; the HMAC secret is sealed with the documents key and shown once.
//! Systems without a webhook poll `GET /api/v1/documents/events`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use silkbridge_schema::models::WebhookRow;
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;
use zeroize::Zeroizing;

use super::keys::DocumentKeys;
use crate::error::{ApiError, ApiResult};
use crate::http::egress;
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::identity::rules as identity;
use crate::outbox;
use crate::validate::Validator;

/// A webhook as its organisation's admins see it (the secret only once, when set).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct WebhookView {
    pub url: String,
    pub created_at: NaiveDateTime,
    /// The HMAC secret: shown once, when the webhook is set.
    pub secret: Option<String>,
}

/// A webhook to set.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// Where events are POSTed.
    pub url: String,
}

/// What a webhook URL must satisfy, from `[documents]`.
#[derive(Debug, Clone, Copy)]
pub struct UrlRules {
    pub https_only: bool,
    pub private_addresses: bool,
}

impl From<&crate::config::DocumentsConfig> for UrlRules {
    fn from(config: &crate::config::DocumentsConfig) -> Self {
        Self {
            https_only: config.webhook_https_only,
            private_addresses: config.webhook_private_addresses,
        }
    }
}

/// Sets (or replaces, with a new secret) an organisation's webhook: its admins.
pub fn set(
    conn: &mut DbConnection,
    keys: &DocumentKeys,
    caller: &Caller,
    slug: &str,
    input: WebhookInput,
    rules: UrlRules,
) -> ApiResult<WebhookView> {
    let org = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::ManageMembers {
            organisation_id: &org.id,
        },
    )?;
    let mut v = Validator::default();
    v.http_url("url", &input.url);
    if rules.https_only && !input.url.starts_with("https://") {
        v.fail("url", "https_required", "webhooks must use https");
    }
    if !rules.private_addresses
        && let Some(reason) = egress::literal_refusal(&input.url)
    {
        v.fail("url", "non_public_address", reason);
    }
    v.finish()?;
    let mut secret = Zeroizing::new([0u8; 32]);
    getrandom::fill(secret.as_mut_slice())
        .map_err(|e| ApiError::internal(anyhow::anyhow!("no randomness: {e}")))?;
    let text = URL_SAFE_NO_PAD.encode(secret.as_slice());
    let sealed = keys.seal(&outbox::secret_context(&org.id), text.as_bytes())?;
    let row = WebhookRow {
        organisation_id: org.id.clone(),
        url: input.url,
        sealed_secret: sealed.ciphertext,
        nonce: sealed.nonce,
        sealing_key_id: sealed.key_id,
        created_at: ids::now(),
    };
    outbox::store::replace_webhook(conn, &row)?;
    crate::changes::audit(
        conn,
        &caller.actor(),
        "document.webhook_set",
        &format!("organisation:{}", org.id),
        serde_json::json!({"url": row.url}),
    )?;
    Ok(WebhookView {
        url: row.url,
        created_at: row.created_at,
        secret: Some(text),
    })
}

/// The organisation's webhook, for its admins.
pub fn get(conn: &mut DbConnection, caller: &Caller, slug: &str) -> ApiResult<Option<WebhookView>> {
    let org = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::ManageMembers {
            organisation_id: &org.id,
        },
    )?;
    Ok(
        outbox::store::webhook(conn, &org.id)?.map(|row| WebhookView {
            url: row.url,
            created_at: row.created_at,
            secret: None,
        }),
    )
}

/// Removes the webhook (events stay, for polling).
pub fn delete(conn: &mut DbConnection, caller: &Caller, slug: &str) -> ApiResult<()> {
    let org = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::ManageMembers {
            organisation_id: &org.id,
        },
    )?;
    outbox::store::delete_webhook(conn, &org.id)?;
    Ok(())
}
