//! Notifications to organisations' systems. Every transition writes its events in its own
//! transaction (the outbox, `document_events`), so none is lost; a dispatcher pushes each to
//! the organisation's webhook until one delivery succeeds, retrying with exponential
//! back-off. Each delivery is signed (`X-Silkbridge-Signature: t=<unix>,v1=<hex HMAC-SHA256
//! of "<t>.<body>">` with the organisation's webhook secret) and carries the event id as
//! `Idempotency-Key`, so a receiver that saw a delivery whose answer was lost can drop the
//! repeat. Systems without a webhook poll `GET /api/v1/documents/events`.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use silkbridge_schema::models::{DocumentEventRow, DocumentWebhookRow};
use silkbridge_schema::{DbConnection, ids};
use tokio::sync::watch;
use utoipa::ToSchema;
use zeroize::Zeroizing;

use super::keys::DocumentKeys;
use super::store;
use crate::error::{ApiError, ApiResult};
use crate::http::egress;
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::identity::rules as identity;
use crate::periodic::run_until_stopped;
use crate::state::AppState;
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

fn associated(organisation_id: &str) -> Vec<u8> {
    format!("silkbridge-webhook-secret|{organisation_id}").into_bytes()
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
    let sealed = keys.seal(&associated(&org.id), text.as_bytes())?;
    let row = DocumentWebhookRow {
        organisation_id: org.id.clone(),
        url: input.url,
        sealed_secret: sealed.ciphertext,
        nonce: sealed.nonce,
        sealing_key_id: sealed.key_id,
        created_at: ids::now(),
    };
    store::replace_webhook(conn, &row)?;
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
    Ok(store::webhook(conn, &org.id)?.map(|row| WebhookView {
        url: row.url,
        created_at: row.created_at,
        secret: None,
    }))
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
    store::delete_webhook(conn, &org.id)?;
    Ok(())
}

/// The signature header value for `body` at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &str) -> ApiResult<String> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).map_err(ApiError::internal)?;
    mac.update(format!("{timestamp}.{body}").as_bytes());
    Ok(format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    ))
}

/// The delay before attempt `attempts + 1`.
fn backoff(base_ms: u64, max_secs: u64, attempts: i32) -> Duration {
    let factor = 2u64.saturating_pow(u32::try_from(attempts.max(1) - 1).unwrap_or(0).min(30));
    Duration::from_millis(base_ms.saturating_mul(factor)).min(Duration::from_secs(max_secs))
}

/// One delivery attempt: `Ok(Err(reason))` when the receiver did not take it.
async fn send(
    client: &reqwest::Client,
    config: &crate::config::DocumentsConfig,
    url: &str,
    event: &DocumentEventRow,
    secret: &[u8],
) -> ApiResult<Result<(), String>> {
    let timestamp = chrono::Utc::now().timestamp();
    let sent = client
        .post(url)
        .timeout(Duration::from_secs(config.webhook_timeout_secs))
        .header("content-type", "application/json")
        .header("idempotency-key", &event.id)
        .header("x-silkbridge-event", &event.event_type)
        .header(
            "x-silkbridge-signature",
            signature(secret, timestamp, &event.payload)?,
        )
        .body(event.payload.clone())
        .send()
        .await;
    Ok(match sent {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("HTTP {}", response.status())),
        Err(error) => Err(egress::with_causes(&error.without_url())),
    })
}

/// One pass: delivers every due event once. Returns how many were delivered.
pub async fn dispatch_due(state: &AppState, client: &reqwest::Client) -> ApiResult<usize> {
    let config = state.config.documents.clone();
    let due = crate::db::run(&state.db, |conn| {
        Ok(store::due_events(conn, ids::now(), 100)?)
    })
    .await?;
    let mut delivered = 0;
    for (event, hook) in due {
        // Claim the event for this attempt, so a second dispatcher does not send it too.
        let lease = ids::now()
            + chrono::Duration::seconds(
                i64::try_from(config.webhook_timeout_secs).unwrap_or(10) + 30,
            );
        let (id, seen) = (event.id.clone(), event.next_attempt_at);
        let claimed = crate::db::run(&state.db, move |conn| {
            Ok(store::claim_event(conn, &id, seen, lease)?)
        })
        .await?;
        if !claimed {
            continue;
        }
        let secret = state.documents.open(
            &hook.sealing_key_id,
            &hook.nonce,
            &hook.sealed_secret,
            &associated(&hook.organisation_id),
        )?;
        let attempts = event.attempts + 1;
        let refused = (!config.webhook_private_addresses)
            .then(|| egress::literal_refusal(&hook.url))
            .flatten();
        let outcome = match refused {
            Some(reason) => Err(reason.to_owned()),
            None => send(client, &config, &hook.url, &event, &secret).await?,
        };
        let id = event.id.clone();
        match outcome {
            Ok(()) => {
                crate::db::run(&state.db, move |conn| {
                    Ok(store::event_delivered(conn, &id, ids::now(), attempts)?)
                })
                .await?;
                delivered += 1;
            }
            Err(error) => {
                let next = ids::now()
                    + chrono::Duration::from_std(backoff(
                        config.webhook_retry_base_ms,
                        config.webhook_retry_max_secs,
                        attempts,
                    ))
                    .unwrap_or_else(|_| chrono::Duration::seconds(60));
                tracing::warn!(event = %event.id, attempts, %error, "webhook delivery failed; will retry");
                crate::db::run(&state.db, move |conn| {
                    Ok(store::event_failed(conn, &id, attempts, next, &error)?)
                })
                .await?;
            }
        }
    }
    Ok(delivered)
}

/// Starts the dispatcher: a pass every `documents.webhook_poll_ms` until `shutdown`.
pub fn spawn(state: AppState, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let client = egress::client(state.config.documents.webhook_private_addresses);
    let poll = Duration::from_millis(state.config.documents.webhook_poll_ms.max(10));
    tokio::spawn(run_until_stopped(poll, shutdown, move || {
        let state = state.clone();
        let client = client.clone();
        async move {
            if let Err(error) = dispatch_due(&state, &client).await {
                error.log(None);
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_over_time_and_body() {
        // RFC 4231 test case 2 key and data, framed as "t.body".
        let header = signature(b"Jefe", 1, "what do ya want for nothing?").unwrap();
        assert!(header.starts_with("t=1,v1="));
        assert_ne!(
            header,
            signature(b"Jefe", 2, "what do ya want for nothing?").unwrap()
        );
        assert_ne!(
            header,
            signature(b"jefe", 1, "what do ya want for nothing?").unwrap()
        );
        assert_eq!(header.len(), "t=1,v1=".len() + 64);
    }

    #[test]
    fn back_off_doubles_up_to_the_cap() {
        assert_eq!(backoff(100, 3600, 1), Duration::from_millis(100));
        assert_eq!(backoff(100, 3600, 2), Duration::from_millis(200));
        assert_eq!(backoff(100, 3600, 5), Duration::from_millis(1600));
        assert_eq!(backoff(1000, 60, 20), Duration::from_secs(60));
    }
}
