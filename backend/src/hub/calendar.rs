//! The hub's iCalendar feed (RFC 5545): every published programme whose event has not been
//! over for more than thirty days, as an event, and its application deadline as a second one,
//! so a calendar client shows both. Built with the `icalendar` crate.

use chrono::Duration;
use icalendar::{Calendar, Component, Event, EventLike};
use silkbridge_schema::{DbConnection, ids};

use super::store;
use crate::error::ApiResult;

/// The feed's text; `base` is the public address programme links start with.
pub(crate) fn feed(conn: &mut DbConnection, base: &str) -> ApiResult<String> {
    let since = ids::now() - Duration::days(30);
    let mut calendar = Calendar::new();
    calendar.name("silkbridge IT hub programmes");
    for row in store::calendar(conn, since)? {
        let url = format!(
            "{}/api/v1/hub/programmes/{}",
            base.trim_end_matches('/'),
            row.slug
        );
        calendar.push(
            Event::new()
                .uid(&format!("{}@silkbridge", row.id))
                .timestamp(row.updated_at.and_utc())
                .summary(&row.title)
                .description(&row.description)
                .location(&row.location)
                .url(&url)
                .starts(row.starts_at.and_utc())
                .ends(row.ends_at.and_utc())
                .done(),
        );
        calendar.push(
            Event::new()
                .uid(&format!("{}-deadline@silkbridge", row.id))
                .timestamp(row.updated_at.and_utc())
                .summary(&format!("Applications close: {}", row.title))
                .url(&url)
                .starts(row.applications_close_at.and_utc())
                .ends(row.applications_close_at.and_utc())
                .done(),
        );
    }
    Ok(calendar.done().to_string())
}
