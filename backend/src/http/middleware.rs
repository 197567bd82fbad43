//! One middleware around every request: assigns the request id, logs the request, records
//! metrics, and makes sure every error leaves as `application/problem+json`, whichever layer
//! produced it (a handler's `ApiError`, an extractor, or actix itself).

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use futures_util::FutureExt;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tracing::Instrument;

use crate::error::{ApiError, ErrorCode};
use crate::http::metrics::Metrics;

/// The header carrying the request id in both directions.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request, in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Accepts a caller's id if it is short and plain (so it cannot inject into logs), else makes one.
fn request_id_of(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// The code for an error response that no `ApiError` describes.
fn code_for_status(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::NOT_FOUND => ErrorCode::RouteNotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthenticated,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::ServiceUnavailable,
        s if s.is_client_error() => ErrorCode::InvalidParameter,
        _ => ErrorCode::Internal,
    }
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = request_id_of(&req);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let span = tracing::info_span!("request", request_id = %request_id, %method, %path);

    // A handler that panics must not reset the client's connection: the panic is logged
    // and answered as a 500 problem (and any upload it held is aborted by its writer's guard).
    // The request went down with the handler, so the answer leaves as a service error, which
    // the server renders through `Panicked`'s `error_response`.
    let outcome = AssertUnwindSafe(next.call(req).instrument(span.clone()))
        .catch_unwind()
        .await;
    let response = match outcome {
        Ok(response) => response?.map_into_boxed_body(),
        Err(panic) => {
            let message = panic_message(panic.as_ref());
            span.in_scope(|| tracing::error!(panic = %message, "a handler panicked"));
            if let Some(metrics) = &metrics {
                metrics.observe_request(&method_of(&method), "<panicked>", 500, started.elapsed());
            }
            return Err(Panicked { path, request_id }.into());
        }
    };
    let mut response = problem_for_errors(response, &path, &request_id);
    security_headers(response.headers_mut());

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    let status = response.status();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "<unmatched>".to_owned());
    let elapsed = started.elapsed();
    if let Some(metrics) = metrics {
        metrics.observe_request(
            response.request().method(),
            &route,
            status.as_u16(),
            elapsed,
        );
    }
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        );
    });
    Ok(response)
}

/// The answer to a request whose handler panicked.
#[derive(Debug)]
struct Panicked {
    path: String,
    request_id: String,
}

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the handler of {} panicked", self.path)
    }
}

impl actix_web::ResponseError for Panicked {
    fn error_response(&self) -> actix_web::HttpResponse {
        let error = ApiError::new(
            ErrorCode::Internal,
            "an internal error occurred; it has been logged",
        );
        let mut response = error.to_response(Some(&self.path), Some(&self.request_id));
        security_headers(response.headers_mut());
        if let Ok(value) = HeaderValue::from_str(&self.request_id) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
        }
        response
    }
}

fn method_of(name: &str) -> actix_web::http::Method {
    actix_web::http::Method::from_bytes(name.as_bytes()).unwrap_or(actix_web::http::Method::GET)
}

/// The text of a panic's payload, for the log.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Headers every response carries, whatever produced it: no MIME sniffing, no referrer to
/// other origins, and no framing by other sites (clickjacking). File downloads add their own
/// sandboxing policy (`http::files`); a handler's own `Content-Security-Policy` is kept.
pub fn security_headers(headers: &mut actix_web::http::header::HeaderMap) {
    use actix_web::http::header;
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
    }
}

/// Re-renders error responses as problem+json carrying `instance` and `request_id`.
fn problem_for_errors(
    response: ServiceResponse<BoxBody>,
    path: &str,
    request_id: &str,
) -> ServiceResponse<BoxBody> {
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }
    if let Some(api_error) = response
        .response()
        .error()
        .and_then(|e| e.as_error::<ApiError>())
    {
        api_error.log(Some(request_id));
        let rendered = api_error.to_response(Some(path), Some(request_id));
        return response.into_response(rendered);
    }
    // Responses with a body of their own (GraphQL, readiness reports) keep it.
    if response.headers().contains_key(CONTENT_TYPE) && response.response().error().is_none() {
        return response;
    }
    let mut code = code_for_status(status);
    // actix puts the method guard on the resource, so a known path with another method
    // arrives here as a 404: tell the client the truth.
    if code == ErrorCode::RouteNotFound && response.request().resource_map().has_resource(path) {
        code = ErrorCode::MethodNotAllowed;
    }
    let detail = match response.response().error() {
        Some(e) if code != ErrorCode::Internal => e.to_string(),
        Some(e) => {
            tracing::error!(request_id, error = %e, "unhandled error");
            "an internal error occurred; it has been logged".to_owned()
        }
        None if code == ErrorCode::RouteNotFound => format!("no route for {path}"),
        None if code == ErrorCode::MethodNotAllowed => {
            format!("{path} does not answer {}", response.request().method())
        }
        None => code.title().to_owned(),
    };
    let rendered = ApiError::new(code, detail).to_response(Some(path), Some(request_id));
    response.into_response(rendered)
}

#[cfg(test)]
mod tests {
    use actix_web::{App, test as actix_test, web};

    use super::*;

    #[actix_web::test]
    async fn a_panicking_handler_is_a_500_problem_not_a_reset_connection() {
        let app = actix_test::init_service(
            App::new()
                .route(
                    "/boom",
                    web::get().to(|| async {
                        if true {
                            panic!("a bug in a handler");
                        }
                        "unreachable"
                    }),
                )
                .wrap(actix_web::middleware::from_fn(observe)),
        )
        .await;
        let request = actix_test::TestRequest::get().uri("/boom").to_request();
        let Err(error) = actix_test::try_call_service(&app, request).await else {
            panic!("the panic is a service error");
        };
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json")
        );
        assert!(response.headers().contains_key(REQUEST_ID_HEADER));
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "internal");
        assert_eq!(problem["instance"], "/boom");
    }
}
