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
use super::service;
use crate::state::AppState;
use crate::storage::Upload;

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
    // Every write needs credentials: an anonymous one is refused before its body is read.
    if actions::writes(name) && matches!(caller, crate::identity::caller::Caller::Anonymous) {
        return Err(CkanError::new(
            actix_web::http::StatusCode::FORBIDDEN,
            "Authorization Error",
            format!("Action {name} requires an authenticated user"),
        ));
    }
    let kind = media_type(req);
    if kind == "multipart/form-data" {
        let limit = state.config.limits.json_body_bytes;
        return multipart(req, state, caller, name, params, payload, limit).await;
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
/// Most text fields a multipart form may have.
const MAX_FORM_FIELDS: usize = 200;

fn too_large(limit: usize) -> CkanError {
    CkanError::new(
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
        "Validation Error",
        format!("the form's text fields are larger than {limit} bytes together"),
    )
}

/// A multipart `resource_create`: text fields first (as `requests` sends them), then the
/// file in `upload`, streamed straight into the object store. The text fields together are
/// held to `text_limit` bytes (the JSON body limit) and `MAX_FORM_FIELDS` fields: 413 past it.
async fn multipart(
    req: &HttpRequest,
    state: &AppState,
    caller: crate::identity::caller::Caller,
    name: &str,
    mut params: Params,
    payload: web::Payload,
    text_limit: usize,
) -> Result<Value, CkanError> {
    let mut form = actix_multipart::Multipart::new(req.headers(), payload);
    let (mut text_bytes, mut fields) = (0usize, 0usize);
    while let Some(field) = form.next().await {
        fields += 1;
        if fields > MAX_FORM_FIELDS {
            return Err(CkanError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "Validation Error",
                format!("the form has more than {MAX_FORM_FIELDS} fields"),
            ));
        }
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
            let view = service::upload_resource(state, &caller, &dataset, meta, upload).await?;
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
            text_bytes += chunk.len();
            if text_bytes > text_limit {
                return Err(too_large(text_limit));
            }
            value.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(value)
            .map_err(|_| CkanError::validation(&field_name, "not UTF-8 text"))?;
        params.extend(envelope::from_pairs([(field_name, value)]));
    }
    actions::run(state, caller, name, params).await
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{HeaderMap, HeaderValue};
    use futures_util::StreamExt;

    proptest::proptest! {
        #![proptest_config(crate::fuzzing::config())]

        /// Fuzz target: any multipart body, cut anywhere, is fields or an error from the
        /// parser that `resource_create` reads its forms with; never a panic.
        #[test]
        fn fuzz_multipart_bodies(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b"--b\r\ncontent-disposition: form-data; name=\"f\"\r\n\r\nvalue\r\n".to_vec()),
                    proptest::strategy::Just(b"--b\r\ncontent-disposition: form-data; name=\"upload\"; filename=\"a.csv\"\r\ncontent-type: text/csv\r\n\r\na,b\n1,2\r\n".to_vec()),
                    proptest::strategy::Just(b"--b--\r\n".to_vec()),
                    proptest::collection::vec(proptest::num::u8::ANY, 0..40),
                ],
                0..8,
            ),
            chunk in 1usize..64,
            boundary in "b|[a-z0-9'()+_,-./:=? ]{0,72}",
        ) {
            let body: Vec<u8> = parts.concat();
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}")) {
                headers.insert(actix_web::http::header::CONTENT_TYPE, value);
            }
            let chunks: Vec<Result<bytes::Bytes, actix_web::error::PayloadError>> = body
                .chunks(chunk)
                .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
                .collect();
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            runtime.block_on(async move {
                let mut form = actix_multipart::Multipart::new(&headers, futures_util::stream::iter(chunks));
                let mut fields = 0;
                while let Some(field) = form.next().await {
                    let Ok(mut field) = field else { break };
                    fields += 1;
                    let _ = field.name();
                    let _ = field.content_disposition().and_then(|d| d.get_filename());
                    while let Some(chunk) = field.next().await {
                        if chunk.is_err() {
                            break;
                        }
                    }
                    if fields > 100 {
                        break;
                    }
                }
            });
        }
    }
}
