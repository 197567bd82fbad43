//! The signed history of a document, and how anyone checks it. Each step is a compact JWS by
//! the acting organisation over `{document, seq, step, actor, recipient, content, prev, at}`:
//! `content` is the SHA-256 of the document's manifest (metadata, recipients, files with their
//! SHA-256) fixed when it was sent, and `prev` the SHA-256 of the previous step's JWS, so the
//! history is one chain. The same check serves `silkbridge verify-receipt` (offline, with the
//! keys a receipt carries or a pinned key set), the API and `silkbridge documents verify`.

use chrono::{DateTime, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::keys::{self, PublicKeyView};

/// The previous-step hash of the first step.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A file as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub id: String,
    pub name: String,
    pub sha256: String,
    pub size: i64,
}

/// What a send fixes: the document's metadata, recipients and files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub document: String,
    pub sender: String,
    pub subject: String,
    pub document_type: String,
    pub reference_number: String,
    pub confidentiality: String,
    /// Recipient organisation ids, sorted.
    pub recipients: Vec<String>,
    /// Files, by id.
    pub files: Vec<ManifestFile>,
}

impl Manifest {
    /// SHA-256 (hex) of the manifest's canonical JSON (keys sorted, no spaces).
    pub fn digest(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        hex::encode(Sha256::digest(value.to_string().as_bytes()))
    }
}

/// A step's signed content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepPayload {
    pub document: String,
    pub seq: i32,
    pub step: String,
    /// The acting organisation's id.
    pub actor: String,
    /// The recipient a recipient's step concerns.
    pub recipient: Option<String>,
    /// The manifest digest.
    pub content: String,
    /// The previous step's hash (`GENESIS` for the first).
    pub prev: String,
    /// RFC 3339, UTC.
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl StepPayload {
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| json!({}))
    }

    /// The payload of a JWS read without checking its signature: for showing a stored step,
    /// never for deciding anything (`verify` does that).
    pub fn unverified(jws: &str) -> Option<Self> {
        use base64::Engine;
        let body = jws.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn signed_at(&self) -> Option<NaiveDateTime> {
        DateTime::parse_from_rfc3339(&self.at)
            .ok()
            .map(|t| t.naive_utc())
    }
}

/// One stored step: its number and JWS, and the platform's countersignature when an
/// organisation signed it with a key of its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SignedStep {
    pub seq: i32,
    pub jws: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countersignature: Option<super::step_signing::Countersignature>,
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// The first step that does not verify (0: the chain as a whole).
    pub seq: i32,
    pub reason: String,
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.seq == 0 {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "step {}: {}", self.seq, self.reason)
        }
    }
}

/// Checks every step: numbering, key (known, the actor's, valid when it signed), signature,
/// document, content digest and link to the previous step. Returns the payloads.
pub fn verify(
    document_id: &str,
    content_digest: &str,
    steps: &[SignedStep],
    key_of: &dyn Fn(&str) -> Option<PublicKeyView>,
) -> Result<Vec<StepPayload>, Break> {
    let mut prev = GENESIS.to_owned();
    let mut payloads = Vec::with_capacity(steps.len());
    if steps.is_empty() {
        return Err(Break {
            seq: 0,
            reason: "the history has no steps".into(),
        });
    }
    for (index, step) in steps.iter().enumerate() {
        let fail = |reason: String| Break {
            seq: step.seq,
            reason,
        };
        let expected_seq = i32::try_from(index + 1).unwrap_or(i32::MAX);
        if step.seq != expected_seq {
            return Err(Break {
                seq: expected_seq,
                reason: "the step is missing".into(),
            });
        }
        let kid = keys::kid_of(&step.jws).map_err(fail)?;
        let key = key_of(&kid).ok_or_else(|| fail(format!("signed with unknown key {kid}")))?;
        let claims = keys::verify(&step.jws, &key).map_err(fail)?;
        let payload: StepPayload = serde_json::from_value(claims)
            .map_err(|e| fail(format!("the signed content is not a step: {e}")))?;
        if payload.document != document_id {
            return Err(fail("it belongs to another document".into()));
        }
        if payload.seq != step.seq {
            return Err(fail(format!("it is numbered {} inside", payload.seq)));
        }
        if payload.actor != key.organisation_id {
            return Err(fail("it was signed with another organisation's key".into()));
        }
        let at = payload
            .signed_at()
            .ok_or_else(|| fail("its time is malformed".into()))?;
        if !key.valid_at(at) {
            return Err(fail(format!("key {kid} was not valid when it signed")));
        }
        if payload.content != content_digest {
            return Err(fail(
                "it covers other content (a file or the metadata changed)".into(),
            ));
        }
        if payload.prev != prev {
            return Err(fail("it does not follow the step before it".into()));
        }
        prev = keys::step_hash(&step.jws);
        payloads.push(payload);
    }
    Ok(payloads)
}
