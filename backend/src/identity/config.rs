//! Identity's configuration: token lifetimes, the signing key, and one OpenID Provider per
//! federation member.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// `[identity]` in the configuration file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdentityConfig {
    /// Lifetime of silkbridge's access tokens (JWT), in seconds.
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token, in seconds; each use replaces it.
    pub refresh_token_ttl_secs: u64,
    /// How long a just-replaced refresh token still yields the same successor (two tabs
    /// refreshing at once); after it, presenting it again revokes the session.
    pub refresh_grace_secs: u64,
    /// Time a person has to finish logging in at their provider, in seconds.
    pub login_ttl_secs: u64,
    /// A session nobody has refreshed for this long ends (idle timeout), in seconds. An
    /// access token lives `access_token_ttl_secs`, so an active browser or client refreshes
    /// well within it.
    pub session_idle_ttl_secs: u64,
    /// A session ends this long after sign-in whatever happens (absolute timeout), in seconds.
    pub session_absolute_ttl_secs: u64,
    /// PEM file of the Ed25519 key that signs access tokens; created if missing.
    /// Default `{data_dir}/keys/token-signing-ed25519.pem`.
    pub signing_key_file: Option<PathBuf>,
    /// Mark cookies `Secure`; default: when `public_url` is https.
    pub secure_cookies: Option<bool>,
    /// Least time between two JWKS refetches of one provider caused by an unknown `kid`.
    pub jwks_refetch_cooldown_secs: u64,
    /// Clock skew tolerated when checking token times, in seconds.
    pub clock_skew_secs: u64,
    /// The federation members' OpenID Providers.
    pub providers: Vec<ProviderConfig>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            access_token_ttl_secs: 900,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            refresh_grace_secs: 30,
            login_ttl_secs: 600,
            session_idle_ttl_secs: 2 * 3600,
            session_absolute_ttl_secs: 12 * 3600,
            signing_key_file: None,
            secure_cookies: None,
            jwks_refetch_cooldown_secs: 60,
            clock_skew_secs: 60,
            providers: Vec::new(),
        }
    }
}

/// `[[identity.providers]]`: one country's OpenID Provider.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// `UZ` or `AZ`.
    pub country: String,
    /// The issuer URL; discovery is read from `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// The client secret, or `client_secret_file` naming a file that holds it.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub claims: ClaimMapping,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}

/// Which ID-token claims carry what silkbridge stores.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimMapping {
    pub name: String,
    pub email: String,
    /// The national person identifier claim, e.g. `pinfl` (UZ) or `fin` (AZ).
    pub person_id: Option<String>,
}

impl Default for ClaimMapping {
    fn default() -> Self {
        Self {
            name: "name".into(),
            email: "email".into(),
            person_id: None,
        }
    }
}

/// A secret string that never shows in `Debug` output or logs.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl ProviderConfig {
    /// The client secret, from the configuration or its file.
    pub fn secret(&self) -> anyhow::Result<String> {
        if let Some(secret) = &self.client_secret {
            return Ok(secret.0.clone());
        }
        let Some(file) = &self.client_secret_file else {
            anyhow::bail!(
                "identity provider {}: set client_secret or client_secret_file",
                self.country
            );
        };
        Ok(std::fs::read_to_string(file)
            .map_err(|e| {
                anyhow::anyhow!(
                    "identity provider {}: cannot read {}: {e}",
                    self.country,
                    file.display()
                )
            })?
            .trim()
            .to_owned())
    }
}
