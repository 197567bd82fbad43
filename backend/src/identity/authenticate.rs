//! Finding the caller of a request: the bearer token or, failing that, the session cookie,
//! verified and checked against the database (a revoked session or partner stops working at
//! once). Two ways in, one resolution:
//! - the `authenticate` middleware, for every operation the contract marks as needing
//!   credentials (`security` in the OpenAPI document): the caller is known, or the request is
//!   refused with 401, **before** any extractor reads or validates the body, so an anonymous
//!   caller learns nothing of an operation's input schema;
//! - the `Caller` extractor, which takes the caller the middleware found, or resolves it for
//!   operations that anyone may call.

use std::collections::{BTreeSet, HashSet};
use std::future::Future;
use std::pin::Pin;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, web};

use super::caller::{ACCESS_COOKIE, Caller, PartnerCaller};
use super::partners;
use super::tokens::TokenSubject;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

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

/// Resolves a presented access token into a caller. A partner's call is charged to its rate
/// limit here, once per request (GraphQL charges a batch's further operations itself).
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
            let opened_after = crate::identity::auth::SessionLimits::of(state)
                .opened_after(silkbridge_schema::ids::now());
            let user = crate::db::run(&state.db, move |conn| {
                crate::identity::rules::session_user(conn, &session_id, &user_id, opened_after)
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
            if claims.cred.as_deref() != Some(partners::credential_tag(&partner).as_str()) {
                return Err(ApiError::new(
                    ErrorCode::Unauthenticated,
                    "this token was issued before the partner's secret was rotated",
                ));
            }
            state
                .identity
                .limiter
                .charge(&state.db, &partner.id, partner.rate_limit_per_minute, 1)
                .await?;
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
                rate_limit_per_minute: partner.rate_limit_per_minute,
            }))
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let known = req.extensions().get::<Caller>().cloned();
        let token = presented_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            if let Some(caller) = known {
                return Ok(caller);
            }
            let Some(token) = token? else {
                return Ok(Caller::Anonymous);
            };
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no AppState")))?;
            resolve(&state, &token).await
        })
    }
}

/// The operations that need credentials, by method and route pattern, read from the OpenAPI
/// document: an operation whose `security` names a scheme (and offers no anonymous
/// alternative) needs them. The contract and the gate cannot drift apart.
#[derive(Debug, Default, Clone)]
pub struct ProtectedRoutes(HashSet<(String, String)>);

impl ProtectedRoutes {
    /// From the serialised OpenAPI document.
    pub fn from_openapi(document: &serde_json::Value) -> Self {
        let mut protected = HashSet::new();
        let Some(paths) = document["paths"].as_object() else {
            return Self(protected);
        };
        for (path, item) in paths {
            let Some(operations) = item.as_object() else {
                continue;
            };
            for (method, operation) in operations {
                let Some(requirements) = operation["security"].as_array() else {
                    continue;
                };
                let anonymous_allowed = requirements
                    .iter()
                    .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
                if !requirements.is_empty() && !anonymous_allowed {
                    protected.insert((method.to_ascii_uppercase(), shape_of(path)));
                }
            }
        }
        Self(protected)
    }

    /// Whether `method` on the route `pattern` needs credentials.
    pub fn contains(&self, method: &str, pattern: &str) -> bool {
        self.0.contains(&(method.to_owned(), shape_of(pattern)))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A route pattern with its parameters unnamed (`/a/{id}/b` → `/a/{}/b`): two resources of
/// one path may name a parameter differently, and either may be the one a path matches first.
fn shape_of(pattern: &str) -> String {
    let mut shape = String::with_capacity(pattern.len());
    let mut depth = 0usize;
    for c in pattern.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    shape.push_str("{}");
                }
                depth += 1;
            }
            '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => shape.push(c),
            _ => {}
        }
    }
    shape
}

/// Refuses an operation that needs credentials with 401 before its handler reads anything,
/// and hands the caller it found to the `Caller` extractor.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let protected = req
        .app_data::<web::Data<ProtectedRoutes>>()
        .zip(req.match_pattern())
        .is_some_and(|(routes, pattern)| routes.contains(req.method().as_str(), &pattern));
    if !protected {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let found = match (presented_token(req.request()), state) {
        (Err(error), _) => Err(error),
        (Ok(None), _) => Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "this operation needs a signed-in person or a partner token",
        )),
        (Ok(Some(token)), Some(state)) => resolve(&state, &token).await,
        (Ok(Some(_)), None) => Err(ApiError::internal(anyhow::anyhow!("no AppState"))),
    };
    match found {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body)
        }
        Err(error) => Ok(req.error_response(error).map_into_boxed_body()),
    }
}
