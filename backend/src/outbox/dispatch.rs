//! Pushing the outbox to organisations' webhooks. A dispatcher (one per node) takes each due
//! event with a conditional update — a lease, so two nodes never send it at once — and POSTs
//! it until one delivery succeeds, retrying with exponential back-off. Each delivery is signed
//! (`X-Silkbridge-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the
//! organisation's webhook secret), names its type (`X-Silkbridge-Event`) and carries the
//! event id as `Idempotency-Key`, so a receiver that saw a delivery whose answer was lost can
//! drop the repeat.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use silkbridge_schema::ids;
use silkbridge_schema::models::OrganisationEventRow;
use tokio::sync::watch;

use super::store;
use crate::error::{ApiError, ApiResult};
use crate::http::egress;
use crate::periodic::run_until_stopped;
use crate::state::AppState;

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
    event: &OrganisationEventRow,
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
    let due = crate::db::run(&state.db, |conn| Ok(store::due(conn, ids::now(), 100)?)).await?;
    let mut delivered = 0;
    for (event, hook) in due {
        // Claim the event for this attempt, so a second dispatcher does not send it too.
        let lease = ids::now()
            + chrono::Duration::seconds(
                i64::try_from(config.webhook_timeout_secs).unwrap_or(10) + 30,
            );
        let (id, seen) = (event.id.clone(), event.next_attempt_at);
        let claimed = crate::db::run(&state.db, move |conn| {
            Ok(store::claim(conn, &id, seen, lease)?)
        })
        .await?;
        if !claimed {
            continue;
        }
        let secret = state.documents.open(
            &hook.sealing_key_id,
            &hook.nonce,
            &hook.sealed_secret,
            &super::secret_context(&hook.organisation_id),
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
                    Ok(store::delivered(conn, &id, ids::now(), attempts)?)
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
                    Ok(store::failed(conn, &id, attempts, next, &error)?)
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
