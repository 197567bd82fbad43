//! Consent: what allows a partner to hold a subject's templates. Granting, revoking and the
//! subject's erasure, and the purge that ends expired consents. A revoked, erased or expired
//! consent ends matching at once: revocation and erasure delete the templates in the same
//! transaction, and an expired consent's subject is left out of every match until the purge
//! (each periodic pass) deletes its templates. All of them lock the subject's consents first
//! (`store::lock_consents`), as enrolment does, so none of them can interleave with another.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use silkbridge_schema::models::BiometricConsent;
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;

use super::service::{SCOPE_ENROL, check_subject, partner_id, subject_changed};
use super::store;
use crate::changes;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::identity::caller::Caller;
use crate::state::AppState;

/// A consent to record.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "BiometricConsentInput")]
pub struct ConsentInput {
    /// The partner's opaque id for the subject (never a name): 1–128 of `A–Z a–z 0–9 . _ : -`.
    pub subject_id: String,
    pub purpose: String,
    /// RFC 3339; none means until revoked.
    pub expires_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "BiometricConsent")]
pub struct ConsentView {
    pub id: String,
    pub subject_id: String,
    pub purpose: String,
    pub granted_at: chrono::NaiveDateTime,
    pub expires_at: Option<chrono::NaiveDateTime>,
}

/// Records a subject's consent (scope `biometric:enrol`).
pub async fn grant_consent(
    state: &AppState,
    caller: &Caller,
    input: ConsentInput,
) -> ApiResult<ConsentView> {
    let partner = partner_id(caller, SCOPE_ENROL)?;
    check_subject(&input.subject_id)?;
    let purpose = input.purpose.trim().to_owned();
    if purpose.is_empty() || purpose.len() > 200 {
        return Err(ApiError::validation(vec![FieldError::new(
            "purpose",
            "required",
            "1 to 200 characters",
        )]));
    }
    let expires_at = match &input.expires_at {
        None => None,
        Some(text) => Some(
            DateTime::parse_from_rfc3339(text)
                .map_err(|_| {
                    ApiError::validation(vec![FieldError::new(
                        "expiresAt",
                        "invalid_time",
                        "RFC 3339",
                    )])
                })?
                .with_timezone(&Utc)
                .naive_utc(),
        ),
    };
    let consent = BiometricConsent {
        id: ids::new_id(),
        partner_id: partner,
        subject_ref: input.subject_id,
        purpose,
        granted_at: ids::now(),
        expires_at,
        revoked_at: None,
    };
    let actor = caller.actor();
    let stored = consent.clone();
    state
        .write(move |conn| {
            store::insert_consent(conn, &stored)?;
            changes::audit(
                conn,
                &actor,
                "biometric.consent",
                &format!("subject:{}:{}", stored.partner_id, stored.subject_ref),
                serde_json::json!({ "purpose": stored.purpose, "expires_at": stored.expires_at }),
            )
        })
        .await?;
    Ok(ConsentView {
        id: consent.id,
        subject_id: consent.subject_ref,
        purpose: consent.purpose,
        granted_at: consent.granted_at,
        expires_at: consent.expires_at,
    })
}

/// Revokes a consent: the subject's templates are erased everywhere at once.
pub async fn revoke_consent(
    state: &AppState,
    caller: &Caller,
    consent_id: String,
) -> ApiResult<usize> {
    let partner = partner_id(caller, SCOPE_ENROL)?;
    let actor = caller.actor();
    let (subject, erased) = state
        .write(move |conn| {
            let consent = store::consent(conn, &consent_id)?
                .filter(|c| c.partner_id == partner)
                .ok_or_else(|| ApiError::not_found(format_args!("consent `{consent_id}`")))?;
            store::lock_consents(conn, &partner, &consent.subject_ref)?;
            store::revoke_consent(conn, &consent_id, ids::now())?;
            let erased = store::erase_subject(conn, &partner, &consent.subject_ref)?;
            subject_changed(conn, &partner, &consent.subject_ref)?;
            changes::audit(
                conn,
                &actor,
                "biometric.consent_revoked",
                &format!("subject:{partner}:{}", consent.subject_ref),
                serde_json::json!({ "purpose": consent.purpose, "templates_erased": erased }),
            )?;
            Ok(((partner, consent.subject_ref), erased))
        })
        .await?;
    state
        .biometrics
        .gallery
        .remove_subject(&subject.0, &subject.1);
    Ok(erased)
}

/// Erases a subject (templates and consents) at the partner's request.
pub async fn erase_subject(state: &AppState, caller: &Caller, subject: String) -> ApiResult<usize> {
    let partner = partner_id(caller, SCOPE_ENROL)?;
    check_subject(&subject)?;
    let actor = caller.actor();
    let (p, s) = (partner.clone(), subject.clone());
    let erased = state
        .write(move |conn| {
            store::lock_consents(conn, &p, &s)?;
            let erased = store::erase_subject(conn, &p, &s)?;
            subject_changed(conn, &p, &s)?;
            changes::audit(
                conn,
                &actor,
                "biometric.erase",
                &format!("subject:{p}:{s}"),
                serde_json::json!({ "templates_erased": erased }),
            )?;
            Ok(erased)
        })
        .await?;
    state.biometrics.gallery.remove_subject(&partner, &subject);
    Ok(erased)
}

/// Consents ended per pass of the purge.
const PURGE_BATCH: i64 = 200;

/// Ends expired consents: each is marked ended and, unless the subject holds another active
/// consent with the partner, the subject's templates are deleted, audited as
/// `biometric.consent_expired`. Runs in the periodic loop; returns the consents ended.
pub async fn purge_lapsed_consents(state: &AppState) -> ApiResult<usize> {
    let lapsed = crate::db::run(&state.db, |conn| {
        store::lapsed_consents(conn, None, ids::now(), PURGE_BATCH)
    })
    .await?;
    let mut ended = 0;
    for consent in lapsed {
        let subject = (consent.partner_id.clone(), consent.subject_ref.clone());
        let erased = state.write(move |conn| end_lapsed(conn, &consent)).await?;
        if let Some(erased) = erased {
            ended += 1;
            if erased > 0 {
                state
                    .biometrics
                    .gallery
                    .remove_subject(&subject.0, &subject.1);
            }
        }
    }
    Ok(ended)
}

/// Ends one expired consent under the subject's lock; `None` when another writer ended it
/// first, else the templates deleted.
fn end_lapsed(conn: &mut DbConnection, consent: &BiometricConsent) -> ApiResult<Option<usize>> {
    let (partner, subject) = (&consent.partner_id, &consent.subject_ref);
    store::lock_consents(conn, partner, subject)?;
    let now = ids::now();
    if !store::end_if_lapsed(conn, &consent.id, now)? {
        return Ok(None);
    }
    let erased = if store::active_consent(conn, partner, subject, now)?.is_some() {
        0
    } else {
        let erased = store::erase_templates(conn, partner, subject)?;
        subject_changed(conn, partner, subject)?;
        erased
    };
    changes::audit(
        conn,
        "system",
        "biometric.consent_expired",
        &format!("subject:{partner}:{subject}"),
        serde_json::json!({
            "purpose": consent.purpose,
            "expired_at": consent.expires_at,
            "templates_erased": erased,
        }),
    )?;
    Ok(Some(erased))
}

/// The subjects of `partners` whose consent has expired and whose templates the purge has
/// not deleted yet: matching leaves them out meanwhile.
pub(super) fn lapsed_subjects(
    conn: &mut DbConnection,
    partners: &[String],
) -> ApiResult<std::collections::HashSet<(String, String)>> {
    let now = ids::now();
    let mut lapsed = std::collections::HashSet::new();
    for consent in store::lapsed_consents(conn, Some(partners), now, i64::MAX)? {
        let key = (consent.partner_id, consent.subject_ref);
        if !lapsed.contains(&key) && store::active_consent(conn, &key.0, &key.1, now)?.is_none() {
            lapsed.insert(key);
        }
    }
    Ok(lapsed)
}
