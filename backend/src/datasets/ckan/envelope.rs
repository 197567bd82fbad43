//! CKAN's Action API conventions: the `help`/`success`/`result` envelope, errors with CKAN's
//! `__type` names and status codes, parameters that arrive as JSON values or as query-string
//! text, and API tokens in `Authorization` or `X-CKAN-API-Key`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ErrorCode};
use crate::identity::caller::{self, Caller};
use crate::state::AppState;

/// An action's parameters, from a JSON body, a form or the query string.
pub type Params = Map<String, Value>;

/// A CKAN-shaped failure.
#[derive(Debug)]
pub struct CkanError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    /// Validation errors by field, as CKAN lists them.
    pub fields: Map<String, Value>,
}

impl CkanError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            message: message.into(),
            fields: Map::new(),
        }
    }

    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut error = Self::new(StatusCode::CONFLICT, "Validation Error", message.clone());
        error.fields.insert(field.to_owned(), json!([message]));
        error
    }

    pub fn search_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "Search Query Error", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not Found Error", message)
    }
}

/// The platform's errors in CKAN's terms: validation and conflicts are CKAN's 409
/// "Validation Error" with the broken fields, refusals its 403 "Authorization Error".
impl From<ApiError> for CkanError {
    fn from(error: ApiError) -> Self {
        let detail = error.detail.clone();
        match error.code {
            ErrorCode::NotFound | ErrorCode::RouteNotFound => {
                Self::not_found(format!("Not found: {detail}"))
            }
            ErrorCode::Unauthenticated | ErrorCode::Forbidden | ErrorCode::InsufficientScope => {
                Self::new(
                    StatusCode::FORBIDDEN,
                    "Authorization Error",
                    format!("Access denied: {detail}"),
                )
            }
            ErrorCode::InvalidQuery => Self::search_query(detail),
            ErrorCode::ValidationFailed
            | ErrorCode::InvalidParameter
            | ErrorCode::MalformedJson
            | ErrorCode::Conflict
            | ErrorCode::InvalidCursor
            | ErrorCode::UnsupportedMediaType
            | ErrorCode::PayloadTooLarge => {
                let mut ckan = Self::new(StatusCode::CONFLICT, "Validation Error", detail.clone());
                if error.code == ErrorCode::PayloadTooLarge {
                    ckan.status = StatusCode::PAYLOAD_TOO_LARGE;
                }
                for field in &error.errors {
                    let entry = ckan
                        .fields
                        .entry(field.field.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(list) = entry {
                        list.push(Value::String(field.message.clone()));
                    }
                }
                ckan
            }
            ErrorCode::RateLimited | ErrorCode::ServiceUnavailable => {
                error.log(None);
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "Internal Error", detail)
            }
            _ => {
                error.log(None);
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal Error",
                    "Internal server error",
                )
            }
        }
    }
}

fn help_url(state: &AppState, action: &str) -> String {
    format!(
        "{}/api/3/action/help_show?name={action}",
        state.config.public_url.trim_end_matches('/')
    )
}

/// `{"help", "success": true, "result"}`.
pub fn success(state: &AppState, action: &str, result: Value) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "help": help_url(state, action),
        "success": true,
        "result": result,
    }))
}

/// `{"help", "success": false, "error": {"__type", "message", …fields}}`.
pub fn failure(state: &AppState, action: &str, error: CkanError) -> HttpResponse {
    // CKAN's validation errors list the fields; other errors carry a message.
    let mut body = error.fields;
    if body.is_empty() {
        body.insert("message".into(), Value::String(error.message));
    }
    body.insert("__type".into(), Value::String(error.kind.into()));
    HttpResponse::build(error.status).json(json!({
        "help": help_url(state, action),
        "success": false,
        "error": body,
    }))
}

/// The API token CKAN clients send: `X-CKAN-API-Key: TOKEN`, `Authorization: TOKEN` or
/// `Authorization: Bearer TOKEN`.
fn presented_token(req: &HttpRequest) -> Option<String> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let value = header("x-ckan-api-key").or_else(|| header("authorization"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .unwrap_or(value);
    Some(token.trim().to_owned())
}

/// Who is calling, from a CKAN-style token or the session cookie; a token that does not
/// verify is CKAN's 403, never a silent downgrade to anonymous.
pub async fn caller(state: &AppState, req: &HttpRequest) -> Result<Caller, CkanError> {
    let token = presented_token(req).or_else(|| {
        req.cookie(caller::ACCESS_COOKIE)
            .map(|c| c.value().to_owned())
    });
    match token {
        None => Ok(Caller::Anonymous),
        Some(token) => crate::identity::authenticate::resolve(state, &token)
            .await
            .map_err(CkanError::from),
    }
}

/// Text of a parameter, from a JSON string or number.
pub fn text(params: &Params, key: &str) -> Option<String> {
    match params.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A required text parameter (CKAN: 409 "Validation Error", "Missing value").
pub fn required(params: &Params, key: &str) -> Result<String, CkanError> {
    text(params, key)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| CkanError::validation(key, "Missing value"))
}

/// A whole-number parameter, from a JSON number or numeric text.
pub fn integer(params: &Params, key: &str) -> Result<Option<i64>, CkanError> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| CkanError::validation(key, "Invalid integer")),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| CkanError::validation(key, "Invalid integer")),
        Some(_) => Err(CkanError::validation(key, "Invalid integer")),
    }
}

/// A boolean parameter (`true`, `"true"`, `"True"`, `1`…).
pub fn boolean(params: &Params, key: &str) -> Result<Option<bool>, CkanError> {
    match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Number(n)) => Ok(Some(n.as_i64() != Some(0))),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Some(true)),
            "false" | "0" | "no" | "off" | "" => Ok(Some(false)),
            _ => Err(CkanError::validation(key, "Invalid boolean")),
        },
        Some(_) => Err(CkanError::validation(key, "Invalid boolean")),
    }
}

/// Query-string or form pairs as parameters: a key given once is a string, a repeated key a
/// list (how CKAN reads `GET …?facet.field=tags&facet.field=organization`).
pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Params {
    let mut params = Params::new();
    for (key, value) in pairs {
        match params.get_mut(&key) {
            None => {
                params.insert(key, Value::String(value));
            }
            Some(Value::Array(list)) => list.push(Value::String(value)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value)]);
            }
        }
    }
    params
}
