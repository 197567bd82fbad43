//! Identity: who someone is and what they may do. Organisations, users and memberships;
//! federated OIDC login per country; silkbridge's own tokens and sessions; partner clients
//! (OAuth2 client_credentials) with scopes and rate limits; and the one authorisation policy
//! every service call goes through. Other modules use `caller`, `policy` and `service`,
//! never these tables.

pub mod auth;
pub mod authenticate;
pub mod caches;
pub mod caller;
pub mod config;
pub mod demo;
pub mod domain;
pub mod graphql;
pub mod index;
pub mod input;
pub mod invitations;
pub mod oidc;
pub mod oidc_session;
pub mod partners;
pub mod policy;
mod refresh_seal;
pub mod rest;
pub mod rest_auth;
pub mod rest_invitations;
pub mod rules;
pub mod service;
mod session_limits;
mod store;
pub mod tokens;
pub mod views;

use std::sync::Arc;

/// What identity keeps at run time: providers, keys, rate limiters.
pub struct IdentityRuntime {
    pub federation: oidc::Federation,
    /// Shared: steps signed in blocking work countersign with it.
    pub keys: Arc<tokens::TokenKeys>,
    pub limiter: partners::PartnerLimiter,
    pub verified_tokens: caches::VerifiedTokens,
    pub recent_partners: caches::RecentPartners,
}

impl IdentityRuntime {
    pub fn new(config: &crate::config::Config) -> anyhow::Result<Arc<Self>> {
        Ok(Arc::new(Self {
            federation: oidc::Federation::new(config)?,
            keys: Arc::new(tokens::TokenKeys::load_or_create(
                &config.signing_key_file(),
                &config.public_url,
            )?),
            limiter: partners::PartnerLimiter::default(),
            verified_tokens: caches::VerifiedTokens::default(),
            recent_partners: caches::RecentPartners::default(),
        }))
    }
}
