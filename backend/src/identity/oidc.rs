//! The federation's OpenID Providers, as a relying party: discovery, keys (with rotation),
//! the authorization-code exchange with PKCE, and ID-token validation.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::config::ProviderConfig;
use super::domain::Country;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// The provider metadata silkbridge uses.
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// RFC 9207: the provider adds `iss` to its authorization responses.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    /// Where profile claims are read with the provider's access token (national providers
    /// put only `sub` in the ID token).
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    /// RP-initiated logout: where a browser is sent to end its session at the provider too.
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
}

/// ID-token signing algorithms silkbridge accepts: asymmetric only, so a provider's public
/// key can never be abused as an HMAC secret, and never `none`.
const ACCEPTED_ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

#[derive(Default)]
struct KeyCache {
    keys: Option<JwkSet>,
    /// When an unknown `kid` last caused a refetch.
    last_refetch: Option<Instant>,
}

/// One country's provider with its cached metadata and keys.
pub struct Provider {
    pub country: Country,
    pub config: ProviderConfig,
    secret: String,
    redirect_url: String,
    metadata: Mutex<Option<Arc<ProviderMetadata>>>,
    keys: Mutex<KeyCache>,
    refetch_cooldown: Duration,
}

/// The claims silkbridge reads from an ID token; the rest stay in `other`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub azp: Option<String>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl IdTokenClaims {
    /// A string claim by name (for the configured claim mapping).
    pub fn text(&self, name: &str) -> Option<String> {
        match self.other.get(name)? {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// What an ID token must match.
#[derive(Debug, Clone)]
pub struct IdTokenExpectation<'a> {
    pub nonce: &'a str,
    /// Seconds since the epoch; the check's "now" (tests move it).
    pub now: i64,
    pub clock_skew_secs: i64,
}

pub(super) fn login_failed(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::LoginFailed, detail)
}

/// The ID token in the provider's token response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdTokenField {
    pub id_token: Option<String>,
}
impl ExtraTokenFields for IdTokenField {}

type OidcTokenResponse = StandardTokenResponse<IdTokenField, BasicTokenType>;
type OidcClient = oauth2::Client<
    BasicErrorResponse,
    OidcTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What the provider's token endpoint answers a code with.
pub struct ProviderTokens {
    pub id_token: String,
    pub access_token: String,
}

/// An authorization request ready to send the browser to.
pub struct AuthorizationRequest {
    pub url: String,
    pub state: String,
    pub pkce_verifier: String,
    pub nonce: String,
}

impl Provider {
    pub fn new(
        country: Country,
        config: ProviderConfig,
        public_url: &str,
        refetch_cooldown: Duration,
    ) -> anyhow::Result<Self> {
        let secret = config.secret()?;
        let redirect_url = format!(
            "{}/auth/{}/callback",
            public_url.trim_end_matches('/'),
            country.as_str()
        );
        Ok(Self {
            country,
            config,
            secret,
            redirect_url,
            metadata: Mutex::new(None),
            keys: Mutex::new(KeyCache::default()),
            refetch_cooldown,
        })
    }

    fn issuer(&self) -> &str {
        self.config.issuer.trim_end_matches('/')
    }

    /// The provider's metadata, discovered once and kept.
    pub async fn metadata(&self, http: &reqwest::Client) -> ApiResult<Arc<ProviderMetadata>> {
        let mut cached = self.metadata.lock().await;
        if let Some(metadata) = cached.as_ref() {
            return Ok(metadata.clone());
        }
        let url = format!("{}/.well-known/openid-configuration", self.issuer());
        let unavailable = |e: &dyn std::fmt::Display| {
            ApiError::unavailable(
                format!("the identity provider of {} is unreachable", self.country),
                anyhow::anyhow!("discovery at {url}: {e}"),
            )
        };
        let metadata: ProviderMetadata = http
            .get(&url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| unavailable(&e))?
            .json()
            .await
            .map_err(|e| unavailable(&e))?;
        if metadata.issuer.trim_end_matches('/') != self.issuer() {
            return Err(ApiError::internal(anyhow::anyhow!(
                "provider {} announces issuer {} but is configured as {}",
                self.country,
                metadata.issuer,
                self.issuer()
            )));
        }
        let metadata = Arc::new(metadata);
        *cached = Some(metadata.clone());
        Ok(metadata)
    }

    fn client(&self, metadata: &ProviderMetadata) -> ApiResult<OidcClient> {
        let bad = |e: &dyn std::fmt::Display| {
            ApiError::internal(anyhow::anyhow!("provider {}: {e}", self.country))
        };
        Ok(
            oauth2::Client::new(ClientId::new(self.config.client_id.clone()))
                .set_client_secret(ClientSecret::new(self.secret.clone()))
                .set_auth_uri(
                    AuthUrl::new(metadata.authorization_endpoint.clone()).map_err(|e| bad(&e))?,
                )
                .set_token_uri(TokenUrl::new(metadata.token_endpoint.clone()).map_err(|e| bad(&e))?)
                .set_redirect_uri(
                    RedirectUrl::new(self.redirect_url.clone()).map_err(|e| bad(&e))?,
                ),
        )
    }

    /// Builds the authorization request: PKCE (S256), `state` and `nonce`.
    pub async fn authorization_request(
        &self,
        http: &reqwest::Client,
    ) -> ApiResult<AuthorizationRequest> {
        let metadata = self.metadata(http).await?;
        let client = self.client(&metadata)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = super::tokens::random_token()?;
        let mut request = client
            .authorize_url(CsrfToken::new_random)
            .set_pkce_challenge(challenge)
            .add_extra_param("nonce", nonce.clone());
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state) = request.url();
        Ok(AuthorizationRequest {
            url: url.to_string(),
            state: state.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            nonce,
        })
    }

    /// Checks the RFC 9207 `iss` of an authorization response: required when the provider
    /// announces it, and always equal to this provider's issuer when present.
    pub async fn check_response_issuer(
        &self,
        http: &reqwest::Client,
        iss: Option<&str>,
    ) -> ApiResult<()> {
        let metadata = self.metadata(http).await?;
        match iss {
            Some(iss) if iss.trim_end_matches('/') == self.issuer() => Ok(()),
            Some(other) => Err(login_failed(format!(
                "the authorization response comes from issuer {other}, not from {}'s provider",
                self.country
            ))),
            None if metadata.authorization_response_iss_parameter_supported => Err(login_failed(
                "the authorization response lacks the `iss` parameter",
            )),
            None => Ok(()),
        }
    }

    /// Exchanges the code (with the PKCE verifier) for the provider's ID token and the access
    /// token that reads its UserInfo endpoint.
    pub async fn exchange_code(
        &self,
        http: &reqwest::Client,
        code: &str,
        verifier: &str,
    ) -> ApiResult<ProviderTokens> {
        let metadata = self.metadata(http).await?;
        let client = self.client(&metadata)?;
        let adapter = |request: oauth2::HttpRequest| send(http, request);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
            .request_async(&adapter)
            .await
            .map_err(|e| login_failed(format!("the provider refused the code: {e}")))?;
        let id_token = response
            .extra_fields()
            .id_token
            .clone()
            .ok_or_else(|| login_failed("the provider's token response has no ID token"))?;
        Ok(ProviderTokens {
            id_token,
            access_token: oauth2::TokenResponse::access_token(&response)
                .secret()
                .clone(),
        })
    }

    /// Validates an ID token: signature with a key from the provider's JWKS (refetched once
    /// for an unknown `kid`), an accepted asymmetric algorithm, `iss`, `aud`, `exp`, `iat`
    /// and `nonce`.
    pub async fn validate_id_token(
        &self,
        http: &reqwest::Client,
        token: &str,
        expected: &IdTokenExpectation<'_>,
    ) -> ApiResult<IdTokenClaims> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| login_failed(format!("malformed ID token header: {e}")))?;
        if !ACCEPTED_ALGORITHMS.contains(&header.alg) {
            return Err(login_failed(format!(
                "ID token algorithm {:?} is not accepted",
                header.alg
            )));
        }
        let metadata = self.metadata(http).await?;
        let announced = &metadata.id_token_signing_alg_values_supported;
        if !announced.is_empty() && !announced.iter().any(|a| format!("{:?}", header.alg) == *a) {
            return Err(login_failed(format!(
                "the provider does not sign with {:?}",
                header.alg
            )));
        }
        let jwk = self
            .key_for(http, &metadata, header.kid.as_deref(), header.alg)
            .await?;
        let key = DecodingKey::from_jwk(&jwk)
            .map_err(|e| login_failed(format!("unusable provider key: {e}")))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[self.issuer(), &format!("{}/", self.issuer())]);
        validation.set_audience(&[&self.config.client_id]);
        // Times are checked below against `expected.now`.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
        let claims = jsonwebtoken::decode::<IdTokenClaims>(token, &key, &validation)
            .map_err(|e| login_failed(format!("ID token refused: {e}")))?
            .claims;
        if claims.exp + expected.clock_skew_secs < expected.now {
            return Err(login_failed("ID token refused: expired"));
        }
        if claims.iat - expected.clock_skew_secs > expected.now {
            return Err(login_failed("ID token refused: issued in the future"));
        }
        if claims
            .azp
            .as_deref()
            .is_some_and(|azp| azp != self.config.client_id)
        {
            return Err(login_failed(
                "ID token refused: issued to another party (azp)",
            ));
        }
        if claims.nonce.as_deref() != Some(expected.nonce) {
            return Err(login_failed(
                "ID token refused: nonce does not match this login",
            ));
        }
        Ok(claims)
    }

    async fn key_for(
        &self,
        http: &reqwest::Client,
        metadata: &ProviderMetadata,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> ApiResult<Jwk> {
        let mut cache = self.keys.lock().await;
        if cache.keys.is_none() {
            cache.keys = Some(fetch_jwks(http, &metadata.jwks_uri).await?);
        }
        if let Some(jwk) = cache.keys.as_ref().and_then(|set| pick(set, kid, alg)) {
            return Ok(jwk);
        }
        // Unknown kid: the provider may have rotated its keys. Refetch once, but not more
        // often than the cooldown, so forged kids cannot make us flood the provider.
        let may_refetch = cache
            .last_refetch
            .is_none_or(|at| at.elapsed() >= self.refetch_cooldown);
        if may_refetch {
            cache.last_refetch = Some(Instant::now());
            cache.keys = Some(fetch_jwks(http, &metadata.jwks_uri).await?);
            tracing::info!(country = %self.country, kid, "refetched provider keys for an unknown key id");
            if let Some(jwk) = cache.keys.as_ref().and_then(|set| pick(set, kid, alg)) {
                return Ok(jwk);
            }
        }
        Err(login_failed(format!(
            "ID token signed with unknown key {}",
            kid.unwrap_or("(no kid)")
        )))
    }

    /// How many JWKS refetches an unknown kid may still cause now (for tests and metrics).
    pub async fn refetch_allowed(&self) -> bool {
        self.keys
            .lock()
            .await
            .last_refetch
            .is_none_or(|at| at.elapsed() >= self.refetch_cooldown)
    }
}

/// The key with this kid (or, with no kid, the only signing key) usable for `alg`.
fn pick(set: &JwkSet, kid: Option<&str>, alg: Algorithm) -> Option<Jwk> {
    let usable = |jwk: &&Jwk| {
        jwk.common
            .key_algorithm
            .is_none_or(|ka| format!("{ka:?}") == format!("{alg:?}"))
    };
    match kid {
        Some(kid) => set
            .keys
            .iter()
            .filter(usable)
            .find(|k| k.common.key_id.as_deref() == Some(kid))
            .cloned(),
        None => {
            let candidates: Vec<&Jwk> = set.keys.iter().filter(usable).collect();
            (candidates.len() == 1).then(|| candidates[0].clone())
        }
    }
}

async fn fetch_jwks(http: &reqwest::Client, url: &str) -> ApiResult<JwkSet> {
    let fail = |e: &dyn std::fmt::Display| {
        ApiError::unavailable(
            "the identity provider's keys are unreachable",
            anyhow::anyhow!("JWKS {url}: {e}"),
        )
    };
    http.get(url)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| fail(&e))?
        .json()
        .await
        .map_err(|e| fail(&e))
}

/// Carries one oauth2 request over our reqwest client.
async fn send(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, reqwest::Error> {
    let request = reqwest::Request::try_from(request)?;
    let response = http.execute(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?.to_vec();
    let mut built = http::Response::new(body);
    *built.status_mut() = status;
    *built.headers_mut() = headers;
    Ok(built)
}

/// Every configured provider, by country.
pub struct Federation {
    pub http: reqwest::Client,
    providers: HashMap<Country, Arc<Provider>>,
}

impl Federation {
    pub fn new(config: &crate::config::Config) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let mut providers = HashMap::new();
        let cooldown = Duration::from_secs(config.identity.jwks_refetch_cooldown_secs);
        for provider in &config.identity.providers {
            let country: Country = provider
                .country
                .parse()
                .map_err(|e: String| anyhow::anyhow!("identity provider: {e}"))?;
            if providers.contains_key(&country) {
                anyhow::bail!("identity provider for {country} is configured twice");
            }
            let built = Provider::new(country, provider.clone(), &config.public_url, cooldown)?;
            providers.insert(country, Arc::new(built));
        }
        Ok(Self { http, providers })
    }

    /// The provider of `country`, or a 404 naming the configured ones.
    pub fn provider(&self, country: &str) -> ApiResult<Arc<Provider>> {
        let parsed: Country = country
            .parse()
            .map_err(|e: String| ApiError::new(ErrorCode::NotFound, e))?;
        self.providers.get(&parsed).cloned().ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("no identity provider is configured for {parsed}"),
            )
        })
    }
}
