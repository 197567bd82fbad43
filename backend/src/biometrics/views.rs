//! What partners get back: decisions and coarse bands, never a template or a raw score.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct Enrolment {
    pub template_id: String,
    pub subject_id: String,
    pub format: String,
    pub quality: u32,
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
