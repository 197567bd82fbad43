//! Biometric operations for authorised partners: consent, enrolment, 1:1 verify, 1:N
//! identify, erasure; sharing agreements and thresholds for administrators. Every call is
//! authorised through the one policy (scopes `biometric:enrol`, `biometric:verify`,
//! `biometric:identify`) and audited with partner, purpose, subject and decision — never the
//! template, which is encrypted at rest and never returned.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use silkbridge_schema::models::{BiometricConsent, BiometricTemplate};
use silkbridge_schema::{Database, DbConnection, ids};
use utoipa::ToSchema;

use super::crypto::TemplateKeys;
use super::gallery::Gallery;
use super::store;
use super::templates::{Format, Template, TemplateData, TemplateInput};
use crate::audit;
use crate::config::{BiometricsConfig, Config};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::state::AppState;

pub const SCOPE_ENROL: &str = "biometric:enrol";
pub const SCOPE_VERIFY: &str = "biometric:verify";
pub const SCOPE_IDENTIFY: &str = "biometric:identify";

/// Keys and the gallery, built at start.
pub struct BiometricsRuntime {
    pub keys: TemplateKeys,
    pub gallery: Gallery,
    /// How far the gallery has followed the change log (other instances' changes).
    position: std::sync::Mutex<silkbridge_schema::change_log::Position>,
}

/// What loading the gallery found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadStats {
    pub loaded: usize,
    /// Templates that failed authentication (altered, or their key is not configured): never
    /// matched, each logged by id.
    pub unreadable: usize,
}

impl BiometricsRuntime {
    /// Loads the keys and decrypts every stored template into the gallery.
    pub fn open(db: &Database, config: &Config) -> anyhow::Result<Arc<Self>> {
        let runtime = Self::new(config)?;
        let mut conn = db.connection()?;
        let stats = runtime
            .load(&mut conn)
            .map_err(|e| anyhow::anyhow!("loading the biometric gallery: {e}"))?;
        if stats.loaded + stats.unreadable > 0 {
            tracing::info!(
                loaded = stats.loaded,
                unreadable = stats.unreadable,
                "biometric gallery loaded"
            );
        }
        Ok(Arc::new(runtime))
    }

    /// The keys and an empty gallery.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            keys: TemplateKeys::load(config)?,
            gallery: Gallery::new(
                config.biometrics.float_dimension,
                config.biometrics.binary_bits,
            ),
            position: std::sync::Mutex::new(silkbridge_schema::change_log::Position::START),
        })
    }

    /// Decrypts every stored template into the gallery, page by page. The change-log head
    /// is taken first, so a change made meanwhile is applied again by `follow`, not missed.
    pub fn load(&self, conn: &mut DbConnection) -> ApiResult<LoadStats> {
        *self.position.lock().unwrap_or_else(|e| e.into_inner()) =
            silkbridge_schema::change_log::head(conn)?;
        let mut stats = LoadStats {
            loaded: 0,
            unreadable: 0,
        };
        let mut after = String::new();
        loop {
            let page = store::templates_after(conn, &after, 5_000)?;
            let Some(last) = page.last() else {
                return Ok(stats);
            };
            after = last.id.clone();
            for row in &page {
                match self.decrypt(row) {
                    Ok(data) => {
                        self.gallery
                            .insert(&row.id, &row.partner_id, &row.subject_ref, &data);
                        stats.loaded += 1;
                    }
                    Err(error) => {
                        tracing::error!(template = %row.id, %error, "stored template unreadable; not matched");
                        stats.unreadable += 1;
                    }
                }
            }
        }
    }

    /// Applies other instances' enrolments and erasures: each subject named in the change log
    /// since the last call is dropped from the gallery and reloaded from the database (so an
    /// erased subject is gone from every instance's memory). Returns the subjects refreshed.
    pub fn follow(&self, conn: &mut DbConnection) -> ApiResult<usize> {
        let mut refreshed = 0;
        loop {
            let after = *self.position.lock().unwrap_or_else(|e| e.into_inner());
            let entries = silkbridge_schema::change_log::read_after(conn, after, 500)?;
            let Some(last) = entries.last().map(|e| e.position()) else {
                return Ok(refreshed);
            };
            for entry in entries
                .iter()
                .filter(|e| e.entity_kind == store::SUBJECT_KIND)
            {
                let Some((partner, subject)) = entry.entity_id.split_once(':') else {
                    continue;
                };
                self.gallery.remove_subject(partner, subject);
                for row in store::subject_templates(conn, partner, subject)? {
                    match self.decrypt(&row) {
                        Ok(data) => self.gallery.insert(&row.id, partner, subject, &data),
                        Err(error) => {
                            tracing::error!(template = %row.id, %error, "stored template unreadable; not matched")
                        }
                    }
                }
                refreshed += 1;
            }
            *self.position.lock().unwrap_or_else(|e| e.into_inner()) = last;
        }
    }

    /// A stored row's values, after authenticating them.
    pub fn decrypt(&self, row: &BiometricTemplate) -> ApiResult<TemplateData> {
        let format = Format::parse(&row.format).ok_or_else(|| {
            ApiError::new(
                ErrorCode::TemplateUnreadable,
                "unknown stored template format",
            )
        })?;
        let plain = open_row(&self.keys, row, &associated(row))?;
        Template::data_from_bytes(format, row.dimension as u32, &plain).ok_or_else(|| {
            ApiError::new(
                ErrorCode::TemplateUnreadable,
                "a stored template has the wrong length",
            )
        })
    }
}

/// A stored row's plaintext bytes, authenticated against `aad` (its `associated` data).
fn open_row(
    keys: &TemplateKeys,
    row: &BiometricTemplate,
    aad: &str,
) -> ApiResult<zeroize::Zeroizing<Vec<u8>>> {
    keys.open(&row.key_id, &row.nonce, &row.ciphertext, aad.as_bytes())
}

/// The associated data that binds a ciphertext to its row.
pub fn associated(row: &BiometricTemplate) -> String {
    format!(
        "silkbridge-template|{}|{}|{}|{}|{}",
        row.id, row.partner_id, row.subject_ref, row.format, row.dimension
    )
}

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

#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "BiometricEnrolInput")]
pub struct EnrolInput {
    pub subject_id: String,
    pub template: TemplateInput,
}

#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Enrolment {
    pub template_id: String,
    pub subject_id: String,
    pub format: String,
    pub quality: u32,
}

#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "BiometricVerifyInput")]
pub struct VerifyInput {
    pub subject_id: String,
    pub probe: TemplateInput,
    /// For a subject another partner enrolled and shares with the caller: that partner's id.
    pub owner_partner_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    pub subject_id: String,
    /// The best similarity over the subject's templates of the probe's format (0–1).
    pub score: f64,
    pub threshold: f64,
    /// `match` when the score reaches the threshold, else `no_match`.
    pub decision: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "BiometricIdentifyInput")]
pub struct IdentifyInput {
    pub probe: TemplateInput,
    /// 1–100; 10 when left out.
    pub max_results: Option<u32>,
}

#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct IdentifyCandidate {
    pub subject_id: String,
    /// The partner that enrolled the subject (the caller, or one sharing with it).
    pub owner_partner_id: String,
    pub score: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Identification {
    pub threshold: f64,
    /// Best first; only candidates at or above the threshold.
    pub candidates: Vec<IdentifyCandidate>,
}

fn partner_id(caller: &Caller, scope: &str) -> ApiResult<String> {
    authorize(caller, Action::UseScope(scope))?;
    match caller {
        Caller::Partner(partner) => Ok(partner.id.clone()),
        _ => Err(ApiError::new(
            ErrorCode::Forbidden,
            "biometrics are for partner systems",
        )),
    }
}

fn check_subject(subject: &str) -> ApiResult<()> {
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

fn threshold_for(
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
            audit::record(
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
            store::revoke_consent(conn, &consent_id, ids::now())?;
            let erased = store::erase_subject(conn, &partner, &consent.subject_ref)?;
            audit::record(
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
            let erased = store::erase_subject(conn, &p, &s)?;
            audit::record(
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
            audit::record(
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
fn visible_partners(conn: &mut DbConnection, partner: &str) -> ApiResult<Vec<String>> {
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
            audit::record(
                conn,
                &actor,
                "biometric.verify",
                &format!("subject:{owner}:{subject}"),
                serde_json::json!({ "decision": decision, "score": score, "threshold": threshold }),
            )?;
            Ok(Verification {
                subject_id: subject,
                score,
                threshold,
                decision: decision.to_owned(),
            })
        })
        .await
}

fn similarity(a: &TemplateData, b: &TemplateData) -> f32 {
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
    let (visible, threshold) = crate::db::run(&state.db, {
        let partner = partner.clone();
        move |conn| {
            Ok((
                visible_partners(conn, &partner)?,
                threshold_for(conn, &config, &partner, probe.format)?,
            ))
        }
    })
    .await?;
    let candidates = state.biometrics.gallery.identify(
        &probe.data,
        &visible,
        max_results as usize,
        threshold as f32,
    );
    let result = Identification {
        threshold,
        candidates: candidates
            .into_iter()
            .map(|c| IdentifyCandidate {
                subject_id: c.subject,
                owner_partner_id: c.partner_id,
                score: f64::from(c.score),
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
            audit::record(
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

/// A sharing agreement as administrators see it.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct SharingAgreement {
    pub owner_partner_id: String,
    pub grantee_partner_id: String,
    pub since: chrono::NaiveDateTime,
}

/// Every sharing agreement (platform administrators).
pub async fn sharing_agreements(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<Vec<SharingAgreement>> {
    authorize(caller, Action::ManagePartners)?;
    let rows = crate::db::run(&state.db, store::sharing_agreements).await?;
    Ok(rows
        .into_iter()
        .map(
            |(owner_partner_id, grantee_partner_id, since)| SharingAgreement {
                owner_partner_id,
                grantee_partner_id,
                since,
            },
        )
        .collect())
}

/// Ends a sharing agreement (platform administrators): the grantee stops matching the
/// owner's subjects with its next request.
pub async fn remove_sharing(
    state: &AppState,
    caller: &Caller,
    owner: String,
    grantee: String,
) -> ApiResult<()> {
    authorize(caller, Action::ManagePartners)?;
    let actor = caller.actor();
    state
        .write(move |conn| {
            if !store::remove_sharing(conn, &owner, &grantee)? {
                return Err(ApiError::not_found("sharing agreement"));
            }
            audit::record(
                conn,
                &actor,
                "biometric.sharing_ended",
                &format!("partner:{owner}"),
                serde_json::json!({ "grantee": grantee }),
            )
        })
        .await
}

/// Lets `grantee` match `owner`'s subjects (platform administrators).
pub async fn add_sharing(
    state: &AppState,
    caller: &Caller,
    owner: String,
    grantee: String,
) -> ApiResult<()> {
    authorize(caller, Action::ManagePartners)?;
    let actor = caller.actor();
    state
        .write(move |conn| {
            for id in [&owner, &grantee] {
                crate::identity::partners::active_partner(conn, id).map_err(|_| {
                    ApiError::validation(vec![FieldError::new(
                        "partnerId",
                        "unknown",
                        format!("no partner `{id}`"),
                    )])
                })?;
            }
            store::add_sharing(conn, &owner, &grantee, ids::now())?;
            audit::record(
                conn,
                &actor,
                "biometric.sharing",
                &format!("partner:{owner}"),
                serde_json::json!({ "grantee": grantee }),
            )
        })
        .await
}

/// Sets a partner's decision threshold for a format (platform administrators), typically
/// the one `silkbridge biometrics evaluate` printed for the target false-accept rate.
pub async fn set_threshold(
    state: &AppState,
    caller: &Caller,
    partner: String,
    format: String,
    threshold: f64,
) -> ApiResult<()> {
    authorize(caller, Action::ManagePartners)?;
    let format = Format::parse(&format).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "format",
            "unknown_format",
            "`float32` or `binary`",
        )])
    })?;
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ApiError::validation(vec![FieldError::new(
            "threshold",
            "out_of_range",
            "0 to 1",
        )]));
    }
    let actor = caller.actor();
    state
        .write(move |conn| {
            store::set_threshold(conn, &partner, format.as_str(), threshold, ids::now())?;
            audit::record(
                conn,
                &actor,
                "biometric.threshold",
                &format!("partner:{partner}"),
                serde_json::json!({ "format": format.as_str(), "threshold": threshold }),
            )
        })
        .await
}

/// Re-encrypts every template with the current key; returns how many moved. Resumable: a
/// record already under the current key is skipped.
pub fn re_encrypt(
    conn: &mut DbConnection,
    keys: &TemplateKeys,
    progress: &mut dyn FnMut(usize),
) -> ApiResult<usize> {
    let mut after = String::new();
    let mut moved = 0;
    loop {
        let page = store::templates_after(conn, &after, 1_000)?;
        let Some(last) = page.last() else {
            return Ok(moved);
        };
        after = last.id.clone();
        silkbridge_schema::write_transaction(conn, |conn| {
            for row in page.iter().filter(|r| r.key_id != keys.current_id()) {
                let aad = associated(row);
                let plain = open_row(keys, row, &aad)?;
                let fresh = keys.seal(aad.as_bytes(), &plain)?;
                store::replace_ciphertext(
                    conn,
                    &row.id,
                    &fresh.key_id,
                    &fresh.nonce,
                    &fresh.ciphertext,
                )?;
                moved += 1;
            }
            Ok::<_, ApiError>(())
        })?;
        progress(moved);
    }
}
