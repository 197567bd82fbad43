//! File transfer shared by every module that stores files (listing media, publication files,
//! dataset resources, documents): upload checks and error mapping, and streamed downloads
//! with single byte-range requests (RFC 9110 §14), so a 1 GiB file never sits in memory and
//! an interrupted download resumes where it stopped.

use std::sync::Arc;

use actix_web::http::header::{self, ByteRangeSpec, Range};
use actix_web::{HttpRequest, HttpResponse};
use futures_util::TryStreamExt;
use object_store::{GetOptions, GetRange, ObjectStore};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::storage::StreamError;

/// A file received by `receive`: where it is, what it is, and what the client called it.
#[derive(Debug, Clone)]
pub struct Received {
    pub object_key: String,
    pub file_name: String,
    /// The checked media type.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// Where an upload goes and how large it may be.
#[derive(Debug, Clone)]
pub struct Destination {
    pub object_key: String,
    pub max_bytes: u64,
}

/// The whole raw-body upload flow every module shares: check the name, stream the body into
/// `object_key` (hashed, capped at `max_bytes`, its first bytes checked by `check`, which
/// returns the media type to record), then `record` it in a write transaction. If recording
/// fails the object is deleted again: the database is the source of truth, and nothing it
/// does not know of may linger in the store.
pub async fn receive<T, F>(
    state: &crate::state::AppState,
    req: &HttpRequest,
    params: UploadParams,
    payload: actix_web::web::Payload,
    destination: Destination,
    check: impl FnOnce(&[u8], Option<&str>) -> Result<String, String>,
    record: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut silkbridge_schema::DbConnection, Received) -> ApiResult<T> + Send + 'static,
{
    use object_store::ObjectStoreExt;

    let file_name = checked_file_name(&params.file_name)?;
    let declared = declared_type(req);
    let Destination {
        object_key,
        max_bytes,
    } = destination;
    let path = object_store::path::Path::from(object_key.as_str());
    let mut content_type = String::new();
    let stored =
        crate::storage::store_stream(state.objects.clone(), &path, payload, max_bytes, |head| {
            content_type = check(head, declared.as_deref())?;
            Ok(())
        })
        .await?;
    let received = Received {
        object_key,
        file_name,
        content_type,
        size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
        sha256: stored.sha256,
    };
    let recorded = state.write(move |conn| record(conn, received)).await;
    if recorded.is_err() {
        let _ = state.objects.delete(&path).await;
    }
    recorded
}

/// The uploaded file's name, given with a raw-body upload.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// Shown to downloaders; no path separators, at most 200 characters.
    pub file_name: String,
}

/// What a download needs to know about a stored file.
#[derive(Debug, Clone)]
pub struct StoredFile<'a> {
    pub object_key: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
}

impl From<StreamError> for ApiError {
    fn from(error: StreamError) -> Self {
        match error {
            StreamError::TooLarge { .. } => {
                ApiError::new(ErrorCode::PayloadTooLarge, error.to_string())
            }
            StreamError::Refused(message) => {
                ApiError::new(ErrorCode::UnsupportedMediaType, message)
            }
            StreamError::Body(message) => {
                ApiError::invalid_parameter(format!("the upload broke off: {message}"))
            }
            StreamError::Store(cause) => {
                ApiError::unavailable("the file store is unavailable", cause)
            }
        }
    }
}

/// A client-given file name: 1 to 200 characters, no path separators or control characters.
pub fn checked_file_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > 200
        || name.contains(['/', '\\'])
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::invalid_parameter(
            "file_name must be 1 to 200 characters without / or \\",
        ));
    }
    Ok(name.to_owned())
}

/// The request's declared media type, without parameters.
pub fn declared_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or(v).trim().to_ascii_lowercase())
}

/// The byte range to send, if the request asks for one this server honours: a single range
/// (several are answered with the whole file, which RFC 9110 allows), and only while
/// `If-Range` still names this content.
fn wanted_range(req: &HttpRequest, etag: &str, size: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(value) = req.headers().get(header::RANGE) else {
        return Ok(None);
    };
    if let Some(if_range) = req.headers().get(header::IF_RANGE)
        && if_range.to_str().ok() != Some(etag)
    {
        return Ok(None);
    }
    let Ok(Range::Bytes(specs)) = value
        .to_str()
        .map_err(drop)
        .and_then(|text| text.parse::<Range>().map_err(drop))
    else {
        // A malformed or non-byte Range header is ignored (RFC 9110 §14.2).
        return Ok(None);
    };
    match specs.as_slice() {
        [one] => one.to_satisfiable_range(size).map(Some).ok_or(()),
        [] => Ok(None),
        many => {
            if many
                .iter()
                .all(|s: &ByteRangeSpec| s.to_satisfiable_range(size).is_none())
            {
                Err(())
            } else {
                Ok(None)
            }
        }
    }
}

/// Streams a stored file to the client: whole (200), one range (206), not modified (304), or
/// a 416 problem for a range past its end. Always `nosniff` and with an RFC 6266 file name.
pub async fn serve(
    req: &HttpRequest,
    objects: &Arc<dyn ObjectStore>,
    file: StoredFile<'_>,
) -> ApiResult<HttpResponse> {
    let etag = format!("\"{}\"", file.sha256);
    let size = u64::try_from(file.size_bytes).unwrap_or(0);
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    let range = match wanted_range(req, &etag, size) {
        Ok(range) => range,
        Err(()) => {
            let mut error = ApiError::new(
                ErrorCode::RangeNotSatisfiable,
                format!("the file has {size} bytes"),
            );
            error.complete_length = Some(size);
            return Err(error);
        }
    };
    let options = GetOptions {
        range: range.map(|(start, end)| GetRange::Bounded(start..end + 1)),
        ..GetOptions::default()
    };
    let object = objects
        .get_opts(&object_store::path::Path::from(file.object_key), options)
        .await
        .map_err(|e| ApiError::unavailable("the file store is unavailable", e))?;
    let encoded: String = url::form_urlencoded::byte_serialize(file.file_name.as_bytes()).collect();
    let mut response = match range {
        Some((start, end)) => {
            let mut partial = HttpResponse::PartialContent();
            partial
                .insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}")))
                .insert_header((header::CONTENT_LENGTH, (end - start + 1).to_string()));
            partial
        }
        None => {
            let mut whole = HttpResponse::Ok();
            whole.insert_header((header::CONTENT_LENGTH, size.to_string()));
            whole
        }
    };
    Ok(response
        .content_type(file.content_type)
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename*=UTF-8''{encoded}"),
        ))
        .streaming(
            object
                .into_stream()
                .map_err(actix_web::error::ErrorServiceUnavailable),
        ))
}
