//! A CKAN-compatible Action API, so CKAN clients (`ckanapi`, portals, harvesters) work
//! against this platform unchanged: `/api/3/action/{name}` and `/api/action/{name}`, GET
//! with query parameters (repeated keys are lists) or POST with a JSON body, a form, or a
//! multipart upload (`resource_create` with a file in `upload`).

mod actions;
mod envelope;
mod package;
mod search;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde_json::Value;

pub use actions::ACTIONS;
use envelope::{CkanError, Params};

use super::resources::ResourceInput;
use super::upload::upload_resource;
use crate::http::files::Upload;
use crate::state::AppState;

/// The Action API routes (not in OpenAPI: CKAN documents them).
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/api/3", web::get().to(version))
        .route("/api/3/action/{action}", web::get().to(action))
        .route("/api/3/action/{action}", web::post().to(action))
        .route("/api/action/{action}", web::get().to(action))
        .route("/api/action/{action}", web::post().to(action));
}

async fn version() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"version": 3}))
}

async fn action(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let name = name.into_inner();
    match answer(&req, &state, &name, payload).await {
        Ok(result) => {
            if actions::writes(&name) {
                crate::search::index_now(&state).await;
            }
            envelope::success(&state, &name, result)
        }
        Err(error) => envelope::failure(&state, &name, error),
    }
}

fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or(v).trim().to_ascii_lowercase())
        .unwrap_or_default()
}

async fn answer(
    req: &HttpRequest,
    state: &AppState,
    name: &str,
    payload: web::Payload,
) -> Result<Value, CkanError> {
    if !ACTIONS.contains(&name) {
        return actions::run(state, Default::default(), name, Params::new()).await;
    }
    let caller = envelope::caller(state, req).await?;
    let mut params = envelope::from_pairs(
        url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned(),
    );
    if req.method() == actix_web::http::Method::GET {
        if actions::writes(name) {
            return Err(CkanError::new(
                actix_web::http::StatusCode::BAD_REQUEST,
                "Bad request",
                format!("Bad request - {name} changes data: use POST"),
            ));
        }
        return actions::run(state, caller, name, params).await;
    }
    let kind = media_type(req);
    if kind == "multipart/form-data" {
        return multipart(req, state, caller, name, params, payload).await;
    }
    let body = read_body(payload, state.config.limits.json_body_bytes).await?;
    if kind == "application/x-www-form-urlencoded" {
        params.extend(envelope::from_pairs(
            url::form_urlencoded::parse(&body).into_owned(),
        ));
    } else if !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(map)) => params.extend(map),
            Ok(_) => {
                return Err(CkanError::validation(
                    "__body",
                    "the body must be a JSON object",
                ));
            }
            Err(e) => {
                return Err(CkanError::validation(
                    "__body",
                    format!("malformed JSON: {e}"),
                ));
            }
        }
    }
    actions::run(state, caller, name, params).await
}

async fn read_body(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, CkanError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| CkanError::validation("__body", format!("the body broke off: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(CkanError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "Validation Error",
                format!("the body is larger than {limit} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Longest text field of a multipart form.
const MAX_FORM_FIELD: usize = 64 * 1024;

/// A multipart `resource_create`: text fields first (as `requests` sends them), then the
/// file in `upload`, streamed straight into the object store.
async fn multipart(
    req: &HttpRequest,
    state: &AppState,
    caller: crate::identity::caller::Caller,
    name: &str,
    mut params: Params,
    payload: web::Payload,
) -> Result<Value, CkanError> {
    let mut form = actix_multipart::Multipart::new(req.headers(), payload);
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| {
            CkanError::validation("__body", format!("malformed multipart body: {e}"))
        })?;
        let field_name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        if let Some(file_name) = file_name {
            if name != "resource_create" || field_name != "upload" {
                return Err(CkanError::validation(
                    &field_name,
                    "only resource_create takes a file, in the field `upload`",
                ));
            }
            let text = |key: &str| envelope::text(&params, key);
            let dataset = envelope::required(&params, "package_id")?;
            let meta = ResourceInput {
                name: text("name"),
                description: text("description").unwrap_or_default(),
                format: text("format"),
                url: None,
            };
            let declared = field
                .content_type()
                .map(|m| m.essence_str().to_owned())
                .or_else(|| text("mimetype"));
            let upload = Upload {
                file_name,
                declared,
                body: &mut field,
            };
            let view = upload_resource(state, caller, dataset, meta, upload).await?;
            // Anything after the file is ignored, as CKAN does.
            return Ok(package::resource(&state.config.public_url, &view));
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| {
                CkanError::validation(&field_name, format!("the field broke off: {e}"))
            })?;
            if value.len() + chunk.len() > MAX_FORM_FIELD {
                return Err(CkanError::validation(&field_name, "the field is too long"));
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(value)
            .map_err(|_| CkanError::validation(&field_name, "not UTF-8 text"))?;
        params.extend(envelope::from_pairs([(field_name, value)]));
    }
    actions::run(state, caller, name, params).await
}
