//! Receipts: what a sender keeps to prove, later and offline, that a recipient received (or
//! accepted, rejected, signed) exactly these files. A receipt is a self-contained JSON file:
//! the manifest the steps cover, every signed step up to the recipient's, and the public keys
//! that signed them, the platform's countersignatures of steps organisations signed with keys
//! of their own, and the newest signed audit checkpoint (an anchor `silkbridge audit verify
//! --checkpoint RECEIPT` holds the audit trail against later). `silkbridge verify-receipt
//! FILE` checks it without the platform (against the keys it carries, or the exported key
//! list pinned with `--keys`); `POST /api/v1/documents/receipts/verify` checks it against the
//! platform's published keys.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use silkbridge_schema::DbConnection;
use utoipa::ToSchema;

use super::chain::{self, Manifest, SignedStep};
use super::key_list::PlatformKey;
use super::keys::{self, PublicKeyView};
use super::rules::{self, readable};
use super::step_signing::{self, Countersignature};
use super::steps;
use crate::audit_checkpoints::{self, Checkpoint};
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;

/// The receipt format's name and version.
pub const FORMAT: &str = "silkbridge-receipt/1";

/// A receipt file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Receipt {
    /// Always `silkbridge-receipt/1`.
    pub format: String,
    /// `delivery`, `acceptance`, `rejection` or `signature`.
    pub kind: String,
    /// The recipient organisation's id.
    pub recipient: String,
    /// What the steps cover: metadata, recipients and every file's SHA-256.
    #[schema(value_type = Object)]
    pub manifest: serde_json::Value,
    /// The signed steps from the send up to the recipient's step this receipt is for.
    pub steps: Vec<SignedStep>,
    /// The public keys of every signer, with their validity and who holds them.
    pub keys: Vec<PublicKeyView>,
    /// The platform's key: it countersigns organisation-signed steps and signs checkpoints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_key: Option<PlatformKey>,
    /// The newest signed audit checkpoint when the receipt was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
}

/// The keys a verifier trusts: organisation keys and, to check countersignatures and
/// checkpoints, the platform's.
#[derive(Debug, Clone, Copy)]
pub struct Trusted<'a> {
    pub keys: &'a [PublicKeyView],
    pub platform: Option<&'a PlatformKey>,
}

/// What a valid receipt proves.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct ReceiptCheck {
    pub valid: bool,
    /// Why not, when not valid.
    pub problem: Option<String>,
    pub kind: Option<String>,
    pub document_id: Option<String>,
    pub recipient: Option<String>,
    /// When the recipient signed the step, RFC 3339.
    pub signed_at: Option<String>,
    /// Files the receipt covers: name and SHA-256.
    pub files: Vec<String>,
    /// Who held the key of the recipient's step: `platform` or `organisation`.
    pub custody: Option<String>,
    /// When the platform received that step, if the organisation signed it itself.
    pub countersigned_at: Option<String>,
    /// The audit checkpoint the receipt carries: "LENGTH entries, head HEAD, signed AT".
    pub checkpoint: Option<String>,
}

impl ReceiptCheck {
    fn invalid(problem: impl Into<String>) -> Self {
        Self {
            valid: false,
            problem: Some(problem.into()),
            kind: None,
            document_id: None,
            recipient: None,
            signed_at: None,
            files: Vec::new(),
            custody: None,
            countersigned_at: None,
            checkpoint: None,
        }
    }
}

/// A stored countersignature (JSON); `None` if absent or unreadable (then the check fails).
pub(super) fn countersignature_of(stored: Option<&str>) -> Option<Countersignature> {
    stored.and_then(|json| serde_json::from_str(json).ok())
}

fn kind_of(step: &str) -> Option<&'static str> {
    match step {
        "deliver" => Some("delivery"),
        "accept" => Some("acceptance"),
        "reject" => Some("rejection"),
        "sign" => Some("signature"),
        _ => None,
    }
}

/// The receipt of step `seq` of a document (a recipient's step), for its parties.
pub fn build(
    conn: &mut DbConnection,
    platform: &PlatformKey,
    caller: &Caller,
    id: &str,
    seq: i32,
) -> ApiResult<Receipt> {
    let row = readable(conn, caller, id)?;
    let steps = rules::steps_of(conn, &row.id)?;
    let step = steps
        .iter()
        .find(|s| s.seq == seq)
        .ok_or_else(|| ApiError::not_found(format_args!("step {seq} of document `{id}`")))?;
    let kind = kind_of(&step.action).ok_or_else(|| {
        ApiError::invalid_parameter(format!(
            "step {seq} is a {}: receipts are for a recipient's steps",
            step.action
        ))
    })?;
    let recipient = step
        .recipient_id
        .clone()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a recipient step without recipient")))?;
    let chain: Vec<SignedStep> = steps
        .iter()
        .filter(|s| s.seq <= seq)
        .map(|s| SignedStep {
            seq: s.seq,
            jws: s.jws.clone(),
            countersignature: countersignature_of(s.countersignature.as_deref()),
        })
        .collect();
    let mut kids: Vec<String> = chain
        .iter()
        .filter_map(|s| keys::kid_of(&s.jws).ok())
        .collect();
    kids.sort();
    kids.dedup();
    let manifest = steps::manifest(conn, &row)?;
    Ok(Receipt {
        format: FORMAT.into(),
        kind: kind.into(),
        recipient,
        manifest: serde_json::to_value(&manifest).map_err(ApiError::internal)?,
        steps: chain,
        keys: keys::by_ids(conn, &kids)?,
        platform_key: Some(platform.clone()),
        checkpoint: audit_checkpoints::latest(conn)?,
    })
}

/// Checks a receipt: its chain (keys, signatures, links, covered content), that its last
/// step is the named recipient's step of its kind, and, when given, that `files` (name,
/// bytes' SHA-256) are among the files it covers. `trusted` pins the keys (else the
/// receipt's own keys are used: integrity, not the signer's identity). Every step signed with
/// an organisation-held key must carry the platform's countersignature, and a checkpoint the
/// receipt carries must be the platform key's.
pub fn verify(
    receipt: &Receipt,
    trusted: Option<Trusted<'_>>,
    files: &[(String, String)],
) -> ReceiptCheck {
    if receipt.format != FORMAT {
        return ReceiptCheck::invalid(format!("not a {FORMAT} file"));
    }
    let manifest: Manifest = match serde_json::from_value(receipt.manifest.clone()) {
        Ok(manifest) => manifest,
        Err(e) => return ReceiptCheck::invalid(format!("the manifest is malformed: {e}")),
    };
    let digest = manifest.digest();
    let keys = trusted.map_or(receipt.keys.as_slice(), |t| t.keys);
    let platform = trusted
        .and_then(|t| t.platform)
        .or(receipt.platform_key.as_ref());
    let key_of = |kid: &str| keys.iter().find(|k| k.kid == kid).cloned();
    let payloads = match chain::verify(&manifest.document, &digest, &receipt.steps, &key_of) {
        Ok(payloads) => payloads,
        Err(broken) => return ReceiptCheck::invalid(broken.to_string()),
    };
    let mut custody = None;
    let mut countersigned_at = None;
    for step in &receipt.steps {
        let key = keys::kid_of(&step.jws).ok().and_then(|kid| key_of(&kid));
        let organisation_held = key.as_ref().is_some_and(PublicKeyView::organisation_held);
        custody = key.map(|k| k.custody);
        countersigned_at = None;
        if !organisation_held {
            continue;
        }
        let holds = match (&step.countersignature, platform) {
            (Some(counter), Some(platform)) => step_signing::countersignature_holds(
                counter,
                platform,
                &manifest.document,
                step.seq,
                &keys::step_hash(&step.jws),
            ),
            _ => false,
        };
        if !holds {
            return ReceiptCheck::invalid(format!(
                "step {}: signed with an organisation-held key but without the platform's \
                 countersignature",
                step.seq
            ));
        }
        countersigned_at = step
            .countersignature
            .as_ref()
            .map(|c| c.received_at.clone());
    }
    let checkpoint = match (&receipt.checkpoint, platform) {
        (None, _) => None,
        (Some(checkpoint), Some(platform)) if checkpoint_holds(checkpoint, platform) => {
            Some(format!(
                "{} entries, head {}, signed {}",
                checkpoint.length, checkpoint.head, checkpoint.signed_at
            ))
        }
        (Some(_), _) => {
            return ReceiptCheck::invalid("its audit checkpoint is not the platform key's");
        }
    };
    let Some(last) = payloads.last() else {
        return ReceiptCheck::invalid("the receipt has no steps");
    };
    if kind_of(&last.step) != Some(receipt.kind.as_str()) {
        return ReceiptCheck::invalid(format!(
            "its last step is a {}, not a {}",
            last.step, receipt.kind
        ));
    }
    if last.actor != receipt.recipient
        || last.recipient.as_deref() != Some(receipt.recipient.as_str())
    {
        return ReceiptCheck::invalid("its last step was not taken by the recipient it names");
    }
    if !manifest.recipients.contains(&receipt.recipient) {
        return ReceiptCheck::invalid("the recipient is not among the document's recipients");
    }
    for (name, sha256) in files {
        if !manifest.files.iter().any(|f| &f.sha256 == sha256) {
            return ReceiptCheck::invalid(format!(
                "{name} is not a file this receipt covers (its SHA-256 is {sha256})"
            ));
        }
    }
    ReceiptCheck {
        valid: true,
        problem: None,
        kind: Some(receipt.kind.clone()),
        document_id: Some(manifest.document.clone()),
        recipient: Some(receipt.recipient.clone()),
        signed_at: Some(last.at.clone()),
        files: manifest
            .files
            .iter()
            .map(|f| format!("{} sha256:{}", f.name, f.sha256))
            .collect(),
        custody,
        countersigned_at,
        checkpoint,
    }
}

fn checkpoint_holds(checkpoint: &Checkpoint, platform: &PlatformKey) -> bool {
    checkpoint.kid == platform.kid
        && platform.verifies(
            &audit_checkpoints::signed_bytes(
                checkpoint.length,
                &checkpoint.head,
                &checkpoint.signed_at,
                &checkpoint.kid,
            ),
            &checkpoint.signature,
        )
}

/// Checks a receipt against the platform's published keys.
pub fn verify_with_platform_keys(
    conn: &mut DbConnection,
    platform: &PlatformKey,
    receipt: &Receipt,
) -> ApiResult<ReceiptCheck> {
    let kids: Vec<String> = receipt
        .steps
        .iter()
        .filter_map(|s| keys::kid_of(&s.jws).ok())
        .collect();
    let published = keys::by_ids(conn, &kids)?;
    Ok(verify(
        receipt,
        Some(Trusted {
            keys: &published,
            platform: Some(platform),
        }),
        &[],
    ))
}

/// SHA-256 of a file on disk, streamed (for `verify-receipt --file`).
pub fn file_sha256(path: &std::path::Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}
