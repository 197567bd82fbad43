//! The portal's one stylesheet, embedded in the binary and served under a name that carries
//! its hash, so browsers may keep it for a year and still never use a stale copy.

use std::sync::OnceLock;

use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

const STYLESHEET: &str = include_str!("../../assets/portal.css");

/// The stylesheet's path (`/assets/portal.<hash>.css`).
pub fn stylesheet_path() -> &'static str {
    static PATH: OnceLock<String> = OnceLock::new();
    PATH.get_or_init(|| {
        let digest = hex::encode(Sha256::digest(STYLESHEET.as_bytes()));
        format!("/assets/portal.{}.css", &digest[..12])
    })
}

/// `GET /assets/{file}`: the stylesheet under its current name; anything else is 404.
pub async fn serve(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    if format!("/assets/{}", file.as_str()) != stylesheet_path() {
        return Err(ApiError::not_found(format_args!("asset `{file}`")));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("cache-control", "public, max-age=31536000, immutable"))
        .body(STYLESHEET))
}
