//! Cross-site request forgery defence for the portal's forms, two checks of which both must
//! pass before a form changes anything:
//! - **Origin**: a browser names the page a POST comes from; it must be this site (the
//!   configured public URL, or the host the request was sent to). A POST that names no origin
//!   must at least not be marked cross-site by `Sec-Fetch-Site`.
//! - **Token** (synchroniser token without server state): every form carries an HMAC of the
//!   browser's session id under a key derived from the platform's signing key (so every
//!   node computes the same token). Another site can neither read the `HttpOnly` session
//!   cookie nor compute the token without the key; a form without this session's token is
//!   refused. Bound to the session rather than to the cookie's value, a form stays valid when
//!   the access token in the cookie is renewed, and dies with the session.

use actix_web::HttpRequest;
use actix_web::http::header;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::state::AppState;

/// The form field carrying the token.
pub const FIELD: &str = "csrf";

/// The token for forms shown to this request's browser session; `None` without a valid
/// session cookie (no form that needs one is shown then).
pub fn token(state: &AppState, req: &HttpRequest) -> Option<String> {
    let (session_id, _) = super::session::peek(state, req)?;
    for_session(state, &session_id)
}

fn for_session(state: &AppState, session_id: &str) -> Option<String> {
    let key = state.identity.keys.derived_secret();
    // HMAC takes keys of any length: this never fails, and if it did no form would pass.
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(b"silkbridge portal form token\0");
    mac.update(session_id.as_bytes());
    Some(hex::encode(&mac.finalize().into_bytes()[..20]))
}

/// `scheme://host[:port]` of a URL, as browsers write `Origin`.
fn origin_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    Some(url.origin().ascii_serialization())
}

/// Whether the request's `Origin` (or, without one, `Sec-Fetch-Site`) says it comes from a
/// page of this site.
pub fn same_origin(state: &AppState, req: &HttpRequest) -> bool {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    match header(header::ORIGIN) {
        Some(origin) => {
            let info = req.connection_info();
            let own = format!("{}://{}", info.scheme(), info.host());
            origin_of(&state.config.public_url).as_deref() == Some(origin)
                || origin_of(&own).as_deref() == Some(origin)
        }
        None => header(actix_web::http::header::HeaderName::from_static(
            "sec-fetch-site",
        ))
        .is_none_or(|site| site == "same-origin" || site == "none"),
    }
}

/// Whether a form POST may act: from this site, with this session's token.
pub fn verify(state: &AppState, req: &HttpRequest, presented: &str) -> bool {
    let Some(expected) = token(state, req) else {
        return false;
    };
    same_origin(state, req) && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}
