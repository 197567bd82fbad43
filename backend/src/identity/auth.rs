//! People signing in through their country's provider, and the life of silkbridge's tokens:
//! login, callback, refresh (rotated, reuse revokes the session), logout, and the partners'
//! client_credentials grant.

use serde::{Deserialize, Serialize};
use silkbridge_schema::models::{LoginAttempt, RefreshToken, Session, UserIdentity};
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;

use super::caller::Caller;
use super::domain::Country;
use super::input::NewUserInput;
use super::oidc::{IdTokenClaims, IdTokenExpectation};
use super::partners;
use super::refresh_seal;
use super::rules;
pub use super::session_limits::SessionLimits;
use super::store;
use super::tokens::{TokenSubject, hash_secret, random_token};
use crate::changes;
use crate::db;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

/// Tokens handed to a client (RFC 6749 section 5.1 shape).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Where to send the browser to log in.
pub struct LoginStart {
    pub provider_url: String,
    pub state: String,
}

/// Only a path on this site, so the login cannot be turned into an open redirect. Checked the
/// way a browser reads a `Location`: the WHATWG URL parser drops tabs and line breaks and
/// treats `\` as `/`, so `/\t/evil.example/` would become `//evil.example/`. Control
/// characters and backslashes are refused outright, and the path must resolve to this origin.
pub fn safe_return_to(return_to: Option<&str>) -> ApiResult<String> {
    let path = return_to.unwrap_or("/");
    let same_origin = || {
        let base = url::Url::parse("https://return-to.invalid/").ok()?;
        let resolved = base.join(path).ok()?;
        (resolved.origin() == base.origin()).then_some(())
    };
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace())
        && same_origin().is_some();
    if !local || path.len() > 2000 {
        return Err(ApiError::invalid_parameter(
            "return_to must be a path on this site, like /api/v1/me",
        ));
    }
    Ok(path.to_owned())
}

pub async fn start_login(
    state: &AppState,
    country: &str,
    return_to: Option<&str>,
) -> ApiResult<LoginStart> {
    let return_to = safe_return_to(return_to)?;
    let provider = state.identity.federation.provider(country)?;
    let request = provider
        .authorization_request(&state.identity.federation.http)
        .await?;
    let attempt = LoginAttempt {
        state: request.state.clone(),
        country: provider.country.as_str().to_owned(),
        pkce_verifier: request.pkce_verifier,
        nonce: request.nonce,
        return_to,
        created_at: ids::now(),
    };
    let expired_before =
        ids::now() - chrono::Duration::seconds(ttl(state.config.identity.login_ttl_secs));
    db::run(&state.db, move |conn| {
        store::delete_login_attempts_before(conn, expired_before)?;
        Ok(store::insert_login_attempt(conn, &attempt)?)
    })
    .await?;
    Ok(LoginStart {
        provider_url: request.url,
        state: request.state,
    })
}

/// What the provider sends back to the callback.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    /// RFC 9207 issuer identifier.
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A finished login: the tokens, and where the browser wanted to go.
pub struct LoginDone {
    pub tokens: TokenResponse,
    pub return_to: String,
    pub user_id: String,
}

fn ttl(secs: u64) -> i64 {
    i64::try_from(secs).unwrap_or(i64::MAX / 2)
}

fn failed(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::LoginFailed, detail)
}

pub async fn finish_login(
    state: &AppState,
    country: &str,
    params: CallbackParams,
    browser_state: Option<String>,
) -> ApiResult<LoginDone> {
    let provider = state.identity.federation.provider(country)?;
    let http = &state.identity.federation.http;
    if let Some(error) = &params.error {
        return Err(failed(format!(
            "the provider refused the login: {error} {}",
            params.error_description.as_deref().unwrap_or_default()
        )));
    }
    let returned_state = params
        .state
        .clone()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| failed("the callback has no state"))?;
    // The state is bound to the browser that started the login (login CSRF).
    if browser_state.as_deref() != Some(returned_state.as_str()) {
        return Err(failed("the state does not belong to this browser's login"));
    }
    let taken_state = returned_state.clone();
    let attempt = db::run(&state.db, move |conn| {
        Ok(store::take_login_attempt(conn, &taken_state)?)
    })
    .await?
    .ok_or_else(|| failed("unknown or already used state"))?;
    if attempt.country != provider.country.as_str() {
        return Err(failed(
            "this login was started for another country's provider",
        ));
    }
    let age = ids::now() - attempt.created_at;
    if age.num_seconds() > ttl(state.config.identity.login_ttl_secs) {
        return Err(failed("the login took too long; start again"));
    }
    provider
        .check_response_issuer(http, params.iss.as_deref())
        .await?;
    let code = params
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| failed("the callback has no code"))?;
    let provider_tokens = provider
        .exchange_code(http, &code, &attempt.pkce_verifier)
        .await?;
    let mut claims = provider
        .validate_id_token(
            http,
            &provider_tokens.id_token,
            &IdTokenExpectation {
                nonce: &attempt.nonce,
                now: chrono::Utc::now().timestamp(),
                clock_skew_secs: ttl(state.config.identity.clock_skew_secs),
            },
        )
        .await?;
    provider
        .merge_userinfo(http, &provider_tokens.access_token, &mut claims)
        .await?;
    let mapping = provider.config.claims.clone();
    let country = provider.country;
    let refresh_ttl = ttl(state.config.identity.refresh_token_ttl_secs);
    let (user_id, session_id, refresh_token) = state.write( move |conn| {
        let user_id = provision(conn, country, &claims, &mapping)?;
        let (session_id, refresh_token) = open_session(conn, &user_id, refresh_ttl)?;
        changes::audit(conn, &format!("user:{user_id}"), "auth.sign_in", &format!("user:{user_id}"), serde_json::json!({"issuer": claims.iss, "country": country.as_str(), "session": session_id}))?;
        Ok((user_id, session_id, refresh_token))
    })
    .await?;
    let tokens = user_tokens(state, &user_id, &session_id, Some(refresh_token))?;
    Ok(LoginDone {
        tokens,
        return_to: attempt.return_to,
        user_id,
    })
}

/// Finds the user behind (issuer, subject), creating them on first login.
fn provision(
    conn: &mut DbConnection,
    country: Country,
    claims: &IdTokenClaims,
    mapping: &super::config::ClaimMapping,
) -> ApiResult<String> {
    let person_id = mapping
        .person_id
        .as_deref()
        .and_then(|name| claims.text(name));
    let now = ids::now();
    let name = claims
        .text(&mapping.name)
        .map(|name| name.chars().take(200).collect::<String>());
    let email = claims.text(&mapping.email).filter(|e| e.contains('@'));
    if let Some(identity) = store::identity_by_subject(conn, &claims.iss, &claims.sub)? {
        store::touch_identity(conn, &claims.iss, &claims.sub, person_id.as_deref(), now)?;
        store::update_user_profile(
            conn,
            &identity.user_id,
            name.as_deref(),
            email.as_deref(),
            now,
        )?;
        return Ok(identity.user_id);
    }
    let display_name = name.unwrap_or_else(|| format!("{country} user"));
    let user = rules::create_user(
        conn,
        NewUserInput {
            display_name,
            email,
            country: Some(country),
            is_platform_admin: false,
        },
    )?;
    store::insert_identity(
        conn,
        &UserIdentity {
            issuer: claims.iss.clone(),
            subject: claims.sub.clone(),
            user_id: user.id.clone(),
            country: country.as_str().to_owned(),
            person_id,
            created_at: now,
            last_login_at: now,
        },
    )?;
    Ok(user.id)
}

pub(super) fn open_session(
    conn: &mut DbConnection,
    user_id: &str,
    refresh_ttl: i64,
) -> ApiResult<(String, String)> {
    let now = ids::now();
    let session = Session {
        id: ids::new_id(),
        user_id: user_id.to_owned(),
        created_at: now,
        last_refreshed_at: now,
        revoked_at: None,
        revoked_reason: None,
    };
    store::insert_session(conn, &session)?;
    let refresh_token = new_refresh_token(conn, &session.id, refresh_ttl)?;
    Ok((session.id, refresh_token))
}

fn new_refresh_token(
    conn: &mut DbConnection,
    session_id: &str,
    refresh_ttl: i64,
) -> ApiResult<String> {
    let token = random_token()?;
    let now = ids::now();
    store::insert_refresh_token(
        conn,
        &RefreshToken {
            token_hash: hash_secret(&token),
            session_id: session_id.to_owned(),
            expires_at: now + chrono::Duration::seconds(refresh_ttl),
            used_at: None,
            created_at: now,
            successor_sealed: None,
        },
    )?;
    Ok(token)
}

pub(super) fn user_tokens(
    state: &AppState,
    user_id: &str,
    session_id: &str,
    refresh_token: Option<String>,
) -> ApiResult<TokenResponse> {
    let keys = &state.identity.keys;
    let ttl_secs = state.config.identity.access_token_ttl_secs;
    let mut claims = keys.claims(TokenSubject::User, user_id, ttl_secs);
    claims.sid = Some(session_id.to_owned());
    Ok(TokenResponse {
        access_token: keys.sign(&claims)?,
        token_type: "Bearer",
        expires_in: ttl_secs,
        refresh_token,
        scope: None,
    })
}

/// Exchanges a refresh token for new tokens. Each refresh token works once; presenting a
/// used one means it was stolen or replayed, so the whole session is revoked — except within
/// `identity.refresh_grace_secs` of its use (two tabs, or a retry after a lost
/// response, refreshing at once are a benign race, not a theft), when it yields the same successor again.
pub async fn refresh(state: &AppState, refresh_token: &str) -> ApiResult<TokenResponse> {
    let presented = refresh_token.to_owned();
    let refresh_ttl = ttl(state.config.identity.refresh_token_ttl_secs);
    let grace = ttl(state.config.identity.refresh_grace_secs);
    let limits = SessionLimits::of(state);
    let outcome = state
        .write(move |conn| rotate_refresh_token(conn, &presented, refresh_ttl, grace, limits))
        .await?;
    // A reuse revokes the session (committed above) and then refuses.
    let (user_id, session_id, next) = outcome?;
    user_tokens(state, &user_id, &session_id, Some(next))
}

/// The refresh step in one transaction: `Ok(Err(_))` is a refusal whose writes (a revoked
/// session, its audit entry) must still commit.
fn rotate_refresh_token(
    conn: &mut DbConnection,
    presented: &str,
    refresh_ttl: i64,
    grace_secs: i64,
    limits: SessionLimits,
) -> ApiResult<ApiResult<(String, String, String)>> {
    let hash = hash_secret(presented);
    let invalid = || ApiError::new(ErrorCode::Unauthenticated, "invalid refresh token");
    let Some(mut row) = store::refresh_token_by_hash(conn, &hash)? else {
        return Ok(Err(invalid()));
    };
    let Some(session) = store::session_by_id(conn, &row.session_id)? else {
        return Ok(Err(invalid()));
    };
    let now = ids::now();
    if session.revoked_at.is_some() || row.expires_at < now {
        return Ok(Err(invalid()));
    }
    if let Some(reason) = limits.ended(&session, now) {
        store::revoke_session(conn, &session.id, reason, now)?;
        return Ok(Err(ApiError::new(
            ErrorCode::Unauthenticated,
            format!("the session ended ({reason}); sign in again"),
        )));
    }
    if row.used_at.is_none() {
        let next = random_token()?;
        let sealed = refresh_seal::seal(presented, &next)?;
        if store::mark_refresh_token_used(conn, &hash, now, &sealed)? {
            store::insert_refresh_token(
                conn,
                &RefreshToken {
                    token_hash: hash_secret(&next),
                    session_id: session.id.clone(),
                    expires_at: now + chrono::Duration::seconds(refresh_ttl),
                    used_at: None,
                    created_at: now,
                    successor_sealed: None,
                },
            )?;
            store::touch_session(conn, &session.id, now)?;
            return Ok(Ok((session.user_id, session.id, next)));
        }
        // Another request used it between our read and our write (PostgreSQL): read what
        // it left.
        row = store::refresh_token_by_hash(conn, &hash)?.ok_or_else(invalid)?;
    }
    let within_grace = row
        .used_at
        .is_some_and(|used| now - used < chrono::Duration::seconds(grace_secs));
    if within_grace
        && let Some(next) = row
            .successor_sealed
            .as_deref()
            .and_then(|sealed| refresh_seal::open(presented, sealed))
    {
        return Ok(Ok((session.user_id, session.id, next)));
    }
    store::revoke_session(conn, &session.id, "refresh token reused", now)?;
    changes::audit(
        conn,
        &format!("user:{}", session.user_id),
        "auth.refresh_reuse",
        &format!("session:{}", session.id),
        serde_json::json!({}),
    )?;
    Ok(Err(ApiError::new(
        ErrorCode::Unauthenticated,
        "this refresh token was already used; the session has been revoked",
    )))
}

/// Ends the caller's session (or the one a refresh token belongs to).
pub async fn logout(
    state: &AppState,
    caller: &Caller,
    refresh_token: Option<&str>,
) -> ApiResult<()> {
    let by_token = refresh_token.map(hash_secret);
    let by_caller = match caller {
        Caller::User(user) => Some(user.session_id.clone()),
        _ => None,
    };
    state
        .write(move |conn| {
            let mut session_id = by_caller;
            if session_id.is_none()
                && let Some(hash) = &by_token
            {
                session_id = store::refresh_token_by_hash(conn, hash)?.map(|row| row.session_id);
            }
            let Some(session_id) = session_id else {
                return Err(ApiError::new(
                    ErrorCode::Unauthenticated,
                    "no session to end",
                ));
            };
            let session = store::session_by_id(conn, &session_id)?
                .ok_or_else(|| ApiError::not_found("session"))?;
            if store::revoke_session(conn, &session_id, "logout", ids::now())? > 0 {
                changes::audit(
                    conn,
                    &format!("user:{}", session.user_id),
                    "auth.sign_out",
                    &format!("session:{session_id}"),
                    serde_json::json!({}),
                )?;
            }
            Ok(())
        })
        .await
}

/// The form of a token request (RFC 6749 4.4).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub refresh_token: Option<String>,
}

/// The token endpoint: `client_credentials` for partners, `refresh_token` for people.
/// Client credentials come from HTTP Basic or the form.
pub async fn token_endpoint(
    state: &AppState,
    form: TokenRequest,
    basic: Option<(String, String)>,
) -> ApiResult<TokenResponse> {
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        Some("refresh_token") => {
            let token = form.refresh_token.ok_or_else(|| {
                ApiError::new(ErrorCode::InvalidGrant, "refresh_token is required")
                    .oauth("invalid_request")
            })?;
            return refresh(state, &token).await.map_err(|e| {
                if e.code == ErrorCode::Unauthenticated {
                    e.with_code(ErrorCode::InvalidGrant).oauth("invalid_grant")
                } else {
                    e
                }
            });
        }
        Some(other) => {
            return Err(ApiError::new(
                ErrorCode::InvalidGrant,
                format!("grant type `{other}` is not supported"),
            )
            .oauth("unsupported_grant_type"));
        }
        None => {
            return Err(
                ApiError::new(ErrorCode::InvalidGrant, "grant_type is required")
                    .oauth("invalid_request"),
            );
        }
    }
    let (client_id, secret) = match (basic, form.client_id, form.client_secret) {
        (Some(pair), _, _) => pair,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => {
            return Err(ApiError::new(
                ErrorCode::InvalidClient,
                "client authentication is required",
            ));
        }
    };
    let requested = form.scope;
    let (partner, scope) = db::run(&state.db, move |conn| {
        let partner = partners::authenticate(conn, &client_id, &secret)?;
        let scope = partners::grant_scopes(&partner, requested.as_deref())?;
        Ok((partner, scope))
    })
    .await?;
    // Charged before anything is written: a partner over its rate gets no audit entries.
    state
        .identity
        .limiter
        .charge(&state.db, &partner.id, partner.rate_limit_per_minute, 1)
        .await?;
    let (audited, audited_scope) = (partner.id.clone(), scope.clone());
    state
        .write(move |conn| {
            changes::audit(
                conn,
                &format!("partner:{audited}"),
                "auth.token_issued",
                &format!("partner:{audited}"),
                serde_json::json!({"scope": audited_scope}),
            )
        })
        .await?;
    let keys = &state.identity.keys;
    let ttl_secs = state.config.identity.access_token_ttl_secs;
    let mut claims = keys.claims(TokenSubject::Partner, &partner.id, ttl_secs);
    claims.scope = Some(scope.clone());
    claims.cred = Some(partners::credential_tag(&partner));
    Ok(TokenResponse {
        access_token: keys.sign(&claims)?,
        token_type: "Bearer",
        expires_in: ttl_secs,
        refresh_token: None,
        scope: Some(scope),
    })
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn return_to_is_a_path_on_this_site_as_a_browser_reads_it() {
        for good in [
            None,
            Some("/"),
            Some("/api/v1/me"),
            Some("/search?q=a%20b#top"),
        ] {
            assert!(safe_return_to(good).is_ok(), "{good:?}");
        }
        for bad in [
            "//evil.example/",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r\n/evil.example",
            "\t//evil.example/",
            " //evil.example/",
            "/\\evil.example/",
            "\\\\evil.example",
            "https://evil.example/",
            "evil.example",
            "/\u{0}/evil.example",
            "/\u{85}/evil.example",
        ] {
            assert!(safe_return_to(Some(bad)).is_err(), "{bad:?}");
        }
    }
}
