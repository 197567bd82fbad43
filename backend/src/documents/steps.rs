//! The signed steps of an exchange: every transition is one transaction that updates the state,
//! appends the signed step, writes the audit entry, the change-log entry and the events for
//! the other side.

use chrono::NaiveDateTime;
use silkbridge_schema::models::{DocumentRow, DocumentStepRow};
use silkbridge_schema::{DbConnection, ids};

use super::chain::{self, GENESIS, Manifest, ManifestFile, StepPayload};
use super::domain::{self, Step};
use super::index::DOCUMENT_KIND;
use super::key_list::PlatformKey;
use super::keys::{self, DocumentKeys, Signer};
use super::rules::{lock, not_found, readable};
use super::step_signing::{self, StepSignature, StepToSign};
use super::store;
use super::views::{DocumentView, one_view};
use crate::changes::Change;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::identity::caller::Caller;
use crate::identity::policy::{self, Action, authorize};
use crate::identity::rules as identity;
use crate::identity::tokens::TokenKeys;

/// The manifest a send fixes.
pub(crate) fn manifest(conn: &mut DbConnection, row: &DocumentRow) -> ApiResult<Manifest> {
    let ids = std::slice::from_ref(&row.id);
    let mut recipients: Vec<String> = store::recipients(conn, ids)?
        .into_iter()
        .map(|r| r.organisation_id)
        .collect();
    recipients.sort();
    let mut files: Vec<ManifestFile> = store::files(conn, ids)?
        .into_iter()
        .map(|f| ManifestFile {
            id: f.id,
            name: f.file_name,
            sha256: f.sha256,
            size: f.size_bytes,
        })
        .collect();
    files.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Manifest {
        document: row.id.clone(),
        sender: row.sender_id.clone(),
        subject: row.subject.clone(),
        document_type: row.document_type.clone(),
        reference_number: row.reference_number.clone(),
        confidentiality: row.confidentiality.clone(),
        recipients,
        files,
    })
}

pub(super) fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The keys a step may need: the seal of platform-held organisation keys, and the
/// platform's own key (countersignatures, audit checkpoints).
#[derive(Clone, Copy)]
pub(crate) struct StepKeys<'a> {
    pub documents: &'a DocumentKeys,
    pub platform: &'a TokenKeys,
}

/// What taking a step gave: the document after it, or (when only preparing) the payload
/// its organisation is to sign.
pub(crate) enum StepResult {
    Taken(DocumentView),
    ToSign(StepToSign),
}

fn not_held(actor: &str) -> ApiError {
    ApiError::validation(vec![FieldError::new(
        "signature",
        "not_held",
        format!(
            "organisation {actor} has registered no key of its own: the platform signs its \
             steps, so take the step without a signature"
        ),
    )])
}

/// Appends the signed step, its audit entry, its change-log entry and the events; a
/// recipient's step (what a receipt is made of) is followed by a signed audit checkpoint.
/// `Some` only when preparing (nothing is written then).
#[allow(clippy::too_many_arguments)]
pub(super) fn record_step(
    conn: &mut DbConnection,
    keys: StepKeys<'_>,
    signature: &StepSignature,
    caller: &Caller,
    row: &DocumentRow,
    step: Step,
    actor: &str,
    recipient: Option<&str>,
    reason: Option<&str>,
    notify: &[String],
) -> ApiResult<Option<StepToSign>> {
    let steps = store::steps(conn, &row.id)?;
    let seq = i32::try_from(steps.len() + 1).unwrap_or(i32::MAX);
    let prev = steps
        .last()
        .map_or_else(|| GENESIS.to_owned(), |s| s.step_hash.clone());
    let previous_at = steps
        .last()
        .and_then(|s| StepPayload::unverified(&s.jws))
        .and_then(|p| p.signed_at());
    // The key first: one made now must be valid at the moment the step says it signed.
    let signer = keys::signer(conn, keys.documents, actor)?;
    let now = ids::now();
    let payload_at = |at: String| StepPayload {
        document: row.id.clone(),
        seq,
        step: step.as_str().into(),
        actor: actor.to_owned(),
        recipient: recipient.map(str::to_owned),
        content: row.content_digest.clone().unwrap_or_default(),
        prev: prev.clone(),
        at,
        reason: reason.map(str::to_owned),
    };
    let (payload, jws, held_by_organisation) = match (signer, signature) {
        (Signer::Platform(key), StepSignature::Platform) => {
            let payload = payload_at(rfc3339(now));
            let jws = keys::sign(&key, &payload.to_value())?;
            (payload, jws, false)
        }
        (Signer::Platform(_), _) => return Err(not_held(actor)),
        (Signer::Organisation(key), StepSignature::Platform) => {
            return Err(ApiError::validation(vec![FieldError::new(
                "signature",
                "required",
                format!(
                    "organisation {actor} holds its own key {}: prepare the step \
                     (POST /api/v1/documents/{}/steps/prepare), sign its signingInput and \
                     send the detached JWS with signed_at",
                    key.kid, row.id
                ),
            )]));
        }
        (Signer::Organisation(key), StepSignature::Prepare) => {
            return Ok(Some(StepToSign::of(
                &key.kid,
                &payload_at(rfc3339(now)),
                now,
            )));
        }
        (Signer::Organisation(key), StepSignature::Detached { signed_at, jws }) => {
            step_signing::accepted_time(signed_at, now, previous_at)?;
            let payload = payload_at(signed_at.clone());
            let jws = step_signing::attach(jws, &payload, &key)?;
            (payload, jws, true)
        }
    };
    let step_hash = keys::step_hash(&jws);
    let countersignature = held_by_organisation
        .then(|| step_signing::countersign(keys.platform, &row.id, seq, &step_hash, now))
        .map(|c| serde_json::to_string(&c))
        .transpose()
        .map_err(ApiError::internal)?;
    let stored = DocumentStepRow {
        document_id: row.id.clone(),
        seq,
        action: step.as_str().into(),
        actor_id: actor.to_owned(),
        recipient_id: recipient.map(str::to_owned),
        step_hash,
        jws,
        created_at: now,
        countersignature,
    };
    store::insert_step(conn, &stored)?;
    for organisation in notify {
        crate::outbox::notify(
            conn,
            organisation,
            step.event(),
            &row.id,
            serde_json::json!({
                "document_id": row.id,
                "reference_number": row.reference_number,
                "seq": seq,
                "actor": actor,
                "recipient": recipient,
                "at": payload.at,
            }),
        )?;
    }
    Change::upsert(DOCUMENT_KIND, &row.id).record(conn)?;
    crate::changes::audit(
        conn,
        &caller.actor(),
        &format!("document.{}", step.as_str()),
        &format!("document:{}", row.id),
        serde_json::json!({"seq": seq, "organisation": actor, "recipient": recipient, "step_hash": stored.step_hash}),
    )?;
    if step.by_recipient() {
        checkpoint(conn, keys.platform);
    }
    Ok(None)
}

/// Signs an audit checkpoint covering the step just written, in a savepoint of its own: a
/// checkpoint that cannot be taken now (another node's at the same length) never undoes the
/// step — the periodic pass signs one minutes later.
fn checkpoint(conn: &mut DbConnection, platform: &TokenKeys) {
    use diesel::Connection;
    let taken = conn.transaction(|conn| {
        crate::audit_checkpoints::take(conn, platform)
            .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))
    });
    if let Err(error) = taken {
        tracing::warn!(%error, "no audit checkpoint at this receipt; the periodic one follows");
    }
}

/// The sender's steps: send a draft, or recall a sent document nobody has received.
pub(crate) fn sender_step(
    conn: &mut DbConnection,
    keys: StepKeys<'_>,
    signature: &StepSignature,
    caller: &Caller,
    id: &str,
    step: Step,
) -> ApiResult<StepResult> {
    let visible = readable(conn, caller, id)?;
    authorize(
        caller,
        Action::ExchangeFor {
            organisation_id: &visible.sender_id,
        },
    )?;
    let mut row = lock(conn, id)?;
    let ids = std::slice::from_ref(&row.id);
    let mut recipients = store::recipients(conn, ids)?;
    let any_received = recipients
        .iter()
        .any(|r| !matches!(r.state.as_str(), "sent" | "pending"));
    let next = domain::sender_step(step, &row.state, any_received)?;
    if step == Step::Send {
        if store::files(conn, ids)?.is_empty() {
            return Err(ApiError::validation(vec![FieldError::new(
                "files",
                "required",
                "attach at least one file before sending",
            )]));
        }
        row.content_digest = Some(manifest(conn, &row)?.digest());
        let now = ids::now();
        for recipient in &mut recipients {
            recipient.state = "sent".into();
            recipient.updated_at = now;
            store::save_recipient(conn, recipient)?;
        }
    }
    row.state = next.into();
    row.updated_at = ids::now();
    store::save_document(conn, &row)?;
    let notify: Vec<String> = recipients
        .iter()
        .map(|r| r.organisation_id.clone())
        .collect();
    let sender = row.sender_id.clone();
    if let Some(to_sign) = record_step(
        conn, keys, signature, caller, &row, step, &sender, None, None, &notify,
    )? {
        return Ok(StepResult::ToSign(to_sign));
    }
    Ok(StepResult::Taken(one_view(conn, row)?))
}

/// A recipient's steps: deliver, accept, reject (with a reason) or sign, as `organisation`
/// (a slug; default: the one recipient organisation the caller acts for).
#[allow(clippy::too_many_arguments)]
pub(crate) fn recipient_step(
    conn: &mut DbConnection,
    keys: StepKeys<'_>,
    signature: &StepSignature,
    caller: &Caller,
    id: &str,
    step: Step,
    organisation: Option<&str>,
    reason: Option<&str>,
) -> ApiResult<StepResult> {
    let visible = readable(conn, caller, id)?;
    let ids = std::slice::from_ref(&visible.id);
    let recipients = store::recipients(conn, ids)?;
    let requested = match organisation {
        Some(slug) => Some(
            identity::organisation_by_slug(conn, slug)
                .map_err(|_| {
                    ApiError::invalid_parameter(format!("there is no organisation `{slug}`"))
                })?
                .id,
        ),
        None => None,
    };
    let parties: Vec<&str> = recipients
        .iter()
        .map(|r| r.organisation_id.as_str())
        .collect();
    let acting = policy::acting_for(
        caller,
        requested.as_deref(),
        &parties,
        |id| {
            authorize(
                caller,
                Action::ExchangeFor {
                    organisation_id: id,
                },
            )
        },
        "organisation",
    )?;
    let copy = recipients
        .iter()
        .find(|r| r.organisation_id == acting)
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("the acting recipient went missing")))?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if step == Step::Reject && reason.is_none() {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            "required",
            "say why the document is rejected",
        )]));
    }
    if let Some(reason) = reason
        && reason.chars().count() > 2000
    {
        return Err(ApiError::validation(vec![FieldError::new(
            "reason",
            "too_long",
            "at most 2000 characters",
        )]));
    }
    let row = lock(conn, id)?;
    let mut copy = store::recipients(conn, std::slice::from_ref(&row.id))?
        .into_iter()
        .find(|r| r.organisation_id == copy.organisation_id)
        .ok_or_else(|| not_found(id))?;
    let next = domain::recipient_step(step, &row.state, &copy.state)?;
    copy.state = next.into();
    copy.updated_at = ids::now();
    if step == Step::Reject {
        copy.reason = reason.map(str::to_owned);
    }
    store::save_recipient(conn, &copy)?;
    let recipient = copy.organisation_id.clone();
    let notify = vec![row.sender_id.clone()];
    if let Some(to_sign) = record_step(
        conn,
        keys,
        signature,
        caller,
        &row,
        step,
        &recipient,
        Some(&recipient),
        if step == Step::Reject { reason } else { None },
        &notify,
    )? {
        return Ok(StepResult::ToSign(to_sign));
    }
    Ok(StepResult::Taken(one_view(conn, row)?))
}

/// Checks a document's stored history against the published keys and its stored manifest
/// (file bytes are checked by the caller, who reads the object store), and every step signed
/// with an organisation-held key against its countersignature by `platform`. `Ok(steps)` or
/// the first break.
pub(crate) fn verify_stored(
    conn: &mut DbConnection,
    platform: &PlatformKey,
    id: &str,
) -> ApiResult<Result<usize, chain::Break>> {
    let row = store::document(conn, id)?.ok_or_else(|| not_found(id))?;
    let steps = store::steps(conn, id)?;
    if row.state == "draft" && steps.is_empty() {
        return Ok(Ok(0));
    }
    let digest = manifest(conn, &row)?.digest();
    if row.content_digest.as_deref() != Some(digest.as_str()) {
        return Ok(Err(chain::Break {
            seq: 0,
            reason: "the stored metadata, recipients or file list no longer match what was sent"
                .into(),
        }));
    }
    let kids: Vec<String> = steps
        .iter()
        .filter_map(|s| keys::kid_of(&s.jws).ok())
        .collect();
    let published = keys::by_ids(conn, &kids)?;
    let signed: Vec<chain::SignedStep> = steps
        .iter()
        .map(|s| chain::SignedStep {
            seq: s.seq,
            jws: s.jws.clone(),
            countersignature: None,
        })
        .collect();
    let key_of = |kid: &str| published.iter().find(|k| k.kid == kid).cloned();
    if let Err(broken) = chain::verify(id, &digest, &signed, &key_of) {
        return Ok(Err(broken));
    }
    for step in &steps {
        let organisation_held = keys::kid_of(&step.jws)
            .ok()
            .and_then(|kid| key_of(&kid))
            .is_some_and(|k| k.organisation_held());
        let countersigned = super::receipts::countersignature_of(step.countersignature.as_deref())
            .is_some_and(|c| {
                step_signing::countersignature_holds(&c, platform, id, step.seq, &step.step_hash)
            });
        if organisation_held && !countersigned {
            return Ok(Err(chain::Break {
                seq: step.seq,
                reason: "signed with an organisation-held key but its countersignature is \
                         missing or not the platform key's"
                    .into(),
            }));
        }
    }
    Ok(Ok(steps.len()))
}
