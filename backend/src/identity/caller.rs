//! Who is calling: anonymous, a signed-in person (with memberships and roles) or a partner
//! system (with scopes). How a request's caller is found is `authenticate.rs`.

use std::collections::BTreeSet;

use super::domain::Role;

/// The cookie carrying a browser's access token.
pub const ACCESS_COOKIE: &str = "sb_access";

/// A signed-in person.
#[derive(Debug, Clone, PartialEq)]
pub struct UserCaller {
    pub id: String,
    pub session_id: String,
    pub platform_admin: bool,
    /// Reviews marketplace listings.
    pub moderator: bool,
    /// (organisation id, role) for each membership.
    pub memberships: Vec<(String, Role)>,
}

impl UserCaller {
    /// The caller's role in an organisation, if any.
    pub fn role_in(&self, organisation_id: &str) -> Option<Role> {
        self.memberships
            .iter()
            .find(|(org, _)| org == organisation_id)
            .map(|(_, role)| *role)
    }
}

/// A partner system (OAuth2 client_credentials).
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerCaller {
    pub id: String,
    pub client_id: String,
    pub organisation_id: Option<String>,
    pub scopes: BTreeSet<String>,
    /// Its rate limit, for charging the further operations of a GraphQL batch.
    pub rate_limit_per_minute: i32,
}

/// Who is calling. Every service decision starts from this.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Caller {
    #[default]
    Anonymous,
    User(UserCaller),
    Partner(PartnerCaller),
}

impl Caller {
    /// The user's id, if a person is calling.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Self::User(user) => Some(&user.id),
            _ => None,
        }
    }

    /// The caller demo seeding writes as: an editor of each of `organisation_ids`, as those
    /// organisations' own staff would be. Never a platform administrator, whose rights cover
    /// no organisation's content (separation of duties). Lives only in memory: no membership
    /// is stored.
    pub fn seeding_editor(user_id: &str, organisation_ids: Vec<String>, moderator: bool) -> Self {
        Self::User(UserCaller {
            id: user_id.to_owned(),
            session_id: "demo-seed".into(),
            platform_admin: false,
            moderator,
            memberships: organisation_ids
                .into_iter()
                .map(|id| (id, Role::Editor))
                .collect(),
        })
    }

    /// The audit actor string.
    pub fn actor(&self) -> String {
        match self {
            Self::Anonymous => "anonymous".into(),
            Self::User(user) => format!("user:{}", user.id),
            Self::Partner(partner) => format!("partner:{}", partner.id),
        }
    }

    /// The search-index access tokens this caller holds: what it may see. Derived from the
    /// policy's read scope, so search shows exactly what a single read would allow.
    pub fn access_tokens(&self) -> Vec<String> {
        let mut tokens = vec![super::policy::PUBLIC_ACCESS.to_owned()];
        tokens.extend(
            super::policy::read_scope(self)
                .iter()
                .map(|org| super::policy::organisation_access(org)),
        );
        if let Ok(orgs) = super::policy::exchange_scope(self) {
            tokens.extend(orgs.iter().map(|org| super::policy::exchange_token(org)));
        }
        tokens
    }
}
