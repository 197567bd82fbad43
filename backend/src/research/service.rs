//! The research module's operations. Each is one call that every adapter (REST, GraphQL,
//! OAI-PMH, the portal, the CLI) makes the same way; it picks a read or a write transaction
//! itself and runs the rules of `rules.rs`, which decide who may do what.

use silkbridge_schema::models::PublicationFile;

use super::citation::{self, CitationFormat};
use super::files::{self, FileView};
use super::input::{PublicationInput, PublicationQuery};
use super::rules;
use super::views::{PublicationVersionView, PublicationView, Tombstone};
use crate::error::{ApiError, ApiResult};
use crate::http::pagination::{Page, PageParams};
use crate::identity::caller::Caller;
use crate::state::AppState;
use crate::storage::{Destination, Upload};

/// Most publications one citation export may hold.
pub const MAX_CITATIONS: usize = 500;

/// Publications the caller may read, filtered, sorted and paginated by keyset.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: PublicationQuery,
    page: PageParams,
) -> ApiResult<Page<PublicationView>> {
    let caller = caller.clone();
    state
        .read(move |conn| rules::list(conn, &caller, &query, page.limit, page.cursor.as_deref()))
        .await
}

/// Creates a publication of the organisation `organisation` (a slug; its editors).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
    input: PublicationInput,
) -> ApiResult<PublicationView> {
    let (caller, organisation) = (caller.clone(), organisation.to_owned());
    state
        .write(move |conn| rules::create(conn, &caller, &organisation, input))
        .await
}

/// One publication: open ones for everyone, restricted ones for their organisation (404 to
/// anyone else, so they do not reveal that they exist).
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> ApiResult<PublicationView> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state.read(move |conn| rules::get(conn, &caller, &id)).await
}

/// Replaces a publication's content (its editors); the previous version stays in the history.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: PublicationInput,
) -> ApiResult<PublicationView> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .write(move |conn| rules::update(conn, &caller, &id, input))
        .await
}

/// Withdraws a publication (its editors); harvesters are told it is deleted.
pub async fn delete(state: &AppState, caller: &Caller, id: &str) -> ApiResult<()> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .write(move |conn| rules::delete(conn, &caller, &id))
        .await
}

/// The tombstone of a withdrawn publication that was once public (anyone may read it).
pub async fn tombstone(state: &AppState, id: &str) -> ApiResult<Option<Tombstone>> {
    let id = id.to_owned();
    state.read(move |conn| rules::tombstone(conn, &id)).await
}

/// Every version of a publication's content the caller may read, newest first.
pub async fn versions(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<Vec<PublicationVersionView>> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .read(move |conn| rules::versions(conn, &caller, &id))
        .await
}

/// A citation export: the text and what to call it.
#[derive(Debug, Clone)]
pub struct Citations {
    pub format: CitationFormat,
    /// The publication's id for one, `citations` for several.
    pub file_stem: String,
    pub text: String,
}

/// Citations of publications in `format` (`bibtex`, `ris` or `csl-json`), in the order asked;
/// every one must be readable by the caller (else 404, like a single read).
pub async fn citations(
    state: &AppState,
    caller: &Caller,
    ids: Vec<String>,
    format: &str,
) -> ApiResult<Citations> {
    let format: CitationFormat = format.parse().map_err(ApiError::invalid_parameter)?;
    if ids.is_empty() || ids.len() > MAX_CITATIONS {
        return Err(ApiError::invalid_parameter(format!(
            "ask for 1 to {MAX_CITATIONS} publications"
        )));
    }
    let caller = caller.clone();
    let found = state
        .read(move |conn| rules::readable_many(conn, &caller, &ids))
        .await?;
    let file_stem = match found.as_slice() {
        [one] => one.id.clone(),
        _ => "citations".to_owned(),
    };
    Ok(Citations {
        format,
        file_stem,
        text: citation::render(format, &found, &state.config.public_url),
    })
}

/// Attaches a file to a publication (its editors): streamed into the object store, its type
/// checked from its first bytes, hashed and size-capped, then recorded.
pub async fn upload_file<S, E>(
    state: &AppState,
    caller: &Caller,
    publication_id: &str,
    upload: Upload<S>,
) -> ApiResult<FileView>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let (check_caller, check_id) = (caller.clone(), publication_id.to_owned());
    let (file_id, key) = state
        .read(move |conn| files::prepare_upload(conn, &check_caller, &check_id))
        .await?;
    let (caller, publication_id) = (caller.clone(), publication_id.to_owned());
    crate::storage::receive(
        state,
        upload,
        Destination {
            object_key: key,
            max_bytes: state.config.research.file_max_bytes,
        },
        files::check_content,
        move |conn, received| {
            let row = PublicationFile {
                id: file_id,
                publication_id,
                object_key: received.object_key,
                file_name: received.file_name,
                content_type: received.content_type,
                size_bytes: received.size_bytes,
                sha256: received.sha256,
                created_by: caller.actor(),
                created_at: silkbridge_schema::ids::now(),
            };
            files::record(conn, &caller, row)
        },
    )
    .await
}

/// A publication's file the caller may download (the publication's visibility decides).
pub async fn file(
    state: &AppState,
    caller: &Caller,
    publication_id: &str,
    file_id: &str,
) -> ApiResult<PublicationFile> {
    let caller = caller.clone();
    let (publication_id, file_id) = (publication_id.to_owned(), file_id.to_owned());
    state
        .read(move |conn| files::find(conn, &caller, &publication_id, &file_id))
        .await
}

/// Removes a file from a publication (its editors), then its object.
pub async fn delete_file(
    state: &AppState,
    caller: &Caller,
    publication_id: &str,
    file_id: &str,
) -> ApiResult<()> {
    let caller = caller.clone();
    let (publication_id, file_id) = (publication_id.to_owned(), file_id.to_owned());
    let key = state
        .write(move |conn| files::remove(conn, &caller, &publication_id, &file_id))
        .await?;
    crate::sweep::delete_logged(state.objects.as_ref(), &key).await;
    Ok(())
}

/// Opens embargoed publications whose date has come (the periodic task).
pub async fn release_embargoes(state: &AppState) -> ApiResult<usize> {
    state.write(rules::release_embargoes).await
}

/// Publications open to everyone now: what a complete harvest must return.
pub async fn count_open(state: &AppState) -> ApiResult<i64> {
    state.read(rules::count_open).await
}
