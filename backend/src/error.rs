//! The one client-facing error type. Every failure a client can see is an `ApiError` with a
//! stable machine-readable `code`; REST renders it as RFC 9457 `application/problem+json`,
//! GraphQL as an error with the same code in `extensions.code`. The internal cause and the
//! place it was raised stay beside it for the logs and never reach the client.

use std::fmt;
use std::panic::Location;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use async_graphql::ErrorExtensions;
use serde::Serialize;
use utoipa::ToSchema;

/// Stable error codes: clients branch on these, so existing ones never change meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No such route.
    RouteNotFound,
    /// The route exists but not for this HTTP method.
    MethodNotAllowed,
    /// The addressed record does not exist (or the caller may not know it exists).
    NotFound,
    /// The body is not valid JSON or does not have the expected shape.
    MalformedJson,
    /// The body is larger than the configured limit.
    PayloadTooLarge,
    /// The body's content type is not one this endpoint accepts.
    UnsupportedMediaType,
    /// The client stopped sending its body midway; nothing was stored.
    RequestTimeout,
    /// A query-string or path parameter is malformed.
    InvalidParameter,
    /// A pagination cursor was not issued by this server.
    InvalidCursor,
    /// A search query is malformed (unbalanced quotes, too long…).
    InvalidQuery,
    /// A GraphQL document does not parse or does not validate against the schema (unknown
    /// field, wrong argument type, too deep or too complex); nothing was resolved.
    InvalidGraphql,
    /// A GraphQL request would cost more than one request may (aliases, list sizes and
    /// expensive fields counted across the whole batch); nothing was resolved.
    QueryTooComplex,
    /// A GraphQL batch holds more operations than one request may; nothing was resolved.
    BatchTooLarge,
    /// The input is well-formed but breaks a rule; see `errors`.
    ValidationFailed,
    /// Not an IMEI: wrong length, not digits, or a bad check digit (`errors` says which).
    InvalidImei,
    /// The change is not allowed from the record's current state (e.g. recovering a device
    /// that is not listed).
    InvalidTransition,
    /// Biometric enrolment without an active consent of the subject.
    ConsentRequired,
    /// A programme's applications closed before this arrived (server time decides).
    DeadlinePassed,
    /// A programme's applications are not open yet.
    NotYetOpen,
    /// A stored biometric template failed authentication (altered on disk, or a key is
    /// missing): it is never matched.
    TemplateUnreadable,
    /// The record already exists (e.g. a taken slug).
    Conflict,
    /// A byte range past the end of a file; `Content-Range` gives its length.
    RangeNotSatisfiable,
    /// No or invalid credentials.
    Unauthenticated,
    /// Credentials are valid but do not allow this.
    Forbidden,
    /// The caller's token lacks the scope this needs.
    InsufficientScope,
    /// A federated login could not be completed (state, issuer, ID token…).
    LoginFailed,
    /// OAuth2 token endpoint: client authentication failed (RFC 6749 `invalid_client`).
    InvalidClient,
    /// OAuth2 token endpoint: bad request (RFC 6749 `invalid_request`, `invalid_scope`,
    /// `unsupported_grant_type`; the OAuth2 name is in `error`).
    InvalidGrant,
    /// Too many requests; retry after the given time.
    RateLimited,
    /// A dependency (database, index, object store) is unavailable; retry later.
    ServiceUnavailable,
    /// Not yet built in this version; the message says what is missing.
    NotImplemented,
    /// A bug or an unexpected failure on the server's side.
    Internal,
}

impl ErrorCode {
    pub fn status(self) -> StatusCode {
        match self {
            Self::RouteNotFound | Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::MalformedJson
            | Self::InvalidParameter
            | Self::InvalidCursor
            | Self::InvalidQuery
            | Self::InvalidGraphql
            | Self::QueryTooComplex
            | Self::BatchTooLarge => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Self::InvalidImei => StatusCode::BAD_REQUEST,
            Self::InvalidTransition => StatusCode::CONFLICT,
            Self::ConsentRequired => StatusCode::FORBIDDEN,
            Self::DeadlinePassed | Self::NotYetOpen => StatusCode::CONFLICT,
            Self::TemplateUnreadable => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Conflict => StatusCode::CONFLICT,
            Self::RangeNotSatisfiable => StatusCode::RANGE_NOT_SATISFIABLE,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::InsufficientScope => StatusCode::FORBIDDEN,
            Self::LoginFailed | Self::InvalidClient => StatusCode::UNAUTHORIZED,
            Self::InvalidGrant => StatusCode::BAD_REQUEST,
            Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotImplemented => StatusCode::NOT_IMPLEMENTED,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RouteNotFound => "route_not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::NotFound => "not_found",
            Self::MalformedJson => "malformed_json",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RequestTimeout => "request_timeout",
            Self::InvalidParameter => "invalid_parameter",
            Self::InvalidCursor => "invalid_cursor",
            Self::InvalidQuery => "invalid_query",
            Self::InvalidGraphql => "invalid_graphql",
            Self::QueryTooComplex => "query_too_complex",
            Self::BatchTooLarge => "batch_too_large",
            Self::ValidationFailed => "validation_failed",
            Self::InvalidImei => "invalid_imei",
            Self::InvalidTransition => "invalid_transition",
            Self::ConsentRequired => "consent_required",
            Self::DeadlinePassed => "deadline_passed",
            Self::NotYetOpen => "not_yet_open",
            Self::TemplateUnreadable => "template_unreadable",
            Self::Conflict => "conflict",
            Self::RangeNotSatisfiable => "range_not_satisfiable",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::InsufficientScope => "insufficient_scope",
            Self::LoginFailed => "login_failed",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::RateLimited => "rate_limited",
            Self::ServiceUnavailable => "service_unavailable",
            Self::NotImplemented => "not_implemented",
            Self::Internal => "internal",
        }
    }

    /// The short, human title of the problem type (RFC 9457 `title`).
    pub fn title(self) -> &'static str {
        match self {
            Self::RouteNotFound => "No such route",
            Self::MethodNotAllowed => "Method not allowed",
            Self::NotFound => "Not found",
            Self::MalformedJson => "Malformed JSON body",
            Self::PayloadTooLarge => "Request body too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::RequestTimeout => "Request body timed out",
            Self::InvalidParameter => "Invalid parameter",
            Self::InvalidCursor => "Invalid cursor",
            Self::InvalidQuery => "Invalid search query",
            Self::InvalidGraphql => "Invalid GraphQL document",
            Self::QueryTooComplex => "GraphQL request too complex",
            Self::BatchTooLarge => "GraphQL batch too large",
            Self::ValidationFailed => "Validation failed",
            Self::InvalidImei => "Invalid IMEI",
            Self::InvalidTransition => "Not allowed in the current state",
            Self::ConsentRequired => "Consent required",
            Self::DeadlinePassed => "Deadline passed",
            Self::NotYetOpen => "Not open yet",
            Self::TemplateUnreadable => "Stored template unreadable",
            Self::Conflict => "Conflict",
            Self::RangeNotSatisfiable => "Range not satisfiable",
            Self::Unauthenticated => "Authentication required",
            Self::Forbidden => "Forbidden",
            Self::InsufficientScope => "Insufficient scope",
            Self::LoginFailed => "Login failed",
            Self::InvalidClient => "Client authentication failed",
            Self::InvalidGrant => "Invalid token request",
            Self::RateLimited => "Too many requests",
            Self::ServiceUnavailable => "Service unavailable",
            Self::NotImplemented => "Not implemented",
            Self::Internal => "Internal error",
        }
    }

    /// The RFC 9457 `type`: a URN, stable and absolute without needing to be fetched.
    pub fn type_uri(self) -> String {
        format!("urn:silkbridge:problem:{}", self.as_str())
    }
}

/// One rule broken by one field of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as a JSON pointer-like path (`names.uz-Latn`).
    pub field: String,
    /// A machine-readable reason (`required`, `too_long`, `unknown_value`, …).
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// A failure with its client-facing code and its internal cause.
pub struct ApiError {
    pub code: ErrorCode,
    /// Safe to show the client; for `Internal` a generic sentence.
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Seconds, for `RateLimited` and `ServiceUnavailable`.
    pub retry_after: Option<u64>,
    /// For the OAuth2 token endpoint: the RFC 6749 error name, rendered as `error`.
    pub oauth_error: Option<&'static str>,
    /// For `RangeNotSatisfiable`: the file's length, rendered as `Content-Range: bytes */N`.
    pub complete_length: Option<u64>,
    source: Option<anyhow::Error>,
    location: &'static Location<'static>,
}

/// Shorthand for service and handler results.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    #[track_caller]
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            oauth_error: None,
            complete_length: None,
            source: None,
            location: Location::caller(),
        }
    }

    #[track_caller]
    pub fn not_found(what: impl fmt::Display) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    #[track_caller]
    pub fn invalid_parameter(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidParameter, detail)
    }

    /// Input that breaks rules, one entry per field.
    #[track_caller]
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("invalid input in: {}", fields.join(", "));
        Self {
            errors,
            ..Self::new(ErrorCode::ValidationFailed, detail)
        }
    }

    /// An unexpected failure: the client sees a generic message, the log sees `cause`.
    #[track_caller]
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            source: Some(cause.into()),
            ..Self::new(
                ErrorCode::Internal,
                "an internal error occurred; it has been logged",
            )
        }
    }

    #[track_caller]
    pub fn unavailable(detail: impl Into<String>, cause: impl Into<anyhow::Error>) -> Self {
        Self {
            source: Some(cause.into()),
            retry_after: Some(5),
            ..Self::new(ErrorCode::ServiceUnavailable, detail)
        }
    }

    /// Marks the error as an OAuth2 token-endpoint error named `error` (RFC 6749 5.2).
    pub fn oauth(mut self, error: &'static str) -> Self {
        self.oauth_error = Some(error);
        self
    }

    /// Adds field errors (the reasons behind an error that is not a validation failure).
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors.extend(errors);
        self
    }

    /// Adds more field errors to a validation failure, keeping its detail in step.
    pub fn extend_errors(&mut self, errors: Vec<FieldError>) {
        if errors.is_empty() {
            return;
        }
        self.errors.extend(errors);
        if self.code == ErrorCode::ValidationFailed {
            let fields: Vec<&str> = self.errors.iter().map(|e| e.field.as_str()).collect();
            self.detail = format!("invalid input in: {}", fields.join(", "));
        }
    }

    /// The same error under another code (e.g. a field error that is a conflict).
    pub fn with_code(mut self, code: ErrorCode) -> Self {
        self.code = code;
        self
    }

    pub fn with_source(mut self, cause: impl Into<anyhow::Error>) -> Self {
        self.source = Some(cause.into());
        self
    }

    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }

    /// The RFC 9457 body; `instance` and `request_id` are known only to the middleware.
    pub fn problem(&self, instance: Option<&str>, request_id: Option<&str>) -> Problem {
        Problem {
            type_uri: self.code.type_uri(),
            title: self.code.title().to_owned(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            instance: instance.map(str::to_owned),
            request_id: request_id.map(str::to_owned),
            errors: self.errors.clone(),
            error: self.oauth_error.or(match self.code {
                ErrorCode::InvalidClient => Some("invalid_client"),
                ErrorCode::InvalidGrant => Some("invalid_request"),
                _ => None,
            }),
            error_description: None,
        }
    }

    /// Writes the error to the log: server faults at `error` with cause and location,
    /// client mistakes at `debug`.
    pub fn log(&self, request_id: Option<&str>) {
        let cause = self.source.as_ref().map(|e| format!("{e:#}"));
        if self.code.status().is_server_error() {
            tracing::error!(
                code = self.code.as_str(),
                request_id,
                at = %self.location,
                cause = cause.as_deref(),
                "{}",
                self.detail
            );
        } else {
            tracing::debug!(code = self.code.as_str(), request_id, "{}", self.detail);
        }
    }

    /// Converts into a GraphQL error carrying the same code (and field errors).
    pub fn into_graphql(self) -> async_graphql::Error {
        self.log(None);
        let mut error = async_graphql::Error::new(self.detail.clone());
        let code = self.code.as_str();
        let status = self.code.status().as_u16();
        let errors = self.errors.clone();
        error = error.extend_with(|_, ext| {
            ext.set("code", code);
            ext.set("status", status);
            if !errors.is_empty() {
                let list: Vec<async_graphql::Value> = errors
                    .iter()
                    .map(|e| {
                        let mut map = async_graphql::indexmap::IndexMap::new();
                        map.insert(async_graphql::Name::new("field"), e.field.clone().into());
                        map.insert(async_graphql::Name::new("code"), e.code.clone().into());
                        map.insert(
                            async_graphql::Name::new("message"),
                            e.message.clone().into(),
                        );
                        async_graphql::Value::Object(map)
                    })
                    .collect();
                ext.set("errors", async_graphql::Value::List(list));
            }
        });
        error
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("code", &self.code)
            .field("detail", &self.detail)
            .field("source", &self.source)
            .field("location", &format_args!("{}", self.location))
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)
    }
}

impl std::error::Error for ApiError {}

/// The RFC 9457 problem details body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code; the same value GraphQL puts in `extensions.code`.
    pub code: ErrorCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The id in the response's `x-request-id` header, for reports and log searches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// OAuth2 token endpoint only: the RFC 6749 error name, so OAuth2 client libraries
    /// understand the answer too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

/// The media type of problem bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

impl ApiError {
    /// The full HTTP response for this error.
    pub fn to_response(&self, instance: Option<&str>, request_id: Option<&str>) -> HttpResponse {
        let mut builder = HttpResponse::build(self.code.status());
        let mut problem = self.problem(instance, request_id);
        if problem.error.is_some() {
            // RFC 6749 clients expect application/json with `error`; the problem members ride along.
            problem.error_description = Some(self.detail.clone());
            builder.content_type("application/json");
            builder.insert_header(("cache-control", "no-store"));
        } else {
            builder.content_type(PROBLEM_JSON);
        }
        if let Some(seconds) = self.retry_after {
            builder.insert_header(("retry-after", seconds.to_string()));
        }
        if let Some(length) = self.complete_length {
            builder.insert_header(("content-range", format!("bytes */{length}")));
        }
        if self.code == ErrorCode::Unauthenticated {
            builder.insert_header(("www-authenticate", "Bearer"));
        }
        if self.code == ErrorCode::InvalidClient {
            builder.insert_header(("www-authenticate", "Basic realm=\"silkbridge\""));
        }
        builder.json(problem)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        // The request middleware re-renders this with `instance` and `request_id`.
        self.to_response(None, None)
    }
}

impl From<silkbridge_schema::DbError> for ApiError {
    #[track_caller]
    fn from(error: silkbridge_schema::DbError) -> Self {
        use silkbridge_schema::DbError;
        if error.is_not_found() {
            return Self::new(ErrorCode::NotFound, "record not found");
        }
        if error.is_unique_violation() {
            return Self::new(
                ErrorCode::Conflict,
                "a record with the same key already exists",
            )
            .with_source(error);
        }
        match error {
            DbError::Pool(_) | DbError::Connect { .. } => {
                Self::unavailable("the database is unavailable; retry shortly", error)
            }
            other => Self::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_statuses_and_urns() {
        assert_eq!(ErrorCode::NotFound.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            ErrorCode::ValidationFailed.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            ErrorCode::PayloadTooLarge.type_uri(),
            "urn:silkbridge:problem:payload_too_large"
        );
        let json = serde_json::to_value(ErrorCode::MalformedJson).ok();
        assert_eq!(json, Some(serde_json::json!("malformed_json")));
    }

    #[test]
    fn internal_errors_never_show_their_cause() {
        let error = ApiError::internal(anyhow::anyhow!("password=hunter2 in connection string"));
        let body =
            serde_json::to_string(&error.problem(Some("/x"), Some("r1"))).unwrap_or_default();
        assert!(!body.contains("hunter2"), "{body}");
        assert!(body.contains("\"code\":\"internal\""), "{body}");
    }

    #[test]
    fn graphql_errors_carry_the_code() {
        let error = ApiError::not_found("organisation `x`").into_graphql();
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .cloned();
        assert_eq!(code, Some(async_graphql::Value::from("not_found")));
    }
}
