//! A browser's session as the portal sees it. The session is the API's own (the `sb_access`
//! cookie holding a short-lived access token, the `sb_refresh` cookie sent only to `/auth`),
//! so a page can never do what the API would refuse; the portal adds only what a browser
//! without JavaScript needs:
//! - [`Visitor`], an extractor that never fails: a missing, expired or revoked session is an
//!   anonymous visitor (public pages stay readable), and workspace pages send such a browser
//!   through [`resume`];
//! - `GET /auth/resume?return_to=…`, which turns the refresh cookie into new session cookies
//!   and returns the browser to the page it wanted, or to the sign-in page when the session
//!   is over (idle or absolute timeout, sign-out, revocation).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::locale::Locale;
use crate::identity::caller::{ACCESS_COOKIE, Caller, UserCaller};
use crate::identity::{auth, authenticate, rest_auth};
use crate::state::AppState;

/// A workspace page is reached through `/auth/resume` first when its access token has less
/// than this left, so that a form filled in on it is not refused for an expired token.
const RENEW_BEFORE_SECS: i64 = 300;

/// Who is visiting: the caller of the session cookie, or anonymous.
pub struct Visitor {
    pub caller: Caller,
    /// The session id and its access token's expiry, for a signed-in person.
    pub session: Option<(String, i64)>,
}

impl Visitor {
    /// The signed-in person, if the session is alive.
    pub fn user(&self) -> Option<&UserCaller> {
        match &self.caller {
            Caller::User(user) => Some(user),
            _ => None,
        }
    }

    /// The signed-in person for a workspace page, whose access token will not expire while
    /// they fill in a form on it. `None`: send the browser through [`resume_redirect`].
    pub fn require(&self) -> Option<&UserCaller> {
        let fresh = self
            .session
            .as_ref()
            .is_some_and(|(_, exp)| exp - chrono::Utc::now().timestamp() > RENEW_BEFORE_SECS);
        self.user().filter(|_| fresh)
    }
}

/// The session id and expiry of a valid (signature, audience, expiry) user access token in
/// the cookie; no database read, so cheap enough for every page's header.
pub fn peek(state: &AppState, req: &HttpRequest) -> Option<(String, i64)> {
    let token = req.cookie(ACCESS_COOKIE)?;
    let claims = state
        .identity
        .verified_tokens
        .verify(&state.identity.keys, token.value())
        .ok()?;
    Some((claims.sid?, claims.exp))
}

impl FromRequest for Visitor {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req.cookie(ACCESS_COOKIE).map(|c| c.value().to_owned());
        let session = state.as_ref().and_then(|s| peek(s, req));
        Box::pin(async move {
            let anonymous = Visitor {
                caller: Caller::Anonymous,
                session: None,
            };
            let (Some(state), Some(token), Some(session)) = (state, token, session) else {
                return Ok(anonymous);
            };
            // The session is checked in the database, as for every API call: a revoked
            // or timed-out one is an anonymous visitor.
            Ok(match authenticate::resolve(&state, &token).await {
                Ok(caller @ Caller::User(_)) => Visitor {
                    caller,
                    session: Some(session),
                },
                _ => anonymous,
            })
        })
    }
}

/// `303` to `/auth/resume`, coming back to this request's page.
pub fn resume_redirect(req: &HttpRequest) -> HttpResponse {
    let here = match req.query_string() {
        "" => req.path().to_owned(),
        query => format!("{}?{query}", req.path()),
    };
    HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/auth/resume?return_to={}", encode(&here)),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[derive(Debug, Deserialize)]
pub struct ResumeParams {
    pub return_to: Option<String>,
}

/// `GET /auth/resume`: new session cookies from the refresh cookie, then back to
/// `return_to` (a path of this site); without a live session, the sign-in page in the
/// locale `return_to` is in, which signs the person in and returns there.
pub async fn resume(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<ResumeParams>,
) -> HttpResponse {
    let return_to =
        auth::safe_return_to(params.return_to.as_deref()).unwrap_or_else(|_| "/".into());
    let refresh = req
        .cookie(rest_auth::REFRESH_COOKIE)
        .map(|c| c.value().to_owned());
    let mut response = HttpResponse::SeeOther();
    response.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(refresh) = refresh
        && let Ok(tokens) = auth::refresh(&state, &refresh).await
    {
        for cookie in rest_auth::session_cookies(&state, &tokens) {
            response.cookie(cookie);
        }
        return response
            .insert_header((header::LOCATION, return_to))
            .finish();
    }
    let locale = return_to
        .split('/')
        .nth(1)
        .and_then(Locale::from_tag)
        .unwrap_or_else(|| {
            Locale::negotiate(
                req.headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            )
        });
    for removal in rest_auth::cleared_session_cookies(&state) {
        response.cookie(removal);
    }
    response
        .insert_header((
            header::LOCATION,
            format!("/{}/sign-in?return_to={}", locale.tag(), encode(&return_to)),
        ))
        .finish()
}
