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

/// What one attempt came to: the receiver's status (if it answered) and, unless it took the
/// event, why not.
struct Attempt {
    status: Option<i32>,
    refused: Option<String>,
}

/// One delivery attempt.
async fn send(
    client: &reqwest::Client,
    config: &crate::config::DocumentsConfig,
    url: &str,
    event: &OrganisationEventRow,
    secret: &[u8],
) -> ApiResult<Attempt> {
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
        Ok(response) => {
            let status = Some(i32::from(response.status().as_u16()));
            let refused =
                (!response.status().is_success()).then(|| format!("HTTP {}", response.status()));
            Attempt { status, refused }
        }
        Err(error) => Attempt {
            status: None,
            refused: Some(egress::with_causes(&error.without_url())),
        },
    })
}

/// Why an event is given up, if it is: too many attempts, or too old.
fn given_up(
    config: &crate::config::DocumentsConfig,
    event: &OrganisationEventRow,
) -> Option<String> {
    let age = ids::now() - event.created_at;
    let max_age =
        chrono::Duration::hours(i64::try_from(config.webhook_max_age_hours).unwrap_or(72));
    if u32::try_from(event.attempts).unwrap_or(0) >= config.webhook_max_attempts {
        Some(format!(
            "given up after {} attempts: {}",
            event.attempts,
            event.last_error.as_deref().unwrap_or("no answer")
        ))
    } else if age > max_age {
        Some(format!(
            "given up after {} hours undelivered: {}",
            config.webhook_max_age_hours,
            event.last_error.as_deref().unwrap_or("no answer")
        ))
    } else {
        None
    }
}

fn log(
    conn: &mut silkbridge_schema::DbConnection,
    event: &OrganisationEventRow,
    attempt: i32,
    outcome: &str,
    status: Option<i32>,
    error: Option<&str>,
    latency_ms: i64,
) -> ApiResult<()> {
    Ok(store::log_delivery(
        conn,
        &store::DeliveryRow {
            id: ids::new_id(),
            event_id: event.id.clone(),
            organisation_id: event.organisation_id.clone(),
            attempt,
            at: ids::now(),
            outcome: outcome.to_owned(),
            status,
            error: error.map(str::to_owned),
            latency_ms,
        },
    )?)
}

/// Delivers an organisation's waiting events in order, one at a time, until one is not yet
/// due or its receiver does not take it (it is retried later; the events behind it wait, so
/// the organisation receives them in order). Returns how many were delivered.
async fn deliver_organisation(
    state: &AppState,
    client: &reqwest::Client,
    organisation_id: &str,
) -> ApiResult<usize> {
    let config = state.config.documents.clone();
    let mut delivered = 0;
    loop {
        let org = organisation_id.to_owned();
        let Some((event, hook)) =
            crate::db::run(&state.db, move |conn| Ok(store::head_of(conn, &org)?)).await?
        else {
            return Ok(delivered);
        };
        if event.next_attempt_at > ids::now() {
            return Ok(delivered);
        }
        if let Some(reason) = given_up(&config, &event) {
            tracing::warn!(event = %event.id, organisation = organisation_id, %reason, "webhook event dead-lettered");
            let dead = event.clone();
            crate::db::run(&state.db, move |conn| {
                store::dead(conn, &dead.id, ids::now(), &reason)?;
                log(conn, &dead, dead.attempts, "dead", None, Some(&reason), 0)
            })
            .await?;
            continue;
        }
        // Claim the event for this attempt, so a second node does not send it too.
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
            return Ok(delivered);
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
        let started = std::time::Instant::now();
        let outcome = match refused {
            Some(reason) => Attempt {
                status: None,
                refused: Some(reason.to_owned()),
            },
            None => send(client, &config, &hook.url, &event, &secret).await?,
        };
        let latency = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let done = event.clone();
        match outcome.refused {
            None => {
                crate::db::run(&state.db, move |conn| {
                    store::delivered(conn, &done.id, ids::now(), attempts)?;
                    log(
                        conn,
                        &done,
                        attempts,
                        "delivered",
                        outcome.status,
                        None,
                        latency,
                    )
                })
                .await?;
                delivered += 1;
            }
            Some(error) => {
                let next = ids::now()
                    + chrono::Duration::from_std(backoff(
                        config.webhook_retry_base_ms,
                        config.webhook_retry_max_secs,
                        attempts,
                    ))
                    .unwrap_or_else(|_| chrono::Duration::seconds(60));
                tracing::warn!(event = %event.id, attempts, %error, "webhook delivery failed; will retry");
                crate::db::run(&state.db, move |conn| {
                    store::failed(conn, &done.id, attempts, next, &error)?;
                    log(
                        conn,
                        &done,
                        attempts,
                        "failed",
                        outcome.status,
                        Some(&error),
                        latency,
                    )
                })
                .await?;
                return Ok(delivered);
            }
        }
    }
}

/// The organisations this node is delivering to right now: one delivery in flight each.
#[derive(Default)]
pub struct Busy(std::sync::Mutex<std::collections::HashSet<String>>);

impl Busy {
    /// Marks the organisation busy until the answer is dropped; `None` if it is already.
    fn take(self: &std::sync::Arc<Self>, organisation_id: &str) -> Option<Held> {
        let taken = self
            .0
            .lock()
            .map(|mut busy| busy.insert(organisation_id.to_owned()))
            .unwrap_or(false);
        taken.then(|| Held(self.clone(), organisation_id.to_owned()))
    }
}

/// An organisation being delivered to; released when dropped, even by a task that panicked.
struct Held(std::sync::Arc<Busy>, String);

impl Drop for Held {
    fn drop(&mut self) {
        if let Ok(mut busy) = (self.0).0.lock() {
            busy.remove(&self.1);
        }
    }
}

async fn due_organisations(state: &AppState) -> ApiResult<Vec<String>> {
    crate::db::run(&state.db, |conn| {
        Ok(store::due_organisations(conn, ids::now(), 1000)?)
    })
    .await
}

/// One pass, awaited whole: every organisation with due events gets them, up to
/// `webhook_concurrency` organisations at once. Returns how many events were delivered.
pub async fn dispatch_due(state: &AppState, client: &reqwest::Client) -> ApiResult<usize> {
    use futures_util::StreamExt;
    let organisations = due_organisations(state).await?;
    let limit = state.config.documents.webhook_concurrency.max(1);
    let results: Vec<ApiResult<usize>> = futures_util::stream::iter(organisations)
        .map(|org| async move { deliver_organisation(state, client, &org).await })
        .buffer_unordered(limit)
        .collect()
        .await;
    results.into_iter().try_fold(0, |sum, n| Ok(sum + n?))
}

/// Starts the dispatcher: a look for due events every `documents.webhook_poll_ms` until
/// `shutdown`; each organisation with due events gets a task of its own (one at a time per
/// organisation, `webhook_concurrency` at once), so a receiver that stalls — a tar pit that
/// never answers — holds up its own organisation's events only, never another's.
pub fn spawn(state: AppState, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    let client = egress::client(state.config.documents.webhook_private_addresses);
    let poll = Duration::from_millis(state.config.documents.webhook_poll_ms.max(10));
    let busy = std::sync::Arc::new(Busy::default());
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(
        state.config.documents.webhook_concurrency.max(1),
    ));
    tokio::spawn(run_until_stopped(poll, shutdown, move || {
        let (state, client) = (state.clone(), client.clone());
        let (busy, permits) = (busy.clone(), permits.clone());
        async move {
            let organisations = match due_organisations(&state).await {
                Ok(found) => found,
                Err(error) => return error.log(None),
            };
            for org in organisations {
                let Some(held) = busy.take(&org) else {
                    continue;
                };
                let (state, client) = (state.clone(), client.clone());
                let permits = permits.clone();
                tokio::spawn(async move {
                    let _held = held;
                    if let Ok(_permit) = permits.acquire_owned().await
                        && let Err(error) = deliver_organisation(&state, &client, &org).await
                    {
                        error.log(None);
                    }
                });
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
