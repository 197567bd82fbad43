//! Biometric operations for authorised partners: consent, enrolment, 1:1 verify, 1:N
//! identify, erasure; sharing agreements and thresholds for administrators. Every call is
//! authorised through the one policy (scopes `biometric:enrol`, `biometric:verify`,
//! `biometric:identify`) and audited with partner, purpose, subject and decision — never the
//! template, which is encrypted at rest and never returned.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use silkbridge_schema::models::BiometricTemplate;
use silkbridge_schema::{Database, DbConnection, ids};
use utoipa::ToSchema;

pub use super::consents::{
    ConsentInput, ConsentView, erase_subject, grant_consent, purge_lapsed_consents, revoke_consent,
};
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
    pub threshold: f64,
    /// `match` when the best similarity over the subject's templates of the probe's format
    /// reaches the threshold, else `no_match`.
    pub decision: String,
    /// For a match, how far above the threshold: `high` (in the upper half of the distance
    /// to a perfect match) or `medium`. Never the score itself, which would let a caller climb
    /// towards a match one probe at a time.
    pub band: Option<String>,
}

/// A match's coarse band (see [`Verification::band`]); `None` below the threshold.
pub fn band(score: f64, threshold: f64) -> Option<&'static str> {
    if score < threshold {
        None
    } else if score >= threshold + (1.0 - threshold) / 2.0 {
        Some("high")
    } else {
        Some("medium")
    }
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
    /// `high` or `medium` (see `Verification.band`); candidates are ranked best first.
    pub band: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Identification {
    pub threshold: f64,
    /// Best first; only candidates at or above the threshold.
    pub candidates: Vec<IdentifyCandidate>,
}

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
            audit::record(
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
