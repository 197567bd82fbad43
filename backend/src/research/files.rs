//! Files of publications (full texts, supplements, data): streamed into the object store,
//! checked for their real type, hashed, and served back under the publication's visibility.

use chrono::NaiveDateTime;
use serde::Serialize;
use silkbridge_schema::models::PublicationFile;
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;

use super::rules::{editable, readable};
use super::store;
use crate::changes;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;

/// Files one publication may carry.
pub const MAX_PER_PUBLICATION: i64 = 50;

/// Types recognised by their first bytes.
const SNIFFED_TYPES: &[&str] = &[
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-tar",
    "application/x-7z-compressed",
    "application/epub+zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "image/webp",
];

/// Text types, which carry no magic bytes: accepted as declared when the start is UTF-8
/// text without NUL bytes.
const TEXT_TYPES: &[&str] = &[
    "text/plain",
    "text/csv",
    "text/tab-separated-values",
    "text/markdown",
    "application/json",
    "application/xml",
    "text/xml",
    "application/x-bibtex",
    "application/x-research-info-systems",
];

/// A file attached to a publication.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "PublicationFile")]
#[schema(as = PublicationFile)]
pub struct FileView {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// Where to download it (supports `Range`).
    pub url: String,
    pub created_at: NaiveDateTime,
}

pub fn view(row: PublicationFile) -> FileView {
    FileView {
        url: format!(
            "/api/v1/research/publications/{}/files/{}",
            row.publication_id, row.id
        ),
        id: row.id,
        file_name: row.file_name,
        content_type: row.content_type,
        size_bytes: row.size_bytes,
        sha256: row.sha256,
        created_at: row.created_at,
    }
}

/// Where a new file of `publication_id` goes, after checking the caller may add one.
pub fn prepare_upload(
    conn: &mut DbConnection,
    caller: &Caller,
    publication_id: &str,
) -> ApiResult<(String, String)> {
    editable(conn, caller, publication_id)?;
    if store::count_files(conn, publication_id)? >= MAX_PER_PUBLICATION {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("a publication carries at most {MAX_PER_PUBLICATION} files"),
        ));
    }
    let id = ids::new_id();
    Ok((id.clone(), format!("research/{publication_id}/{id}")))
}

/// Checks an upload's first bytes: a recognised binary type that matches the declared one,
/// or declared text that is text.
pub fn check_content(head: &[u8], declared: Option<&str>) -> Result<String, String> {
    if let Some(kind) = infer::get(head) {
        let sniffed = kind.mime_type();
        if !SNIFFED_TYPES.contains(&sniffed) {
            return Err(format!("files of type {sniffed} are not accepted"));
        }
        return match declared {
            Some(declared) if declared != sniffed && declared != "application/octet-stream" => {
                Err(format!("the file is {sniffed} but was sent as {declared}"))
            }
            _ => Ok(sniffed.to_owned()),
        };
    }
    match declared {
        Some(declared) if TEXT_TYPES.contains(&declared) => {
            // The head may end inside a multi-byte character: only an error before that counts.
            let text_like = !head.contains(&0)
                && match std::str::from_utf8(head) {
                    Ok(_) => true,
                    Err(error) => error.error_len().is_none(),
                };
            if text_like {
                Ok(declared.to_owned())
            } else {
                Err(format!(
                    "the file was sent as {declared} but is not UTF-8 text"
                ))
            }
        }
        Some(declared) => Err(format!(
            "the file's type could not be confirmed as {declared}; accepted: {}, or text sent as {}",
            SNIFFED_TYPES.join(", "),
            TEXT_TYPES.join(", ")
        )),
        None => Err("send the file's Content-Type".into()),
    }
}

/// Records an uploaded file (re-checking the publication, which may have changed meanwhile).
pub fn record(
    conn: &mut DbConnection,
    caller: &Caller,
    row: PublicationFile,
) -> ApiResult<FileView> {
    prepare_upload(conn, caller, &row.publication_id)?;
    store::insert_file(conn, &row)?;
    changes::audit(
        conn,
        &caller.actor(),
        "publication.file_add",
        &format!("publication:{}", row.publication_id),
        serde_json::json!({"file": row.id, "sha256": row.sha256}),
    )?;
    Ok(view(row))
}

/// A file the caller may download: the publication's own visibility decides.
pub fn find(
    conn: &mut DbConnection,
    caller: &Caller,
    publication_id: &str,
    file_id: &str,
) -> ApiResult<PublicationFile> {
    readable(conn, caller, publication_id)?;
    store::file(conn, publication_id, file_id)?
        .ok_or_else(|| ApiError::not_found(format_args!("file `{file_id}`")))
}

/// Removes a file's record; returns its object key for the caller to delete.
pub fn remove(
    conn: &mut DbConnection,
    caller: &Caller,
    publication_id: &str,
    file_id: &str,
) -> ApiResult<String> {
    editable(conn, caller, publication_id)?;
    let row = store::file(conn, publication_id, file_id)?
        .ok_or_else(|| ApiError::not_found(format_args!("file `{file_id}`")))?;
    store::delete_file(conn, &row.id)?;
    changes::audit(
        conn,
        &caller.actor(),
        "publication.file_remove",
        &format!("publication:{publication_id}"),
        serde_json::json!({"file": row.id}),
    )?;
    Ok(row.object_key)
}

/// Which of `keys` (object-store keys) are files of this module, for the object sweeper.
pub fn known_object_keys(
    conn: &mut silkbridge_schema::DbConnection,
    keys: &[String],
) -> crate::error::ApiResult<Vec<String>> {
    Ok(super::store::known_object_keys(conn, keys)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_files_must_be_what_they_claim_and_text_must_be_text() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
        assert_eq!(
            check_content(pdf, Some("application/pdf")).as_deref(),
            Ok("application/pdf")
        );
        assert!(check_content(pdf, Some("image/png")).is_err());
        assert_eq!(
            check_content("year,count\n2024,7\n".as_bytes(), Some("text/csv")).as_deref(),
            Ok("text/csv")
        );
        assert!(check_content(b"\x00\x01\x02binary", Some("text/csv")).is_err());
        assert!(check_content(b"plain words", Some("application/x-msdownload")).is_err());
        assert!(check_content(b"MZ\x90\x00\x03\x00\x00\x00", None).is_err());
        // A head cut inside a two-byte Cyrillic letter is still text.
        let cut = &"тадқиқот".as_bytes()[..5];
        assert!(check_content(cut, Some("text/plain")).is_ok());
    }
}
