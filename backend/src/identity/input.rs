//! What administrators and bootstrapping send about organisations and users.

use std::collections::BTreeMap;

use serde::Deserialize;
use utoipa::ToSchema;

use super::domain::Country;

/// What it takes to create an organisation.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct NewOrganisationInput {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// agency, university, operator, manufacturer, company or startup.
    pub kind: String,
    /// UZ or AZ.
    pub country: String,
    pub website: Option<String>,
}

/// Filters of the organisation list, as received.
#[derive(Debug, Clone, Default)]
pub struct OrganisationQuery {
    pub country: Option<String>,
    pub kind: Option<String>,
}

/// What it takes to create a user outside a federated login (bootstrap and demo data).
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub display_name: String,
    pub email: Option<String>,
    pub country: Option<Country>,
    pub is_platform_admin: bool,
}

/// A change to an organisation's profile; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrganisationPatch {
    pub name: Option<String>,
    /// Replaces all names in other languages.
    pub names: Option<BTreeMap<String, String>>,
    /// An empty string removes the website.
    pub website: Option<String>,
}
