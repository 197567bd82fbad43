//! The login and token endpoints (outside `/api/v1`, where OAuth2 and OIDC clients expect
//! them), and silkbridge's public keys.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::{self, CallbackParams, TokenRequest, TokenResponse};
use super::caller::{ACCESS_COOKIE, Caller};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::state::AppState;

/// Carries the login's state from `/login` to `/callback` in the same browser.
const LOGIN_COOKIE: &str = "sb_login";
/// Carries a browser's refresh token; sent only to `/auth`.
pub(crate) const REFRESH_COOKIE: &str = "sb_refresh";

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(start_login)
        .service(login_callback)
        .service(refresh_tokens)
        .service(end_session)
        .service(token_endpoint)
        .service(public_keys);
}

fn cookie(
    state: &AppState,
    name: &'static str,
    value: String,
    path: &'static str,
    max_age_secs: u64,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path(path)
        .http_only(true)
        .secure(state.config.secure_cookies())
        .same_site(SameSite::Lax)
        .max_age(CookieDuration::seconds(
            i64::try_from(max_age_secs).unwrap_or(i64::MAX),
        ))
        .finish()
}

fn expired_cookie(state: &AppState, name: &'static str, path: &'static str) -> Cookie<'static> {
    let mut c = cookie(state, name, String::new(), path, 0);
    c.make_removal();
    c
}

/// The cookies of a browser session holding `tokens` (the portal's sign-ins set them too).
pub(crate) fn session_cookies(state: &AppState, tokens: &TokenResponse) -> Vec<Cookie<'static>> {
    let identity = &state.config.identity;
    let mut cookies = vec![cookie(
        state,
        ACCESS_COOKIE,
        tokens.access_token.clone(),
        "/",
        identity.access_token_ttl_secs,
    )];
    if let Some(refresh) = &tokens.refresh_token {
        cookies.push(cookie(
            state,
            REFRESH_COOKIE,
            refresh.clone(),
            "/auth",
            identity.refresh_token_ttl_secs,
        ));
    }
    cookies
}

/// Removals of both session cookies (sign-out, or a session found ended).
pub(crate) fn cleared_session_cookies(state: &AppState) -> [Cookie<'static>; 2] {
    [
        expired_cookie(state, ACCESS_COOKIE, "/"),
        expired_cookie(state, REFRESH_COOKIE, "/auth"),
    ]
}

/// Where to go after login.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginParams {
    /// A path on this site to return to (default `/`).
    pub return_to: Option<String>,
}

/// Starts a login at the country's identity provider (authorization code with PKCE).
#[utoipa::path(
    tag = "auth",
    params(("country" = String, Path, description = "UZ or AZ"), LoginParams),
    responses(
        (status = 302, description = "to the provider's login page"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "no provider for this country")
    )
)]
#[get("/auth/{country}/login")]
pub async fn start_login(
    state: web::Data<AppState>,
    country: web::Path<String>,
    params: web::Query<LoginParams>,
) -> ApiResult<HttpResponse> {
    let started = auth::start_login(&state, &country, params.return_to.as_deref()).await?;
    let login_cookie = cookie(
        &state,
        LOGIN_COOKIE,
        started.state,
        "/auth",
        state.config.identity.login_ttl_secs,
    );
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, started.provider_url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(login_cookie)
        .finish())
}

/// The provider's redirect back: checks state, issuer and ID token, signs the person in.
#[utoipa::path(
    tag = "auth",
    params(("country" = String, Path, description = "UZ or AZ"), CallbackParams),
    responses(
        (status = 303, description = "signed in: session cookies set, on to `return_to`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`login_failed`")
    )
)]
#[get("/auth/{country}/callback")]
pub async fn login_callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    country: web::Path<String>,
    params: web::Query<CallbackParams>,
) -> ApiResult<HttpResponse> {
    let browser_state = req.cookie(LOGIN_COOKIE).map(|c| c.value().to_owned());
    let done = auth::finish_login(&state, &country, params.into_inner(), browser_state).await?;
    let mut response = HttpResponse::SeeOther();
    response
        .insert_header((header::LOCATION, done.return_to.clone()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(expired_cookie(&state, LOGIN_COOKIE, "/auth"));
    for session_cookie in session_cookies(&state, &done.tokens) {
        response.cookie(session_cookie);
    }
    Ok(response.finish())
}

/// A refresh token in a JSON body (API clients); browsers send the cookie instead.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

fn token_response(state: &AppState, tokens: TokenResponse) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    for session_cookie in session_cookies(state, &tokens) {
        response.cookie(session_cookie);
    }
    response.json(tokens)
}

/// Exchanges a refresh token (body or cookie) for new tokens; the old one stops working.
#[utoipa::path(
    tag = "auth",
    request_body(content = RefreshRequest, description = "optional for browsers with the refresh cookie"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/auth/refresh")]
pub async fn refresh_tokens(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let from_body = if body.is_empty() {
        None
    } else {
        serde_json::from_slice::<RefreshRequest>(&body)
            .map_err(|e| ApiError::new(ErrorCode::MalformedJson, e.to_string()))?
            .refresh_token
    };
    let token = from_body
        .or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()))
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "no refresh token"))?;
    let tokens = auth::refresh(&state, &token).await?;
    Ok(token_response(&state, tokens))
}

/// Ends the session: its refresh tokens and access tokens stop working at once.
#[utoipa::path(
    tag = "auth",
    request_body(content = RefreshRequest, description = "optional: the session's refresh token"),
    responses((status = 204), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[post("/auth/logout")]
pub async fn end_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let from_body = serde_json::from_slice::<RefreshRequest>(&body)
        .ok()
        .and_then(|r| r.refresh_token);
    let token = from_body.or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()));
    auth::logout(&state, &caller, token.as_deref()).await?;
    let mut response = HttpResponse::NoContent();
    for removal in cleared_session_cookies(&state) {
        response.cookie(removal);
    }
    Ok(response.finish())
}

/// HTTP Basic client credentials, if sent.
fn basic_credentials(req: &HttpRequest) -> ApiResult<Option<(String, String)>> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = || ApiError::new(ErrorCode::InvalidClient, "malformed Basic credentials");
    let encoded = value
        .to_str()
        .map_err(|_| bad())?
        .strip_prefix("Basic ")
        .ok_or_else(bad)?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).map_err(|_| bad())?)
        .map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    // RFC 6749 2.3.1: both parts are form-urlencoded before Basic encoding.
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Ok(Some((
        unescape(id).ok_or_else(bad)?,
        unescape(secret).ok_or_else(bad)?,
    )))
}

/// OAuth2 token endpoint: `client_credentials` (partners) and `refresh_token`.
/// Errors carry RFC 6749's `error` member beside the usual problem fields.
#[utoipa::path(
    tag = "auth",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = Problem, description = "`invalid_request`, `invalid_scope`, `unsupported_grant_type`"),
        (status = 401, body = Problem, description = "`invalid_client`"),
        (status = 429, body = Problem, description = "rate limited; see Retry-After")
    )
)]
#[post("/oauth/token")]
pub async fn token_endpoint(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let form: TokenRequest = serde_urlencoded_form(&body)?;
    let tokens = auth::token_endpoint(&state, form, basic_credentials(&req)?).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(tokens))
}

fn serde_urlencoded_form(body: &[u8]) -> ApiResult<TokenRequest> {
    let mut form = TokenRequest::default();
    for (key, value) in url::form_urlencoded::parse(body) {
        let value = Some(value.into_owned());
        match key.as_ref() {
            "grant_type" => form.grant_type = value,
            "scope" => form.scope = value,
            "client_id" => form.client_id = value,
            "client_secret" => form.client_secret = value,
            "refresh_token" => form.refresh_token = value,
            _ => {}
        }
    }
    Ok(form)
}

/// The public key that verifies silkbridge's access tokens (JWK Set).
#[utoipa::path(tag = "auth", responses((status = 200, description = "JWK Set", body = Object)))]
#[get("/.well-known/jwks.json")]
pub async fn public_keys(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(state.identity.keys.jwks())
}
