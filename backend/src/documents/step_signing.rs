//! Steps an organisation signs on its own side, with a key the platform never sees.
//!
//! 1. The caller asks the platform to *prepare* the step (`POST
//!    /api/v1/documents/{id}/steps/prepare`): every check a step makes runs, nothing is
//!    written, and the answer is the step's payload, its canonical bytes and the key to use.
//! 2. The organisation signs those bytes as a JWS (RFC 7515) with the protected header
//!    `{"alg":"EdDSA","kid":KEY}` and sends the *detached* form (`header..signature`,
//!    appendix F) with the payload's `signedAt` when it takes the step.
//! 3. The platform rebuilds the same bytes, checks the signature with the organisation's
//!    current key, stores the whole JWS in the chain and countersigns it: its own Ed25519
//!    signature over the step's hash and the time it received it (a timestamp the
//!    organisation cannot backdate, and proof the platform accepted that exact step).
//!
//! The canonical bytes are the payload as JSON with keys in lexicographic order, no
//! whitespace, UTF-8 (RFC 8785 for these payloads: strings and integers only) — what any JOSE
//! library produces from the payload object the platform returns, and what `signingInput`
//! carries base64url-encoded so nobody has to reproduce it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::chain::StepPayload;
use super::keys::{self, PublicKeyView};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::identity::tokens::TokenKeys;

/// How long a prepared step may take to come back signed.
pub const SIGNING_WINDOW: Duration = Duration::minutes(15);
/// How far ahead of the platform's clock a signing time may be.
const CLOCK_SKEW: Duration = Duration::minutes(1);

/// How the acting organisation's signature reaches a step.
#[derive(Debug, Clone, Default)]
pub enum StepSignature {
    /// The platform signs with the organisation's platform-held key (refused with
    /// `signature` `required` when the organisation holds its own key).
    #[default]
    Platform,
    /// The organisation signed the prepared payload itself.
    Detached { signed_at: String, jws: String },
    /// Only prepare the payload: every check runs, nothing is kept.
    Prepare,
}

impl StepSignature {
    /// What a caller sent: both a signature and its `signed_at`, or neither.
    pub fn submitted(signed_at: Option<String>, signature: Option<String>) -> ApiResult<Self> {
        match (signed_at, signature) {
            (None, None) => Ok(Self::Platform),
            (Some(signed_at), Some(jws)) => Ok(Self::Detached { signed_at, jws }),
            (None, Some(_)) => Err(ApiError::validation(vec![FieldError::new(
                "signed_at",
                "required",
                "send the prepared step's signedAt with its signature",
            )])),
            (Some(_), None) => Err(refused(
                "required",
                "signed_at was sent without a signature",
            )),
        }
    }
}

/// A step ready for its organisation to sign.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, async_graphql::SimpleObject,
)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "StepToSign")]
pub struct StepToSign {
    /// The organisation's current key: the JWS header's `kid`.
    pub kid: String,
    /// The step's payload; `signedAt` must be sent back with the signature.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The payload's canonical bytes, base64url: the JWS payload segment.
    pub signing_input: String,
    /// When the payload says it was signed (RFC 3339, UTC); send it back unchanged.
    pub signed_at: String,
    /// The latest moment the signed step is accepted (RFC 3339, UTC).
    pub sign_before: String,
}

impl StepToSign {
    pub fn of(kid: &str, payload: &StepPayload, at: NaiveDateTime) -> Self {
        let value = payload.to_value();
        Self {
            kid: kid.to_owned(),
            signing_input: URL_SAFE_NO_PAD.encode(value.to_string()),
            payload: value,
            signed_at: payload.at.clone(),
            sign_before: super::steps::rfc3339(at + SIGNING_WINDOW),
        }
    }
}

fn refused(code: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(vec![FieldError::new("signature", code, message)])
}

/// The signing time a caller sent back, if it is one the platform could have prepared:
/// canonical form, not in the future, within the signing window and not before `after`
/// (the previous step's time).
pub fn accepted_time(
    signed_at: &str,
    now: NaiveDateTime,
    after: Option<NaiveDateTime>,
) -> ApiResult<NaiveDateTime> {
    let bad = |message: &str| {
        ApiError::validation(vec![FieldError::new("signed_at", "invalid", message)])
    };
    let at = DateTime::parse_from_rfc3339(signed_at)
        .map_err(|_| bad("an RFC 3339 time, as the prepared step gave it"))?
        .naive_utc();
    if super::steps::rfc3339(at) != signed_at {
        return Err(bad("send the prepared step's signedAt unchanged"));
    }
    if at > now + CLOCK_SKEW {
        return Err(bad("it is in the future"));
    }
    if at + SIGNING_WINDOW < now {
        return Err(bad("the prepared step expired: prepare it again"));
    }
    if after.is_some_and(|previous| at < previous) {
        return Err(bad("it is before the document's previous step"));
    }
    Ok(at)
}

/// Checks a detached JWS over `payload` with the organisation's key and returns the whole
/// compact JWS to store.
pub fn attach(detached: &str, payload: &StepPayload, key: &PublicKeyView) -> ApiResult<String> {
    let mut parts = detached.trim().split('.');
    let (Some(header), Some(""), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused(
            "malformed",
            "a detached compact JWS: header..signature",
        ));
    };
    let jws = format!(
        "{header}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(payload.to_value().to_string())
    );
    let kid = keys::kid_of(&jws).map_err(|e| refused("malformed", e))?;
    if kid != key.kid {
        return Err(refused(
            "wrong_key",
            format!(
                "signed with key {kid}, but the organisation's current key is {}",
                key.kid
            ),
        ));
    }
    keys::verify(&jws, key).map_err(|_| {
        refused(
            "invalid",
            "the signature does not cover this step as it stands: prepare it again and sign \
             the signingInput it gives",
        )
    })?;
    Ok(jws)
}

/// The platform's countersignature of a step signed with an organisation-held key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Countersignature {
    /// When the platform received the step (RFC 3339, UTC).
    pub received_at: String,
    /// The platform key's id, as in `/.well-known/jwks.json`.
    pub kid: String,
    /// Ed25519 over the countersigned bytes, base64url without padding.
    pub signature: String,
}

/// The bytes a countersignature covers (any Ed25519 library can check them):
/// `silkbridge step countersignature v1\n{document}\n{seq}\n{step hash}\n{receivedAt}\n{kid}\n`.
pub fn countersigned_bytes(
    document: &str,
    seq: i32,
    step_hash: &str,
    received_at: &str,
    kid: &str,
) -> Vec<u8> {
    format!("silkbridge step countersignature v1\n{document}\n{seq}\n{step_hash}\n{received_at}\n{kid}\n")
        .into_bytes()
}

/// Countersigns a step with the platform key.
pub fn countersign(
    platform: &TokenKeys,
    document: &str,
    seq: i32,
    step_hash: &str,
    received: NaiveDateTime,
) -> Countersignature {
    let received_at = super::steps::rfc3339(received);
    let kid = platform.kid().to_owned();
    let signature = URL_SAFE_NO_PAD.encode(platform.sign_bytes(&countersigned_bytes(
        document,
        seq,
        step_hash,
        &received_at,
        &kid,
    )));
    Countersignature {
        received_at,
        kid,
        signature,
    }
}

/// Whether `countersignature` is the platform key `(kid, x)`'s over this step.
pub fn countersignature_holds(
    countersignature: &Countersignature,
    platform: &crate::documents::key_list::PlatformKey,
    document: &str,
    seq: i32,
    step_hash: &str,
) -> bool {
    countersignature.kid == platform.kid
        && platform.verifies(
            &countersigned_bytes(
                document,
                seq,
                step_hash,
                &countersignature.received_at,
                &countersignature.kid,
            ),
            &countersignature.signature,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_times_outside_the_window_or_not_canonical_are_refused() {
        let now = silkbridge_schema::ids::now();
        let fresh = super::super::steps::rfc3339(now);
        assert!(accepted_time(&fresh, now, None).is_ok());
        let old = super::super::steps::rfc3339(now - Duration::minutes(16));
        assert!(accepted_time(&old, now, None).is_err());
        let ahead = super::super::steps::rfc3339(now + Duration::minutes(2));
        assert!(accepted_time(&ahead, now, None).is_err());
        assert!(accepted_time("2026-12-07T10:00:00+01:00", now, None).is_err());
        assert!(accepted_time(&fresh, now, Some(now + Duration::seconds(1))).is_err());
        assert!(accepted_time("yesterday", now, None).is_err());
    }
}
