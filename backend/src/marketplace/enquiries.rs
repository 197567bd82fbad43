//! Enquiries: a signed-in person's message to a listing's organisation, rate-limited, and
//! the organisation's inbox.

use silkbridge_schema::models::Enquiry;
use silkbridge_schema::{DbConnection, ids};

use super::domain::ListingState;
use super::input::EnquiryInput;
use super::store::{self};
use super::views::{EnquiryView, enquiry_view};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::identity::rules as identity;
use crate::validate::Validator;

/// Sends an enquiry about a published listing; at most `per_hour` per person per hour.
pub(crate) fn send_enquiry(
    conn: &mut DbConnection,
    caller: &Caller,
    listing_id: &str,
    input: EnquiryInput,
    per_hour: u32,
) -> ApiResult<EnquiryView> {
    authorize(caller, Action::ActAsPerson)?;
    let sender = caller
        .user_id()
        .ok_or_else(|| ApiError::new(ErrorCode::Forbidden, "only people send enquiries"))?
        .to_owned();
    let listing = store::listing(conn, listing_id)?
        .filter(|l| l.state == ListingState::Published.as_str())
        .ok_or_else(|| ApiError::not_found(format_args!("listing `{listing_id}`")))?;
    let mut check = Validator::default();
    check.text("message", &input.message, 5_000);
    if let Some(reply_to) = &input.reply_to {
        check.email("reply_to", reply_to);
    }
    check.finish()?;
    let now = ids::now();
    let window = chrono::Duration::hours(1);
    let recent = store::enquiries_sent_since(conn, &sender, now - window)?;
    if recent.len() >= per_hour as usize {
        let oldest = recent.first().copied().unwrap_or(now);
        let wait = (oldest + window - now).num_seconds().max(1);
        let mut error = ApiError::new(
            ErrorCode::RateLimited,
            format!("at most {per_hour} enquiries an hour"),
        );
        error.retry_after = Some(u64::try_from(wait).unwrap_or(60));
        return Err(error);
    }
    let enquiry = Enquiry {
        id: ids::new_id(),
        listing_id: listing.id.clone(),
        organisation_id: listing.organisation_id.clone(),
        sender_id: sender,
        message: input.message.trim().to_owned(),
        reply_to: input.reply_to,
        created_at: now,
    };
    store::insert_enquiry(conn, &enquiry)?;
    enquiry_view(conn, enquiry, listing.title)
}

/// The organisation's enquiry inbox, newest first (its members).
pub(crate) fn inbox(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
) -> ApiResult<Vec<EnquiryView>> {
    let organisation = identity::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::ReadOwn {
            organisation_id: &organisation.id,
        },
    )?;
    store::inbox(conn, &organisation.id, 200)?
        .into_iter()
        .map(|enquiry| {
            let title = store::listing(conn, &enquiry.listing_id)?
                .map(|l| l.title)
                .unwrap_or_default();
            enquiry_view(conn, enquiry, title)
        })
        .collect()
}
