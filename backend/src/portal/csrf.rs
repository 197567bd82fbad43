//! Cross-site request forgery defence for the portal's forms, two checks of which both must
//! pass before a form changes anything:
//! - **Origin**: a browser names the page a POST comes from; it must be this site (the
//!   configured public URL, or the host the request was sent to). A POST that names no origin
//!   must at least not be marked cross-site by `Sec-Fetch-Site`.
//! - **Token** (signed double-submit): every form carries a token derived from the session
//!   cookie by a one-way hash. The cookie is `HttpOnly`, so a page of another site can neither
//!   read it nor compute the token; a form without the session's token is refused.

use actix_web::HttpRequest;
use actix_web::http::header;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::identity::caller::ACCESS_COOKIE;
use crate::state::AppState;

/// The form field carrying the token.
pub const FIELD: &str = "csrf";

/// The token for forms shown to this request's browser session; `None` without a session
/// cookie (no form that needs one is shown then).
pub fn token(req: &HttpRequest) -> Option<String> {
    let cookie = req.cookie(ACCESS_COOKIE)?;
    let digest = Sha256::new()
        .chain_update(b"silkbridge portal form token\0")
        .chain_update(cookie.value().as_bytes())
        .finalize();
    Some(hex::encode(&digest[..20]))
}

/// `scheme://host[:port]` of a URL, as browsers write `Origin`.
fn origin_of(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    Some(url.origin().ascii_serialization())
}

/// Whether the request's `Origin` (or, without one, `Sec-Fetch-Site`) says it comes from a
/// page of this site.
fn same_origin(state: &AppState, req: &HttpRequest) -> bool {
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
    let Some(expected) = token(req) else {
        return false;
    };
    same_origin(state, req) && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}
