//! The marketplace's rules on a connection: who may see and change listings, and a listing's
//! life from draft through moderation to publication. The operations in `service.rs` run them
//! in one transaction each; the seed composes them inside its own.

use std::collections::BTreeMap;

use silkbridge_schema::models::{Listing, ListingRevision};
use silkbridge_schema::{DbConnection, ids};

use super::domain::ListingState;
use super::index::LISTING_KIND;
use super::input::{self, DecisionInput, ListingInput, ListingQuery, filter_of};
use super::store::{self, ListingFilter, ListingOrder};
use super::views::{CategoryView, ListingView, RevisionView, view, views};
use crate::changes::{self, Change};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::http::pagination::{MAX_PAGE_SIZE, NewestKey, Page, PageRequest, TextKey};
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::identity::rules as identity;
use crate::validate::Validator;

pub(super) const CURSOR_SCOPE: &str = "listings";

pub(crate) fn categories(conn: &mut DbConnection) -> ApiResult<Vec<CategoryView>> {
    store::categories(conn)?
        .into_iter()
        .map(|c| {
            let names: BTreeMap<String, String> =
                serde_json::from_str(&c.names_json).map_err(ApiError::internal)?;
            Ok(CategoryView {
                slug: c.slug,
                name: c.name,
                names: crate::identity::domain::localized_list(names),
            })
        })
        .collect()
}

/// Writes validated content into the listing row (and, with `apply_content`, its links).
pub(super) fn fill(row: &mut Listing, content: &ListingInput) -> ApiResult<()> {
    let translations: BTreeMap<&str, (&str, &str)> = content
        .translations
        .iter()
        .map(|t| (t.lang.as_str(), (t.title.as_str(), t.description.as_str())))
        .collect();
    row.kind = content.kind.clone();
    row.title = content.title.clone();
    row.description = content.description.clone();
    row.translations_json = serde_json::to_string(&translations).map_err(ApiError::internal)?;
    row.price_model = content.price_model.clone();
    row.price_min = content.price_min;
    row.price_max = content.price_max;
    row.currency = content.currency.clone();
    row.starts_at = content.starts_at;
    row.ends_at = content.ends_at;
    row.contact_email = content.contact_email.clone();
    row.contact_url = content.contact_url.clone();
    Ok(())
}

/// Writes validated content into an existing listing row's fields and links.
pub(super) fn apply_content(
    conn: &mut DbConnection,
    row: &mut Listing,
    content: &ListingInput,
) -> ApiResult<()> {
    fill(row, content)?;
    store::replace_links(conn, &row.id, &content.categories, &content.countries)?;
    Ok(())
}

pub(super) fn record_revision(
    conn: &mut DbConnection,
    listing_id: &str,
    content: &ListingInput,
    by: &str,
) -> ApiResult<i32> {
    let revision = store::next_revision(conn, listing_id)?;
    store::insert_revision(
        conn,
        &ListingRevision {
            listing_id: listing_id.to_owned(),
            revision,
            content_json: serde_json::to_string(content).map_err(ApiError::internal)?,
            submitted_by: by.to_owned(),
            submitted_at: ids::now(),
            decision: None,
            decided_by: None,
            decided_at: None,
            reason: None,
        },
    )?;
    Ok(revision)
}

pub(super) fn state_of(row: &Listing) -> ApiResult<ListingState> {
    row.state
        .parse()
        .map_err(|e: String| ApiError::internal(anyhow::anyhow!(e)))
}

pub(super) fn conflict(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Conflict, detail)
}

/// Whether moderators may see a listing: once its organisation has put it before them
/// (submitted, decided, published, or archived after publication). A draft, and a draft
/// archived unsubmitted, is its organisation's alone.
pub(super) fn put_before_moderators(row: &Listing) -> bool {
    let state = row.state.as_str();
    state == ListingState::PendingReview.as_str()
        || state == ListingState::Rejected.as_str()
        || state == ListingState::Published.as_str()
        || row.published_at.is_some()
}

/// A listing the caller may see, else 404 (unpublished listings do not reveal that they exist).
pub(super) fn visible(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<Listing> {
    let row = store::listing(conn, id)?
        .ok_or_else(|| ApiError::not_found(format_args!("listing `{id}`")))?;
    let published = row.state == ListingState::Published.as_str();
    if published
        || authorize(
            caller,
            Action::ReadOwn {
                organisation_id: &row.organisation_id,
            },
        )
        .is_ok()
        || (put_before_moderators(&row) && authorize(caller, Action::Moderate).is_ok())
    {
        Ok(row)
    } else {
        Err(ApiError::not_found(format_args!("listing `{id}`")))
    }
}

/// A listing the caller may edit (its organisation's editors).
pub(super) fn editable(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<Listing> {
    let row = visible(conn, caller, id)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &row.organisation_id,
        },
    )?;
    Ok(row)
}

pub(super) fn changed(conn: &mut DbConnection, id: &str) -> ApiResult<()> {
    Change::upsert(LISTING_KIND, id).record(conn)?;
    Ok(())
}

/// Creates a draft listing for the organisation `slug` (its editors).
pub(crate) fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    input: ListingInput,
) -> ApiResult<ListingView> {
    let organisation = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &organisation.id,
        },
    )?;
    let content = input::check(conn, input)?;
    let now = ids::now();
    let mut row = Listing {
        id: ids::new_id(),
        organisation_id: organisation.id,
        kind: String::new(),
        state: ListingState::Draft.as_str().to_owned(),
        title: String::new(),
        description: String::new(),
        translations_json: "{}".into(),
        price_model: String::new(),
        price_min: None,
        price_max: None,
        currency: None,
        starts_at: None,
        ends_at: None,
        contact_email: None,
        contact_url: None,
        created_by: caller.actor(),
        created_at: now,
        updated_at: now,
        published_at: None,
        pending_revision: None,
    };
    fill(&mut row, &content)?;
    store::insert_listing(conn, &row)?;
    store::replace_links(conn, &row.id, &content.categories, &content.countries)?;
    record_revision(conn, &row.id, &content, &caller.actor())?;
    changed(conn, &row.id)?;
    view(conn, row)
}

/// Replaces a listing's content. A published listing keeps showing its approved content
/// until a moderator approves the edit.
pub(crate) fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: ListingInput,
) -> ApiResult<ListingView> {
    let mut row = editable(conn, caller, id)?;
    let content = input::check(conn, input)?;
    match state_of(&row)? {
        ListingState::Archived => return Err(conflict("an archived listing cannot be edited")),
        ListingState::Published => {
            let revision = record_revision(conn, id, &content, &caller.actor())?;
            row.pending_revision = Some(revision);
        }
        state => {
            apply_content(conn, &mut row, &content)?;
            if state == ListingState::Rejected {
                row.state = ListingState::Draft.as_str().to_owned();
            }
            row.updated_at = ids::now();
            record_revision(conn, id, &content, &caller.actor())?;
        }
    }
    store::save_listing(conn, &row)?;
    changed(conn, id)?;
    view(conn, row)
}

/// Sends a draft (or a rejected listing) to the moderators.
pub(crate) fn submit(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<ListingView> {
    let mut row = editable(conn, caller, id)?;
    match state_of(&row)? {
        ListingState::Draft | ListingState::Rejected => {}
        state => {
            return Err(conflict(format!(
                "a listing in state `{state}` cannot be submitted for review"
            )));
        }
    }
    row.state = ListingState::PendingReview.as_str().to_owned();
    row.updated_at = ids::now();
    store::save_listing(conn, &row)?;
    changed(conn, id)?;
    view(conn, row)
}

/// Approves or rejects what awaits review: a submitted listing, or an edit of a published one.
pub(crate) fn decide(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: DecisionInput,
) -> ApiResult<ListingView> {
    authorize(caller, Action::Moderate)?;
    let approve = match input.decision.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(ApiError::validation(vec![crate::error::FieldError {
                field: "decision".into(),
                code: "unknown_value".into(),
                message: format!("unknown decision `{other}`; expected approve or reject"),
            }]));
        }
    };
    let reason = input.reason.filter(|r| !r.trim().is_empty());
    if !approve && reason.is_none() {
        let mut check = Validator::default();
        check.fail("reason", "required", "say why the listing is rejected");
        check.finish()?;
    }
    let mut row = visible(conn, caller, id)?;
    let now = ids::now();
    let decision = if approve { "approved" } else { "rejected" };
    match (state_of(&row)?, row.pending_revision) {
        (ListingState::PendingReview, _) => {
            let latest = store::next_revision(conn, id)? - 1;
            store::decide_revision(
                conn,
                id,
                latest,
                decision,
                &caller.actor(),
                reason.as_deref(),
                now,
            )?;
            if approve {
                row.state = ListingState::Published.as_str().to_owned();
                row.published_at = Some(now);
            } else {
                row.state = ListingState::Rejected.as_str().to_owned();
            }
        }
        (ListingState::Published, Some(pending)) => {
            store::decide_revision(
                conn,
                id,
                pending,
                decision,
                &caller.actor(),
                reason.as_deref(),
                now,
            )?;
            if approve {
                let revision = store::revision(conn, id, pending)?.ok_or_else(|| {
                    ApiError::internal(anyhow::anyhow!(
                        "pending revision {pending} of {id} is missing"
                    ))
                })?;
                let content: ListingInput =
                    serde_json::from_str(&revision.content_json).map_err(ApiError::internal)?;
                apply_content(conn, &mut row, &content)?;
            }
            row.pending_revision = None;
        }
        _ => return Err(conflict("nothing of this listing awaits review")),
    }
    row.updated_at = now;
    store::save_listing(conn, &row)?;
    changed(conn, id)?;
    changes::audit(
        conn,
        &caller.actor(),
        &format!("listing.{decision}"),
        &format!("listing:{id}"),
        serde_json::json!({"reason": reason}),
    )?;
    view(conn, row)
}

/// Takes a listing off the marketplace for good.
pub(crate) fn archive(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<ListingView> {
    let mut row = editable(conn, caller, id)?;
    if state_of(&row)? == ListingState::Archived {
        return Err(conflict("the listing is archived already"));
    }
    row.state = ListingState::Archived.as_str().to_owned();
    row.pending_revision = None;
    row.updated_at = ids::now();
    store::save_listing(conn, &row)?;
    changed(conn, id)?;
    view(conn, row)
}

pub(crate) fn get(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<ListingView> {
    let row = visible(conn, caller, id)?;
    view(conn, row)
}

/// Every version of a listing (its organisation and moderators).
pub(crate) fn history(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Vec<RevisionView>> {
    let row = visible(conn, caller, id)?;
    if authorize(
        caller,
        Action::ReadOwn {
            organisation_id: &row.organisation_id,
        },
    )
    .is_err()
    {
        authorize(caller, Action::Moderate)?;
    }
    store::revisions(conn, id)?
        .into_iter()
        .map(|r| {
            let content: ListingInput =
                serde_json::from_str(&r.content_json).map_err(ApiError::internal)?;
            Ok(RevisionView {
                revision: r.revision,
                title: content.title,
                submitted_by: r.submitted_by,
                submitted_at: r.submitted_at,
                decision: r.decision,
                decided_by: r.decided_by,
                decided_at: r.decided_at,
                reason: r.reason,
            })
        })
        .collect()
}

pub(super) fn search(
    conn: &mut DbConnection,
    mut filter: ListingFilter,
    by_title: bool,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<ListingView>> {
    filter.states.dedup();
    let (rows, next_cursor) = if by_title {
        let scope = format!("{CURSOR_SCOPE}:title");
        let page = PageRequest::<TextKey>::parse(limit, cursor, &scope)?;
        let order = ListingOrder::Title {
            after: page.after.clone().map(TextKey::into_pair),
        };
        let rows = store::search(conn, &filter, &order, page.fetch_limit())?;
        page.split(rows, &scope, |row| TextKey::of(&row.title, &row.id))
    } else {
        let page = PageRequest::<NewestKey>::parse(limit, cursor, CURSOR_SCOPE)?;
        let order = ListingOrder::Newest {
            after: page.after.clone().map(NewestKey::into_pair),
        };
        let rows = store::search(conn, &filter, &order, page.fetch_limit())?;
        page.split(rows, CURSOR_SCOPE, |row| {
            NewestKey::of(&row.updated_at, &row.id)
        })
    };
    Ok(Page {
        items: views(conn, rows)?,
        next_cursor,
    })
}

/// Published listings, for everyone.
pub(crate) fn list_published(
    conn: &mut DbConnection,
    query: &ListingQuery,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<ListingView>> {
    let (mut filter, by_title) = filter_of(query)?;
    filter.states = vec![ListingState::Published.as_str().to_owned()];
    search(conn, filter, by_title, limit, cursor)
}

/// All listings of an organisation, whatever their state (its members).
pub(crate) fn list_for_organisation(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    query: &ListingQuery,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> ApiResult<Page<ListingView>> {
    let organisation = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::ReadOwn {
            organisation_id: &organisation.id,
        },
    )?;
    let (mut filter, by_title) = filter_of(query)?;
    filter.organisation_id = Some(organisation.id);
    search(conn, filter, by_title, limit, cursor)
}

/// What awaits the moderators: submitted listings and edits of published ones.
pub(crate) fn review_queue(
    conn: &mut DbConnection,
    caller: &Caller,
) -> ApiResult<Vec<ListingView>> {
    authorize(caller, Action::Moderate)?;
    let limit = i64::from(MAX_PAGE_SIZE);
    let order = ListingOrder::Newest { after: None };
    let submitted = ListingFilter {
        states: vec![ListingState::PendingReview.as_str().to_owned()],
        ..ListingFilter::default()
    };
    let edits = ListingFilter {
        states: vec![ListingState::Published.as_str().to_owned()],
        with_pending_edit: true,
        ..ListingFilter::default()
    };
    let mut rows = store::search(conn, &submitted, &order, limit)?;
    rows.extend(store::search(conn, &edits, &order, limit)?);
    views(conn, rows)
}
