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
use crate::storage::{StreamError, Upload};

/// The upload a raw-body request carries: its checked file name, its declared type and the
/// body stream. What happens to it is the module service's business (`storage::receive`).
pub fn raw_upload(
    req: &HttpRequest,
    params: UploadParams,
    payload: actix_web::web::Payload,
) -> ApiResult<Upload<actix_web::web::Payload>> {
    Ok(Upload {
        file_name: checked_file_name(&params.file_name)?,
        declared: declared_type(req),
        body: payload,
    })
}

/// The check for uploads that may be of any data type (dataset resources, documents):
/// executables are refused whatever they are called, the sniffed type wins over the declared
/// one (except inside ZIP containers such as XLSX), and declared text must be UTF-8 text.
pub fn check_any_data(head: &[u8], declared: Option<&str>) -> Result<String, String> {
    const REFUSED: &[&str] = &[
        "application/vnd.microsoft.portable-executable",
        "application/x-executable",
        "application/x-elf",
        "application/x-mach-binary",
        "application/x-msdownload",
        "application/x-sharedlib",
    ];
    if let Some(kind) = infer::get(head) {
        let sniffed = kind.mime_type();
        if REFUSED.contains(&sniffed) {
            return Err(format!("files of type {sniffed} are not accepted"));
        }
        return Ok(match declared {
            Some(declared) if declared == sniffed => declared.to_owned(),
            // Containers: an XLSX or a zipped shapefile is a ZIP to `infer` too.
            Some(declared) if sniffed == "application/zip" => declared.to_owned(),
            _ => sniffed.to_owned(),
        });
    }
    let declared = declared.unwrap_or("application/octet-stream");
    let text_like =
        declared.starts_with("text/") || declared.ends_with("json") || declared.ends_with("xml");
    if text_like {
        let is_text = !head.contains(&0)
            && match std::str::from_utf8(head) {
                Ok(_) => true,
                Err(error) => error.error_len().is_none(),
            };
        if !is_text {
            return Err(format!(
                "the file was sent as {declared} but is not UTF-8 text"
            ));
        }
    }
    Ok(declared.to_owned())
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

/// The [`StoredFile`] of a row from any file table (publication files, listing media,
/// document files): they share these five columns, so each download handler names its row once.
macro_rules! stored_file_of {
    ($row:expr) => {
        $crate::http::files::StoredFile {
            object_key: &$row.object_key,
            file_name: &$row.file_name,
            content_type: &$row.content_type,
            size_bytes: $row.size_bytes,
            sha256: &$row.sha256,
        }
    };
}
pub(crate) use stored_file_of;

impl From<StreamError> for ApiError {
    fn from(error: StreamError) -> Self {
        match error {
            StreamError::TooLarge { .. } => {
                ApiError::new(ErrorCode::PayloadTooLarge, error.to_string())
            }
            StreamError::Refused(message) => {
                ApiError::new(ErrorCode::UnsupportedMediaType, message)
            }
            StreamError::Invalid(message) => {
                ApiError::validation(vec![crate::error::FieldError::new(
                    "file",
                    "malformed_content",
                    message,
                )])
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

/// The policy of every file response: a file someone uploaded is never a page of the
/// platform's origin. Even opened inline it runs no script, loads nothing, submits no form
/// and is framed by no one.
pub const FILE_CSP: &str = "sandbox; default-src 'none'; frame-ancestors 'none'";

/// Whether a stored file may be shown in the browser rather than downloaded: only inert
/// types that carry no script (raster images, PDF, plain text). HTML, SVG, XHTML, XML and
/// everything else are attachments, whatever the uploader declared.
pub fn shown_inline(content_type: &str) -> bool {
    const INLINE: &[&str] = &[
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "application/pdf",
        "text/plain",
    ];
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    INLINE.contains(&essence.as_str())
}

/// Streams a stored file to the client: whole (200), one range (206), not modified (304), or
/// a 416 problem for a range past its end. Always `nosniff` and with an RFC 6266 file name.
pub async fn serve(
    req: &HttpRequest,
    objects: &Arc<dyn ObjectStore>,
    file: StoredFile<'_>,
) -> ApiResult<HttpResponse> {
    if let Some(elsewhere) = super::file_links::redirect(req, &file)? {
        return Ok(elsewhere);
    }
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
    let disposition = if shown_inline(file.content_type) {
        "inline"
    } else {
        "attachment"
    };
    Ok(response
        .content_type(file.content_type)
        .insert_header((header::ETAG, etag))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, FILE_CSP))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename*=UTF-8''{encoded}"),
        ))
        .streaming(
            object
                .into_stream()
                .map_err(actix_web::error::ErrorServiceUnavailable),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(crate::fuzzing::config())]

        /// Fuzz target: any Range and If-Range header is a satisfiable range inside the
        /// file, the whole file, or a 416; never a panic or a range past the end.
        #[test]
        fn fuzz_range_headers(
            range in "bytes=([0-9]{0,20}-[0-9]{0,20},? ?){0,4}|[a-z]{0,6}=.{0,20}|.{0,30}",
            if_range in proptest::option::of("\"[a-f0-9]{0,4}\"|.{0,10}"),
            size in 0u64..10_000_000,
        ) {
            let mut request = actix_web::test::TestRequest::default();
            if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&range) {
                request = request.insert_header((header::RANGE, value));
            }
            if let Some(if_range) = if_range
                && let Ok(value) = actix_web::http::header::HeaderValue::from_str(&if_range)
            {
                request = request.insert_header((header::IF_RANGE, value));
            }
            let request = request.to_http_request();
            if let Ok(Some((start, end))) = wanted_range(&request, "\"ab12\"", size) {
                proptest::prop_assert!(start <= end && end < size, "{start}-{end} of {size}");
            }
        }
    }

    #[test]
    fn only_inert_types_are_shown_inline() {
        for inline in [
            "image/png",
            "IMAGE/JPEG",
            "application/pdf",
            "text/plain; charset=utf-8",
        ] {
            assert!(shown_inline(inline), "{inline}");
        }
        for attachment in [
            "text/html",
            "image/svg+xml",
            "application/xhtml+xml",
            "application/xml",
            "text/xml",
            "text/javascript",
            "application/octet-stream",
            "text/csv",
            "",
        ] {
            assert!(!shown_inline(attachment), "{attachment}");
        }
    }

    #[test]
    fn any_data_but_executables_and_text_must_be_text() {
        assert!(check_any_data(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", None).is_err());
        assert_eq!(
            check_any_data(b"a,b\n1,2\n", Some("text/csv")).as_deref(),
            Ok("text/csv")
        );
        assert!(check_any_data(b"a,b\n\x00\x00", Some("text/csv")).is_err());
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
        assert_eq!(
            check_any_data(pdf, Some("text/csv")).as_deref(),
            Ok("application/pdf")
        );
        assert_eq!(
            check_any_data(b"\x01\x02\x03", None).as_deref(),
            Ok("application/octet-stream")
        );
    }
}
