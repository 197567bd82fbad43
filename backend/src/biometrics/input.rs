//! What partners send to enrol, verify and identify (the template itself is checked by
//! `templates.rs`).

use serde::Deserialize;
use utoipa::ToSchema;

use super::templates::TemplateInput;

#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "BiometricEnrolInput")]
pub struct EnrolInput {
    pub subject_id: String,
    pub template: TemplateInput,
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

#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[graphql(name = "BiometricIdentifyInput")]
pub struct IdentifyInput {
    pub probe: TemplateInput,
    /// 1–100; 10 when left out.
    pub max_results: Option<u32>,
}
