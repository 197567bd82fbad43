//! The IMEI check for citizens: a form, and the registry's answer with what to do next. The
//! same call and the same per-address limit as `GET /api/v1/imei/public/{imei}`; too many
//! checks get the friendly 429 page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{failure, frame, render};
use crate::error::ErrorCode;
use crate::identity::caller::Caller;
use crate::imei::service;
use crate::imei::views::EquipmentStatus;
use crate::portal::chrome::Page;
use crate::portal::i18n;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct CheckQuery {
    imei: Option<String>,
}

/// The registry's answer, as the page words it.
pub struct Outcome {
    /// `valid`, `unconfirmed` or `blocked`: the class of the result box.
    pub class: &'static str,
    pub heading: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "portal/imei.html")]
struct ImeiPage {
    page: Page,
    imei: String,
    error: Option<String>,
    outcome: Option<Outcome>,
}

/// `GET /{locale}/imei[?imei=…]`.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CheckQuery>,
) -> HttpResponse {
    let locale = super::locale_of(&req);
    let page = frame(&state, &req, i18n::text(locale, "imei-title"));
    let typed = query.into_inner().imei.unwrap_or_default();
    let typed = typed.trim().to_owned();
    let (mut error, mut outcome) = (None, None);
    if !typed.is_empty() {
        match service::parse_imei(&typed) {
            Err(_) => error = Some(page.t("imei-invalid")),
            Ok(imei) => {
                let client = service::ClientAddress::of(&req);
                match service::public_check(&state, &caller, client, imei).await {
                    Ok(found) => {
                        let (class, key) = match found.status {
                            EquipmentStatus::Whitelisted => ("valid", "white"),
                            EquipmentStatus::Greylisted => ("unconfirmed", "grey"),
                            EquipmentStatus::Blacklisted => ("blocked", "black"),
                        };
                        outcome = Some(Outcome {
                            class,
                            heading: page.t(&format!("imei-result-{key}")),
                            next: page.t(&format!("imei-next-{key}")),
                        });
                    }
                    Err(e) if e.code == ErrorCode::InvalidImei => {
                        error = Some(page.t("imei-invalid"));
                    }
                    Err(e) => return failure(&state, &req, e),
                }
            }
        }
    }
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    render(
        status,
        &ImeiPage {
            page,
            imei: typed,
            error,
            outcome,
        },
    )
}
