//! The marketplace's operations. Each is one call that every adapter (REST, GraphQL, the
//! portal) makes the same way; it picks a read or a write transaction itself and runs the
//! rules of `rules.rs` and `enquiries.rs`, which decide who may do what.

use silkbridge_schema::models::ListingMedia;

use super::input::{DecisionInput, EnquiryInput, ListingInput, ListingQuery};
use super::media::{self, MediaView};
use super::views::{CategoryView, EnquiryView, ListingView, RevisionView};
use super::{enquiries, rules};
use crate::error::ApiResult;
use crate::http::pagination::{Page, PageParams};
use crate::identity::caller::Caller;
use crate::state::AppState;
use crate::storage::{Destination, Upload};

/// The category taxonomy.
pub async fn categories(state: &AppState) -> ApiResult<Vec<CategoryView>> {
    state.read(rules::categories).await
}

/// Published listings, for everyone.
pub async fn list_published(
    state: &AppState,
    query: ListingQuery,
    page: PageParams,
) -> ApiResult<Page<ListingView>> {
    state
        .read(move |conn| rules::list_published(conn, &query, page.limit, page.cursor.as_deref()))
        .await
}

/// All listings of an organisation, whatever their state (its members).
pub async fn list_for_organisation(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
    query: ListingQuery,
    page: PageParams,
) -> ApiResult<Page<ListingView>> {
    let (caller, slug) = (caller.clone(), organisation.to_owned());
    state
        .read(move |conn| {
            rules::list_for_organisation(
                conn,
                &caller,
                &slug,
                &query,
                page.limit,
                page.cursor.as_deref(),
            )
        })
        .await
}

/// What awaits the moderators.
pub async fn review_queue(state: &AppState, caller: &Caller) -> ApiResult<Vec<ListingView>> {
    let caller = caller.clone();
    state
        .read(move |conn| rules::review_queue(conn, &caller))
        .await
}

/// One listing the caller may see (404 otherwise).
pub async fn get(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ListingView> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state.read(move |conn| rules::get(conn, &caller, &id)).await
}

/// Every version of a listing (its organisation and moderators).
pub async fn history(state: &AppState, caller: &Caller, id: &str) -> ApiResult<Vec<RevisionView>> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .read(move |conn| rules::history(conn, &caller, &id))
        .await
}

/// Creates a draft listing for the organisation `organisation` (a slug; its editors).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
    input: ListingInput,
) -> ApiResult<ListingView> {
    let (caller, slug) = (caller.clone(), organisation.to_owned());
    state
        .write(move |conn| rules::create(conn, &caller, &slug, input))
        .await
}

/// Replaces a listing's content (its editors).
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: ListingInput,
) -> ApiResult<ListingView> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .write(move |conn| rules::update(conn, &caller, &id, input))
        .await
}

/// Sends a draft (or a rejected listing) to the moderators.
pub async fn submit(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ListingView> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .write(move |conn| rules::submit(conn, &caller, &id))
        .await
}

/// A moderator approves or rejects what awaits review.
pub async fn decide(
    state: &AppState,
    caller: &Caller,
    id: &str,
    input: DecisionInput,
) -> ApiResult<ListingView> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .write(move |conn| rules::decide(conn, &caller, &id, input))
        .await
}

/// Takes a listing off the marketplace for good (its editors).
pub async fn archive(state: &AppState, caller: &Caller, id: &str) -> ApiResult<ListingView> {
    let (caller, id) = (caller.clone(), id.to_owned());
    state
        .write(move |conn| rules::archive(conn, &caller, &id))
        .await
}

/// Sends an enquiry about a published listing, within the configured hourly limit.
pub async fn send_enquiry(
    state: &AppState,
    caller: &Caller,
    listing_id: &str,
    input: EnquiryInput,
) -> ApiResult<EnquiryView> {
    let (caller, id) = (caller.clone(), listing_id.to_owned());
    let per_hour = state.config.marketplace.enquiries_per_hour;
    state
        .write(move |conn| enquiries::send_enquiry(conn, &caller, &id, input, per_hour))
        .await
}

/// An organisation's enquiry inbox, newest first (its members).
pub async fn inbox(
    state: &AppState,
    caller: &Caller,
    organisation: &str,
) -> ApiResult<Vec<EnquiryView>> {
    let (caller, slug) = (caller.clone(), organisation.to_owned());
    state
        .read(move |conn| enquiries::inbox(conn, &caller, &slug))
        .await
}

/// Attaches an image or brochure to a listing (its editors): streamed, checked, hashed.
pub async fn upload_media<S, E>(
    state: &AppState,
    caller: &Caller,
    listing_id: &str,
    upload: Upload<S>,
) -> ApiResult<MediaView>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let (check_caller, check_id) = (caller.clone(), listing_id.to_owned());
    let (media_id, key) = state
        .read(move |conn| media::prepare_upload(conn, &check_caller, &check_id))
        .await?;
    let (caller, listing_id) = (caller.clone(), listing_id.to_owned());
    crate::storage::receive(
        state,
        upload,
        Destination {
            object_key: key,
            max_bytes: state.config.marketplace.media_max_bytes,
        },
        media::check_content,
        move |conn, received| {
            let row = ListingMedia {
                id: media_id,
                listing_id,
                object_key: received.object_key,
                file_name: received.file_name,
                content_type: received.content_type,
                size_bytes: received.size_bytes,
                sha256: received.sha256,
                created_at: silkbridge_schema::ids::now(),
            };
            media::record(conn, &caller, row)
        },
    )
    .await
}

/// A listing's file the caller may download (the listing's visibility decides).
pub async fn media(
    state: &AppState,
    caller: &Caller,
    listing_id: &str,
    media_id: &str,
) -> ApiResult<ListingMedia> {
    let caller = caller.clone();
    let (listing_id, media_id) = (listing_id.to_owned(), media_id.to_owned());
    state
        .read(move |conn| media::find(conn, &caller, &listing_id, &media_id))
        .await
}

/// Removes a file from a listing that is not live (its editors), then its object.
pub async fn delete_media(
    state: &AppState,
    caller: &Caller,
    listing_id: &str,
    media_id: &str,
) -> ApiResult<()> {
    let caller = caller.clone();
    let (listing_id, media_id) = (listing_id.to_owned(), media_id.to_owned());
    let key = state
        .write(move |conn| media::remove(conn, &caller, &listing_id, &media_id))
        .await?;
    crate::sweep::delete_logged(state.objects.as_ref(), &key).await;
    Ok(())
}
