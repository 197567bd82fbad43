//! The portal's pages, one file each, and what they share: the frame, rendering with the
//! portal's security headers, and error pages in the visitor's language.

pub mod administration;
pub mod application;
pub mod cases;
pub mod dataset;
pub mod dataset_forms;
pub mod document_forms;
pub mod documents;
pub mod editing;
pub mod enquiry;
pub mod home;
pub mod hub_desk;
pub mod imei;
pub mod invitation;
pub mod listing_forms;
pub mod marketplace;
pub mod moderation;
pub mod organisation;
pub mod programmes;
pub mod publication;
pub mod publishing;
pub mod search;
pub mod sign_in;
pub mod sitemap;
pub mod workspace;

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::assets;
use super::chrome::{Account, Page};
use super::i18n;
use super::locale::Locale;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// What portal pages may load: only this site's own stylesheet (and scripts, when there are
/// any); no inline script or style, no framing.
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// The locale of a request routed under `/{locale}/…` (the route admits only ours).
fn locale_of(req: &HttpRequest) -> Locale {
    req.match_info()
        .get("locale")
        .and_then(Locale::from_tag)
        .unwrap_or(Locale::Uz)
}

/// The frame of the page answering `req`, titled `title`.
fn frame(state: &AppState, req: &HttpRequest, title: String) -> Page {
    frame_in(state, req, locale_of(req), title)
}

/// The frame of a page in `locale` (for pages outside the `/{locale}/…` routes).
fn frame_in(state: &AppState, req: &HttpRequest, locale: Locale, title: String) -> Page {
    let path = req.path();
    let rest = path
        .strip_prefix(&format!("/{}", locale.tag()))
        .unwrap_or(path);
    let rest = match req.query_string() {
        "" => rest.to_owned(),
        query => format!("{rest}?{query}"),
    };
    let here = format!("/{}{rest}", locale.tag());
    let account = super::csrf::token(state, req).map(|csrf| Account {
        workspace: format!("/{}/workspace", locale.tag()),
        sign_out_action: format!("/{}/sign-out", locale.tag()),
        csrf_field: super::csrf::FIELD,
        csrf,
    });
    let anyone_can_sign_in =
        !state.config.identity.providers.is_empty() || state.config.demo_sign_in;
    let on_sign_in_page = rest.starts_with("/sign-in");
    let sign_in_page = (account.is_none() && anyone_can_sign_in && !on_sign_in_page).then(|| {
        format!(
            "/{}/sign-in?return_to={}",
            locale.tag(),
            url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>()
        )
    });
    Page {
        locale,
        canonical: format!("{}{here}", state.config.public_url.trim_end_matches('/')),
        rest,
        title,
        stylesheet: assets::stylesheet_path(),
        sign_in_page,
        account,
    }
}

/// A rendered page with the portal's headers.
fn render(status: StatusCode, template: &impl Template) -> HttpResponse {
    render_linked(status, template, &[])
}

/// A rendered page with FAIR Signposting `Link`s (`<url>; rel="cite-as"`, …), so machines
/// find the record's identifier, metadata and files from the landing page alone.
fn render_linked(status: StatusCode, template: &impl Template, links: &[String]) -> HttpResponse {
    match template.render() {
        Ok(body) => {
            let mut response = HttpResponse::build(status);
            response
                .content_type("text/html; charset=utf-8")
                .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
                .insert_header((header::VARY, "Cookie"));
            if !links.is_empty() {
                response.insert_header((header::LINK, links.join(", ")));
            }
            response.body(body)
        }
        Err(error) => {
            tracing::error!(%error, "a portal template failed to render");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("internal error")
        }
    }
}

#[derive(Template)]
#[template(path = "portal/error.html")]
struct ErrorPage {
    page: Page,
    heading: String,
    text: String,
}

/// The page for a service's refusal: 404 for what does not exist or is not the visitor's to
/// see (as the API answers), 429 with its wait, 500 for the rest (logged).
fn failure(state: &AppState, req: &HttpRequest, error: ApiError) -> HttpResponse {
    let (status, heading, text) = match error.code {
        ErrorCode::NotFound | ErrorCode::InvalidParameter | ErrorCode::InvalidCursor => (
            StatusCode::NOT_FOUND,
            "error-not-found-title",
            "error-not-found-text",
        ),
        ErrorCode::RateLimited => (
            StatusCode::TOO_MANY_REQUESTS,
            "error-too-many-title",
            "error-too-many-text",
        ),
        ErrorCode::Forbidden => (
            StatusCode::FORBIDDEN,
            "error-forbidden-title",
            "error-forbidden-text",
        ),
        // Any other refusal of the input (a broken file, a step out of turn, a form the
        // page could not show its errors on) is the visitor's to correct, not a server error.
        code if code.status().is_client_error() => {
            (code.status(), "error-input-title", "error-input-text")
        }
        _ => {
            error.log(None);
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "error-server-title",
                "error-server-text",
            )
        }
    };
    let locale = locale_of(req);
    let page = frame(state, req, i18n::text(locale, heading));
    render(
        status,
        &ErrorPage {
            heading: page.t(heading),
            text: page.t(text),
            page,
        },
    )
}

/// The answer to a path no route serves: the portal's 404 page for a browser asking for a
/// page (in the locale its path starts with, else the one it accepts); for anyone else an
/// empty 404, which the middleware answers as a `route_not_found` (or `method_not_allowed`)
/// problem, as before the portal existed.
pub async fn not_found(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let wants_page = matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    ) && !req.path().starts_with("/api/")
        && req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    if !wants_page {
        return HttpResponse::NotFound().finish();
    }
    let locale = req
        .path()
        .split('/')
        .nth(1)
        .and_then(Locale::from_tag)
        .unwrap_or_else(|| accepted(&req));
    let heading = i18n::text(locale, "error-not-found-title");
    let page = frame_in(&state, &req, locale, heading.clone());
    render(
        StatusCode::NOT_FOUND,
        &ErrorPage {
            heading,
            text: page.t("error-not-found-text"),
            page,
        },
    )
}

/// schema.org JSON-LD for a `<script type="application/ld+json">` data block (not executed,
/// so the CSP allows it); `<` is escaped so no value can close the element.
fn json_ld(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// A Signposting link.
fn link(url: &str, rel: &str, media_type: Option<&str>) -> String {
    match media_type {
        Some(media_type) => format!("<{url}>; rel=\"{rel}\"; type=\"{media_type}\""),
        None => format!("<{url}>; rel=\"{rel}\""),
    }
}

/// A redirect (303, so a form's GET stays a GET) that depends on `Accept-Language`.
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::VARY, "Accept-Language"))
        .finish()
}

fn accepted(req: &HttpRequest) -> Locale {
    Locale::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// `GET /`: the home page in the visitor's language.
pub async fn root(req: HttpRequest) -> HttpResponse {
    see_other(&format!("/{}/", accepted(&req).tag()))
}

/// `GET /{locale}`: its home page, with the slash.
pub async fn locale_root(req: HttpRequest) -> HttpResponse {
    see_other(&format!("/{}/", locale_of(&req).tag()))
}

/// `GET /publications/{id}` and the like: the page in the visitor's language (DCAT and OAI
/// identifiers point here).
pub async fn negotiated(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (kind, key) = path.into_inner();
    let key: String = url::form_urlencoded::byte_serialize(key.as_bytes()).collect();
    see_other(&format!("/{}/{kind}/{key}", accepted(&req).tag()))
}

/// `GET /robots.txt`: pages may be indexed; the API and the machine interfaces are for
/// programs that know them.
pub async fn robots(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(format!(
            "User-agent: *\nDisallow: /api/\nDisallow: /graphql\nDisallow: /auth/\nSitemap: {}/sitemap.xml\n",
            state.config.public_url.trim_end_matches('/')
        ))
}

/// A number of bytes for people, as the locale writes it (`1.2 MB`, `1,2 МБ`).
fn size(locale: Locale, bytes: i64) -> String {
    const UNITS: [&str; 4] = ["unit-b", "unit-kb", "unit-mb", "unit-gb"];
    let mut value = bytes.max(0) as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    let shown = if unit == 0 {
        super::format::number(locale, bytes)
    } else {
        super::format::tenths(locale, value)
    };
    i18n::text_with(locale, UNITS[unit], &[("value", shown.into())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_data_cannot_close_its_script_element() {
        let hostile = serde_json::json!({"name": "</script><script>alert(1)</script>"});
        let block = json_ld(&hostile);
        assert!(!block.contains('<'), "{block}");
        let back: serde_json::Value = serde_json::from_str(&block).unwrap();
        assert_eq!(back, hostile, "still the same data");
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(Locale::En, 512), "512 B");
        assert_eq!(size(Locale::En, 1_234_567), "1.2 MB");
        assert_eq!(size(Locale::Ru, 1_234_567), "1,2 МБ");
        assert_eq!(size(Locale::En, -3), "-3 B");
    }
}
