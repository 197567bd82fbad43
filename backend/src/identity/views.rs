//! What callers see of organisations, people and memberships: the views REST, GraphQL and the
//! portal share.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::Serialize;
use silkbridge_schema::models::Organisation;
use utoipa::ToSchema;

use super::domain::{Country, LocalizedText, OrganisationKind, Role, localized_list};
use crate::error::{ApiError, ApiResult};

/// An organisation as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "Organisation")]
#[schema(as = Organisation)]
pub struct OrganisationView {
    pub id: String,
    /// URL-safe unique name.
    pub slug: String,
    /// The name in the organisation's main language.
    pub name: String,
    /// The name in other languages.
    pub names: Vec<LocalizedText>,
    pub kind: OrganisationKind,
    pub country: Country,
    pub website: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub(super) fn view(row: Organisation) -> ApiResult<OrganisationView> {
    let names: BTreeMap<String, String> = serde_json::from_str(&row.names_json).map_err(|e| {
        ApiError::internal(anyhow::anyhow!("organisation {}: bad names: {e}", row.id))
    })?;
    Ok(OrganisationView {
        kind: row
            .kind
            .parse()
            .map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))?,
        country: row
            .country
            .parse()
            .map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))?,
        names: localized_list(names),
        id: row.id,
        slug: row.slug,
        name: row.name,
        website: row.website,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// A membership as its holder sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct MembershipView {
    pub organisation: OrganisationView,
    pub role: Role,
}

/// A federated identity of the caller.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct IdentityView {
    pub issuer: String,
    pub country: String,
    /// Whether the provider gave a national person identifier (never shown in full).
    pub has_person_id: bool,
}

/// Who the caller is.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct MeView {
    /// `user` or `partner`.
    pub kind: String,
    pub id: String,
    pub display_name: String,
    pub platform_admin: bool,
    pub memberships: Vec<MembershipView>,
    pub identities: Vec<IdentityView>,
    /// Partners: the scopes of the presented token.
    pub scopes: Vec<String>,
}

/// A member as the organisation sees them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct MemberView {
    pub user_id: String,
    pub display_name: String,
    pub role: Role,
    pub since: NaiveDateTime,
}
