//! Signing in and out in the browser. `/{locale}/sign-in` offers each country's provider
//! (the API's own `/auth/{country}/login`, which returns to the page the person came from)
//! and, on a server started with `serve --demo` only, the demo people, each a form that
//! signs in without a provider. `POST /{locale}/sign-out` ends the session here and, when the
//! provider offers RP-initiated logout, sends the browser on to end it there too.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{failure, frame, render};
use crate::error::{ApiError, ErrorCode};
use crate::identity::{auth, demo, oidc_session, rest_auth};
use crate::portal::chrome::{Page, SignIn};
use crate::portal::{csrf, i18n, session::Visitor};
use crate::state::AppState;

/// A demo person one may sign in as.
pub struct DemoAccount {
    pub id: String,
    pub name: String,
    pub email: String,
    pub platform_admin: bool,
}

#[derive(Template)]
#[template(path = "portal/sign_in.html")]
struct SignInPage {
    page: Page,
    providers: Vec<SignIn>,
    demo_accounts: Vec<DemoAccount>,
    demo_action: String,
    return_to: String,
    signed_in: bool,
    workspace: String,
}

#[derive(Debug, Deserialize)]
pub struct SignInParams {
    pub return_to: Option<String>,
}

/// Where a sign-in returns: the page asked for, else the workspace.
fn return_to(req: &HttpRequest, asked: Option<&str>) -> String {
    let workspace = format!("/{}/workspace", super::locale_of(req).tag());
    match asked {
        Some(path) => auth::safe_return_to(Some(path)).unwrap_or(workspace),
        None => workspace,
    }
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `GET /{locale}/sign-in`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    params: web::Query<SignInParams>,
) -> HttpResponse {
    let return_to = return_to(&req, params.return_to.as_deref());
    let locale = super::locale_of(&req);
    let page = frame(&state, &req, i18n::text(locale, "sign-in"));
    let providers = state
        .config
        .identity
        .providers
        .iter()
        .map(|p| SignIn {
            label: i18n::text_with(
                locale,
                "sign-in-country",
                &[(
                    "country",
                    i18n::text(locale, &format!("country-{}", p.country)).into(),
                )],
            ),
            href: format!("/auth/{}/login?return_to={}", p.country, encode(&return_to)),
        })
        .collect();
    let demo_accounts = if state.config.demo_sign_in {
        match state.read(demo::sign_in_accounts).await {
            Ok(users) => users
                .into_iter()
                .map(|u| DemoAccount {
                    id: u.id,
                    name: u.display_name,
                    email: u.email.unwrap_or_default(),
                    platform_admin: u.is_platform_admin,
                })
                .collect(),
            Err(error) => return failure(&state, &req, error),
        }
    } else {
        Vec::new()
    };
    render(
        StatusCode::OK,
        &SignInPage {
            demo_action: page.href("/sign-in/demo"),
            workspace: page.href("/workspace"),
            signed_in: visitor.user().is_some(),
            page,
            providers,
            demo_accounts,
            return_to,
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct DemoSignInPost {
    #[serde(default)]
    pub user: String,
    pub return_to: Option<String>,
}

/// `POST /{locale}/sign-in/demo`: only on `serve --demo` (else 404, as if it did not exist),
/// only from a page of this site.
pub async fn demo_sign_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<DemoSignInPost>,
) -> HttpResponse {
    if !csrf::same_origin(&state, &req) {
        let refused = ApiError::new(ErrorCode::Forbidden, "a form of this site is needed");
        return failure(&state, &req, refused);
    }
    match demo::sign_in(&state, &form.user).await {
        Ok(tokens) => {
            let mut response = HttpResponse::SeeOther();
            for cookie in rest_auth::session_cookies(&state, &tokens) {
                response.cookie(cookie);
            }
            response
                .insert_header((header::LOCATION, return_to(&req, form.return_to.as_deref())))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .finish()
        }
        Err(error) => failure(&state, &req, error),
    }
}

#[derive(Debug, Deserialize)]
pub struct SignOutPost {
    #[serde(default)]
    pub csrf: String,
}

/// `POST /{locale}/sign-out`: ends the session (its tokens stop working at once, as the API's
/// `/auth/logout`), clears the cookies, then goes to the provider's end-session page when it
/// has one (returning to this site's root) or to the home page.
pub async fn sign_out(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    form: web::Form<SignOutPost>,
) -> HttpResponse {
    let home = format!("/{}/", super::locale_of(&req).tag());
    let Some(user_id) = visitor.user().map(|u| u.id.clone()) else {
        // Nothing to end: the session is already over.
        let mut response = HttpResponse::SeeOther();
        for removal in rest_auth::cleared_session_cookies(&state) {
            response.cookie(removal);
        }
        return response.insert_header((header::LOCATION, home)).finish();
    };
    if !csrf::verify(&state, &req, &form.csrf) {
        let refused = ApiError::new(
            ErrorCode::Forbidden,
            "a form of this site, from this browser session, is needed",
        );
        return failure(&state, &req, refused);
    }
    if let Err(error) = auth::logout(&state, &visitor.caller, None).await {
        return failure(&state, &req, error);
    }
    let post_logout = format!("{}/", state.config.public_url.trim_end_matches('/'));
    let location = oidc_session::provider_logout_url(&state, &user_id, &post_logout)
        .await
        .ok()
        .flatten()
        .unwrap_or(home);
    let mut response = HttpResponse::SeeOther();
    for removal in rest_auth::cleared_session_cookies(&state) {
        response.cookie(removal);
    }
    response
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
