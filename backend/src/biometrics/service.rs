//! Biometric operations for authorised partners: consent, enrolment, 1:1 verify, 1:N
//! identify, erasure; sharing agreements and thresholds for administrators. Every call is
//! authorised through the one policy (scopes `biometric:enrol`, `biometric:verify`,
//! `biometric:identify`) and audited with partner, purpose, subject and decision — never the
//! template, which is encrypted at rest and never returned.

use silkbridge_schema::models::BiometricTemplate;
use silkbridge_schema::{DbConnection, ids};

pub use super::consents::{
    ConsentInput, ConsentView, erase_subject, grant_consent, purge_lapsed_consents, revoke_consent,
};
use super::store;
use super::templates::{Format, Template, TemplateData};
use crate::changes::{self, Change};
use crate::config::BiometricsConfig;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::state::AppState;

/// Change-log kind of a subject's templates (the id is `partner:subject`): other server
/// instances follow it to keep their galleries in step, erasures included.
pub const SUBJECT_KIND: &str = "biometric_subject";

/// Records that a subject's templates changed (enrolled or erased): every node's gallery
/// follows the change log.
pub(super) fn subject_changed(
    conn: &mut DbConnection,
    partner_id: &str,
    subject: &str,
) -> ApiResult<()> {
    Change::upsert(SUBJECT_KIND, &format!("{partner_id}:{subject}")).record(conn)
}

pub const SCOPE_ENROL: &str = "biometric:enrol";
pub const SCOPE_VERIFY: &str = "biometric:verify";
pub const SCOPE_IDENTIFY: &str = "biometric:identify";

pub use super::agreements::{
    SharingAgreement, add_sharing, remove_sharing, set_threshold, sharing_agreements,
};
pub use super::input::{EnrolInput, IdentifyInput, VerifyInput};
pub use super::runtime::{BiometricsRuntime, LoadStats, associated, re_encrypt};
pub use super::views::{Enrolment, Identification, IdentifyCandidate, Verification, band};

pub(super) fn partner_id(caller: &Caller, scope: &str) -> ApiResult<String> {
    authorize(caller, Action::UseScope(scope))?;
    match caller {
        Caller::Partner(partner) => Ok(partner.id.clone()),
        _ => Err(ApiError::new(
            ErrorCode::Forbidden,
            "biometrics are for partner systems",
        )),
    }
}

pub(super) fn check_subject(subject: &str) -> ApiResult<()> {
    let ok = (1..=128).contains(&subject.len())
        && subject
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::validation(vec![FieldError::new(
            "subjectId",
            "invalid_subject_id",
            "an opaque id: 1–128 of A–Z a–z 0–9 . _ : - (never a name)",
        )]))
    }
}

pub(super) fn threshold_for(
    conn: &mut DbConnection,
    config: &BiometricsConfig,
    partner: &str,
    format: Format,
) -> ApiResult<f64> {
    Ok(
        store::threshold(conn, partner, format.as_str())?.unwrap_or(match format {
            Format::Float32 => config.default_float_threshold,
            Format::Binary => config.default_binary_threshold,
        }),
    )
}

/// Enrols a template of a subject with an active consent.
pub async fn enrol(state: &AppState, caller: &Caller, input: EnrolInput) -> ApiResult<Enrolment> {
    let partner = partner_id(caller, SCOPE_ENROL)?;
    check_subject(&input.subject_id)?;
    let template = Template::parse(&input.template, &state.config.biometrics, "template/")?;
    let runtime = state.biometrics.clone();
    let actor = caller.actor();
    let subject = input.subject_id.clone();
    let (row, template) = state
        .write(move |conn| {
            // The subject's lock first: a revoke or erasure committing meanwhile is seen, and
            // one that starts meanwhile waits for this template and erases it too.
            store::lock_consents(conn, &partner, &subject)?;
            let consent =
                store::active_consent(conn, &partner, &subject, ids::now())?.ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::ConsentRequired,
                        "this subject has no active consent with this partner",
                    )
                })?;
            let mut row = BiometricTemplate {
                id: ids::new_id(),
                partner_id: partner,
                subject_ref: subject,
                format: template.format.as_str().to_owned(),
                dimension: template.dimension as i32,
                vendor: template.vendor.clone(),
                quality: template.quality as i32,
                key_id: String::new(),
                nonce: Vec::new(),
                ciphertext: Vec::new(),
                created_at: ids::now(),
            };
            let sealed = runtime
                .keys
                .seal(associated(&row).as_bytes(), &template.to_bytes())?;
            row.key_id = sealed.key_id;
            row.nonce = sealed.nonce;
            row.ciphertext = sealed.ciphertext;
            store::insert_template(conn, &row)?;
            subject_changed(conn, &row.partner_id, &row.subject_ref)?;
            changes::audit(
                conn,
                &actor,
                "biometric.enrol",
                &format!("subject:{}:{}", row.partner_id, row.subject_ref),
                serde_json::json!({
                    "purpose": consent.purpose,
                    "template": row.id,
                    "format": row.format,
                    "quality": row.quality,
                    "vendor": row.vendor,
                }),
            )?;
            Ok((row, template))
        })
        .await?;
    state
        .biometrics
        .gallery
        .insert(&row.id, &row.partner_id, &row.subject_ref, &template.data);
    Ok(Enrolment {
        template_id: row.id,
        subject_id: row.subject_ref,
        format: row.format,
        quality: template.quality,
    })
}

/// The partners whose subjects `partner` may match: its own and those sharing with it.
pub(super) fn visible_partners(conn: &mut DbConnection, partner: &str) -> ApiResult<Vec<String>> {
    let mut partners = store::owners_sharing_with(conn, partner)?;
    partners.push(partner.to_owned());
    Ok(partners)
}

/// 1:1: the probe against one subject's templates.
pub async fn verify(
    state: &AppState,
    caller: &Caller,
    input: VerifyInput,
) -> ApiResult<Verification> {
    let partner = partner_id(caller, SCOPE_VERIFY)?;
    check_subject(&input.subject_id)?;
    let probe = Template::parse(&input.probe, &state.config.biometrics, "probe/")?;
    let runtime = state.biometrics.clone();
    let config = state.config.biometrics.clone();
    let actor = caller.actor();
    let subject = input.subject_id.clone();
    let owner = input
        .owner_partner_id
        .clone()
        .unwrap_or_else(|| partner.clone());
    state
        .write(move |conn| {
            // Another partner's subject is visible only under a sharing agreement; otherwise
            // it is "not found", as a subject that does not exist.
            if !visible_partners(conn, &partner)?.contains(&owner) {
                return Err(ApiError::not_found(format_args!("subject `{subject}`")));
            }
            // An expired consent ends matching at once, before the purge deletes the templates.
            if store::active_consent(conn, &owner, &subject, ids::now())?.is_none() {
                return Err(ApiError::not_found(format_args!("subject `{subject}`")));
            }
            let rows: Vec<BiometricTemplate> = store::subject_templates(conn, &owner, &subject)?
                .into_iter()
                .filter(|r| r.format == probe.format.as_str())
                .collect();
            if rows.is_empty() {
                return Err(ApiError::not_found(format_args!("subject `{subject}`")));
            }
            let mut best = f32::MIN;
            for row in &rows {
                let stored = runtime.decrypt(row)?;
                best = best.max(similarity(&probe.data, &stored));
            }
            let threshold = threshold_for(conn, &config, &partner, probe.format)?;
            let score = f64::from(best);
            let decision = if score >= threshold {
                "match"
            } else {
                "no_match"
            };
            changes::audit(
                conn,
                &actor,
                "biometric.verify",
                &format!("subject:{owner}:{subject}"),
                serde_json::json!({ "decision": decision, "score": score, "threshold": threshold }),
            )?;
            Ok(Verification {
                subject_id: subject,
                threshold,
                decision: decision.to_owned(),
                band: band(score, threshold).map(str::to_owned),
            })
        })
        .await
}

pub(super) fn similarity(a: &TemplateData, b: &TemplateData) -> f32 {
    match (a, b) {
        (TemplateData::Float(x), TemplateData::Float(y)) => super::matching::dot(x, y),
        (
            TemplateData::Binary { bits: x, mask: mx },
            TemplateData::Binary { bits: y, mask: my },
        ) => super::matching::hamming_similarity(x, mx.as_deref(), y, my.as_deref()),
        _ => 0.0,
    }
}

/// 1:N: the best subjects of the caller and the partners sharing with it.
pub async fn identify(
    state: &AppState,
    caller: &Caller,
    input: IdentifyInput,
) -> ApiResult<Identification> {
    let partner = partner_id(caller, SCOPE_IDENTIFY)?;
    let probe = Template::parse(&input.probe, &state.config.biometrics, "probe/")?;
    let max_results = input.max_results.unwrap_or(10);
    if !(1..=100).contains(&max_results) {
        return Err(ApiError::validation(vec![FieldError::new(
            "maxResults",
            "out_of_range",
            "1 to 100",
        )]));
    }
    let config = state.config.biometrics.clone();
    let (visible, threshold, lapsed) = crate::db::run(&state.db, {
        let partner = partner.clone();
        move |conn| {
            let visible = visible_partners(conn, &partner)?;
            let lapsed = super::consents::lapsed_subjects(conn, &visible)?;
            Ok((
                visible,
                threshold_for(conn, &config, &partner, probe.format)?,
                lapsed,
            ))
        }
    })
    .await?;
    // Subjects whose consent expired are left out; asking for as many more as there are of
    // them keeps the answer exact.
    let candidates = state.biometrics.gallery.identify(
        &probe.data,
        &visible,
        max_results as usize + lapsed.len(),
        threshold as f32,
    );
    let result = Identification {
        threshold,
        candidates: candidates
            .into_iter()
            .filter(|c| !lapsed.contains(&(c.partner_id.clone(), c.subject.clone())))
            .take(max_results as usize)
            .map(|c| IdentifyCandidate {
                band: band(f64::from(c.score), threshold)
                    .unwrap_or("medium")
                    .to_owned(),
                subject_id: c.subject,
                owner_partner_id: c.partner_id,
            })
            .collect(),
    };
    let actor = caller.actor();
    let audited: Vec<String> = result
        .candidates
        .iter()
        .map(|c| format!("{}:{}", c.owner_partner_id, c.subject_id))
        .collect();
    state
        .write(move |conn| {
            changes::audit(
                conn,
                &actor,
                "biometric.identify",
                &format!("partner:{partner}"),
                serde_json::json!({
                    "decision": if audited.is_empty() { "no_match" } else { "match" },
                    "candidates": audited,
                    "threshold": threshold,
                }),
            )
        })
        .await?;
    Ok(result)
}
