//! The IMEI module's REST endpoints, and the 3GPP 5G-EIR equipment-status path that core
//! networks call as they are.

use actix_web::{HttpResponse, get, post, web};
use bytes::{BufMut, Bytes, BytesMut};
use serde::Deserialize;
use utoipa::IntoParams;

use super::domain::Imei;
use super::lifecycle;
use super::observe;
use super::service::{self, SCOPE_READ};
use super::views::*;
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::http::lines::LineReader;
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    super::cases::rest::routes(config);
    config
        .service(device_status)
        .service(public_status)
        .service(device_record)
        .service(report_device)
        .service(greylist_device)
        .service(recover_device)
        .service(register_devices)
        .service(bulk_check)
        .service(upload_observations);
}

/// A partner's status check (scope `imei:read`): the 5G-EIR status, why, and which
/// country listed it. Audited.
#[utoipa::path(
    tag = "imei",
    security(("bearer" = [])),
    params(("imei" = String, Path, description = "15-digit IMEI or 16-digit IMEISV")),
    responses(
        (status = 200, body = DeviceStatus),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "not an IMEI"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/imei/devices/{imei}/status")]
pub async fn device_status(
    state: web::Data<AppState>,
    caller: Caller,
    imei: web::Path<String>,
) -> ApiResult<web::Json<DeviceStatus>> {
    let imei = service::parse_imei(&imei)?;
    Ok(web::Json(service::check(&state, &caller, imei)?))
}

/// A citizen's check before buying a phone: the status only, never who listed it or why.
#[utoipa::path(
    tag = "imei",
    params(("imei" = String, Path, description = "15-digit IMEI or 16-digit IMEISV")),
    responses(
        (status = 200, body = PublicStatus),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "too many checks from this address")
    )
)]
#[get("/imei/public/{imei}")]
pub async fn public_status(
    state: web::Data<AppState>,
    caller: Caller,
    request: actix_web::HttpRequest,
    imei: web::Path<String>,
) -> ApiResult<web::Json<PublicStatus>> {
    let imei = service::parse_imei(&imei)?;
    let client = service::ClientAddress::of(&request);
    Ok(web::Json(
        service::public_check(&state, &caller, client, imei).await?,
    ))
}

/// A device's full record and history (agencies and administrators). Audited.
#[utoipa::path(
    tag = "imei",
    security(("bearer" = [])),
    params(("imei" = String, Path)),
    responses(
        (status = 200, body = DeviceRecord),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/imei/devices/{imei}")]
pub async fn device_record(
    state: web::Data<AppState>,
    caller: Caller,
    imei: web::Path<String>,
) -> ApiResult<web::Json<DeviceRecord>> {
    let imei = service::parse_imei(&imei)?;
    Ok(web::Json(service::record(&state, &caller, imei).await?))
}

/// Reports a device stolen, lost or counterfeit (agencies; partners need `imei:report`):
/// black-listed in both countries at once.
#[utoipa::path(
    tag = "imei",
    security(("bearer" = [])),
    params(("imei" = String, Path)),
    request_body = ReportInput,
    responses(
        (status = 200, body = DeviceRecord),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "already black-listed"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/imei/devices/{imei}/reports")]
pub async fn report_device(
    state: web::Data<AppState>,
    caller: Caller,
    imei: web::Path<String>,
    input: web::Json<ReportInput>,
) -> ApiResult<web::Json<DeviceRecord>> {
    let imei = service::parse_imei(&imei)?;
    Ok(web::Json(
        lifecycle::report(&state, &caller, imei, input.into_inner()).await?,
    ))
}

/// Grey-lists a device for a grace period, after which it turns black.
#[utoipa::path(
    tag = "imei",
    security(("bearer" = [])),
    params(("imei" = String, Path)),
    request_body = GreylistInput,
    responses(
        (status = 200, body = DeviceRecord),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/imei/devices/{imei}/greylist")]
pub async fn greylist_device(
    state: web::Data<AppState>,
    caller: Caller,
    imei: web::Path<String>,
    input: web::Json<GreylistInput>,
) -> ApiResult<web::Json<DeviceRecord>> {
    let imei = service::parse_imei(&imei)?;
    Ok(web::Json(
        lifecycle::greylist(&state, &caller, imei, input.into_inner()).await?,
    ))
}

/// Takes a device off the list: only the organisation that listed it.
#[utoipa::path(
    tag = "imei",
    security(("bearer" = [])),
    params(("imei" = String, Path)),
    request_body = RecoveryInput,
    responses(
        (status = 200, body = DeviceRecord),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "not listed")
    )
)]
#[post("/imei/devices/{imei}/recovery")]
pub async fn recover_device(
    state: web::Data<AppState>,
    caller: Caller,
    imei: web::Path<String>,
    input: web::Json<RecoveryInput>,
) -> ApiResult<web::Json<DeviceRecord>> {
    let imei = service::parse_imei(&imei)?;
    Ok(web::Json(
        lifecycle::recover(&state, &caller, imei, input.into_inner()).await?,
    ))
}

/// Registers devices (manufacturers and importers; partners need `imei:register`).
#[utoipa::path(
    tag = "imei",
    security(("bearer" = [])),
    request_body = RegistrationInput,
    responses(
        (status = 200, body = RegistrationResult),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/imei/registrations")]
pub async fn register_devices(
    state: web::Data<AppState>,
    caller: Caller,
    input: web::Json<RegistrationInput>,
) -> ApiResult<web::Json<RegistrationResult>> {
    Ok(web::Json(
        lifecycle::register(&state, &caller, input.into_inner()).await?,
    ))
}

/// Checks many IMEIs in one streamed request (scope `imei:read`). The body holds one IMEI
/// per line (plain, CSV whose first column is the IMEI, or NDJSON `{"imei": …}`); the answer
/// is NDJSON, one line per input line in order, written while the body is still arriving: a
/// `DeviceStatus`, or `{"line": n, "error": {"code", "message"}}` for a line that is not an
/// IMEI. Memory stays bounded whatever the size.
#[utoipa::path(
    tag = "imei",
    security(("bearer" = [])),
    request_body(content = String, content_type = "text/plain", description = "one IMEI per line"),
    responses(
        (status = 200, content_type = "application/x-ndjson", body = String, description = "one JSON object per line"),
        (status = 403, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/imei/checks")]
pub async fn bulk_check(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    authorize(&caller, Action::UseScope(SCOPE_READ))?;
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, actix_web::Error>>(8);
    let actor = caller.actor();
    let seen_by = service::seen_by(&caller).map(str::to_owned);
    let max = state.config.imei.bulk_max_imeis;
    let runtime = state.imei.clone();
    let idle = std::time::Duration::from_secs(state.config.limits.body_idle_timeout_secs);
    actix_web::rt::spawn(async move {
        let mut lines = LineReader::new(body, 1024).with_idle_timeout(idle);
        let mut out = BytesMut::with_capacity(64 * 1024);
        let mut checked = 0usize;
        loop {
            let (number, line) = match lines.next_line().await {
                Ok(Some(line)) => line,
                Ok(None) => break,
                Err(error) => {
                    write_line_error(&mut out, 0, error.code, &error.detail);
                    break;
                }
            };
            let text = String::from_utf8_lossy(&line);
            let Some(candidate) = imei_field(&text, number) else {
                continue;
            };
            if checked == max {
                let message = format!("a bulk check holds at most {max} IMEIs");
                write_line_error(&mut out, number, ErrorCode::PayloadTooLarge, &message);
                break;
            }
            match Imei::parse(&candidate) {
                Ok(parsed) => {
                    checked += 1;
                    match service::check_one_of_many(
                        &runtime,
                        &actor,
                        seen_by.as_deref(),
                        parsed.imei,
                    )
                    .await
                    {
                        Ok(status) => {
                            write_json_line(&mut out, &status);
                        }
                        Err(error) => {
                            write_line_error(&mut out, number, error.code, &error.detail);
                            break;
                        }
                    }
                }
                Err(error) => {
                    let body = serde_json::json!({
                        "line": number,
                        "input": candidate,
                        "error": { "code": error.code(), "message": error.to_string() },
                    });
                    write_json_line(&mut out, &body);
                }
            }
            if out.len() >= 60 * 1024 && sender.send(Ok(out.split().freeze())).await.is_err() {
                return;
            }
        }
        if !out.is_empty() {
            let _ = sender.send(Ok(out.freeze())).await;
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson")
        .streaming(stream))
}

/// The IMEI in one bulk line; `None` for a blank line or a CSV header.
fn imei_field(text: &str, number: u64) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.starts_with('{') {
        #[derive(Deserialize)]
        struct Line {
            imei: String,
        }
        return Some(
            serde_json::from_str::<Line>(text)
                .map(|l| l.imei)
                .unwrap_or_else(|_| text.to_owned()),
        );
    }
    let first = text
        .split(',')
        .next()
        .unwrap_or_default()
        .trim()
        .trim_matches('"');
    if number == 1 && first.eq_ignore_ascii_case("imei") {
        return None;
    }
    Some(first.to_owned())
}

/// Appends one NDJSON line.
fn write_json_line(out: &mut BytesMut, value: &impl serde::Serialize) {
    match serde_json::to_writer(out.writer(), value) {
        Ok(()) => out.put_u8(b'\n'),
        // Serialising these plain structs cannot fail; if it ever did, say so in the stream.
        Err(error) => {
            let line = serde_json::json!({ "error": { "code": "internal", "message": error.to_string() } });
            out.extend_from_slice(format!("{line}\n").as_bytes());
        }
    }
}

fn write_line_error(out: &mut BytesMut, line: u64, code: ErrorCode, message: &str) {
    let body = serde_json::json!({
        "line": line,
        "error": { "code": code.as_str(), "message": message },
    });
    write_json_line(out, &body);
}

/// Uploads observed IMEI–IMSI pairs (operators; partners need `imei:observe`), as CSV
/// (`imei,imsi[,observed_at]`) or NDJSON. All or nothing: a malformed line is named and
/// nothing is stored. IMEIs seen with too many IMSIs are grey-listed as likely clones.
#[utoipa::path(
    tag = "imei",
    security(("bearer" = [])),
    request_body(content = String, content_type = "text/csv", description = "imei,imsi[,observed_at] per line, or NDJSON"),
    responses(
        (status = 200, body = ObservationResult),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "a malformed line; nothing stored")
    )
)]
#[post("/imei/observations")]
pub async fn upload_observations(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Payload,
) -> ApiResult<web::Json<ObservationResult>> {
    Ok(web::Json(observe::upload(&state, &caller, body).await?))
}

/// `pei=imei-…` or `pei=imeisv-…`, as TS 29.571 writes a permanent equipment identifier.
#[derive(Debug, Deserialize, IntoParams)]
pub struct EquipmentStatusQuery {
    pub pei: String,
    /// The subscriber (`imsi-…`); accepted and not used.
    pub supi: Option<String>,
    /// The GPSI; accepted and not used.
    pub gpsi: Option<String>,
}

/// `GET /n5g-eir-eic/v1/equipment-status`: the 3GPP TS 29.511 operation, answering
/// `{"status": "WHITELISTED" | "GREYLISTED" | "BLACKLISTED"}` to partners with `imei:read`.
#[get("/n5g-eir-eic/v1/equipment-status")]
pub async fn equipment_status(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<EquipmentStatusQuery>,
) -> ApiResult<HttpResponse> {
    let digits = query
        .pei
        .strip_prefix("imei-")
        .or_else(|| query.pei.strip_prefix("imeisv-"))
        .ok_or_else(|| {
            ApiError::invalid_parameter("pei must be `imei-<15 digits>` or `imeisv-<16 digits>`")
        })?;
    let imei = Imei::parse(digits)
        .map_err(|e| service::invalid_imei("pei", e))?
        .imei;
    let status = service::check(&state, &caller, imei)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": status.status })))
}
