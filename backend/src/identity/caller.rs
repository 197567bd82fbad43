//! Who is calling: read from `Authorization: Bearer` or the session cookie, verified, and
//! checked against the database (a revoked session or partner stops working at once).

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};

use super::domain::Role;
use super::tokens::TokenSubject;
use super::{partners, service};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

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
        let mut tokens = vec!["public".to_owned()];
        match super::policy::read_scope(self) {
            super::policy::ReadScope::All => {
                tokens.push(super::policy::ALL_ORGANISATIONS_TOKEN.to_owned())
            }
            super::policy::ReadScope::Organisations(orgs) => {
                tokens.extend(orgs.iter().map(|org| format!("org:{org}")))
            }
        }
        if let Ok(orgs) = super::policy::exchange_scope(self) {
            tokens.extend(orgs.iter().map(|org| super::policy::exchange_token(org)));
        }
        tokens
    }
}

/// The bearer token or, failing that, the access cookie.
fn presented_token(req: &HttpRequest) -> ApiResult<Option<String>> {
    if let Some(header) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let value = header.to_str().map_err(|_| {
            ApiError::new(ErrorCode::Unauthenticated, "malformed Authorization header")
        })?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    "use `Authorization: Bearer <token>`",
                )
            })?;
        return Ok(Some(token.trim().to_owned()));
    }
    Ok(req.cookie(ACCESS_COOKIE).map(|c| c.value().to_owned()))
}

/// Resolves a presented access token into a caller.
pub async fn resolve(state: &AppState, token: &str) -> ApiResult<Caller> {
    let claims = state
        .identity
        .verified_tokens
        .verify(&state.identity.keys, token)?;
    match claims.typ {
        TokenSubject::User => {
            let session_id = claims.sid.ok_or_else(|| {
                ApiError::new(ErrorCode::Unauthenticated, "user token without session")
            })?;
            let user_id = claims.sub;
            let user = crate::db::run(&state.db, move |conn| {
                service::session_user(conn, &session_id, &user_id)
            })
            .await?;
            Ok(Caller::User(user))
        }
        TokenSubject::Partner => {
            let partner = match state.identity.recent_partners.get(&claims.sub) {
                Some(partner) => partner,
                None => {
                    let partner_id = claims.sub;
                    let partner = crate::db::run(&state.db, move |conn| {
                        partners::active_partner(conn, &partner_id)
                    })
                    .await?;
                    state.identity.recent_partners.remember(&partner);
                    partner
                }
            };
            state
                .identity
                .limiter
                .check(&partner.id, partner.rate_limit_per_minute)?;
            let granted: BTreeSet<String> = claims
                .scope
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            // A token cannot carry more than the partner holds now (scopes may be narrowed).
            let held: BTreeSet<String> = partner
                .scopes
                .split_whitespace()
                .map(str::to_owned)
                .collect();
            Ok(Caller::Partner(PartnerCaller {
                id: partner.id,
                client_id: partner.client_id,
                organisation_id: partner.organisation_id,
                scopes: granted.intersection(&held).cloned().collect(),
            }))
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = presented_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let Some(token) = token? else {
                return Ok(Caller::Anonymous);
            };
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no AppState")))?;
            resolve(&state, &token).await
        })
    }
}
