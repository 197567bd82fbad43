//! Cursor pagination shared by every list endpoint (REST and GraphQL): keyset cursors, so a
//! page deep in a large list costs the same as the first.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// Default and largest page sizes.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
pub const MAX_PAGE_SIZE: u32 = 100;

/// Query parameters of a list endpoint.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A validated page request: how many, and after which sort key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<String>,
}

impl PageRequest {
    /// Checks the size and decodes the cursor; `scope` ties a cursor to its list so a cursor
    /// from one list is refused by another.
    pub fn parse(limit: Option<u32>, cursor: Option<&str>, scope: &str) -> ApiResult<Self> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if limit == 0 || limit > MAX_PAGE_SIZE {
            return Err(ApiError::invalid_parameter(format!(
                "limit must be between 1 and {MAX_PAGE_SIZE}"
            )));
        }
        let after = cursor
            .filter(|c| !c.is_empty())
            .map(|c| decode_cursor(c, scope))
            .transpose()?;
        Ok(Self { limit, after })
    }

    /// Cuts `limit + 1` fetched rows down to the page, with a cursor if more remain.
    pub fn split<R>(
        &self,
        mut rows: Vec<R>,
        scope: &str,
        key: impl Fn(&R) -> String,
    ) -> (Vec<R>, Option<String>) {
        let has_more = rows.len() > self.limit as usize;
        rows.truncate(self.limit as usize);
        let next_cursor = if has_more {
            rows.last().map(|last| encode_cursor(&key(last), scope))
        } else {
            None
        };
        (rows, next_cursor)
    }

    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Declares the GraphQL type of one kind of page (`PublicationPage`…) in the module that owns
/// the item type, so this file names no module; resolvers return `Name::from(page)`.
macro_rules! graphql_page {
    ($name:ident, $item:ty) => {
        /// One page of a list.
        #[derive(Debug, Clone, async_graphql::SimpleObject)]
        pub struct $name {
            pub items: Vec<$item>,
            /// Pass as `cursor` to get the next page; absent on the last page.
            pub next_cursor: Option<String>,
        }

        impl From<$crate::http::pagination::Page<$item>> for $name {
            fn from(page: $crate::http::pagination::Page<$item>) -> Self {
                Self {
                    items: page.items,
                    next_cursor: page.next_cursor,
                }
            }
        }
    };
}
pub(crate) use graphql_page;

pub fn encode_cursor(key: &str, scope: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{scope}\u{1f}{key}"))
}

/// The error for a cursor this list did not issue (or whose key does not decode).
pub fn invalid_cursor() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidCursor,
        "the cursor is not one this list issued",
    )
}

/// How a change time is written into a cursor key (microseconds kept, so keys stay unique).
const CURSOR_TIME: &str = "%Y-%m-%dT%H:%M:%S%.f";

/// A change time as a cursor key part.
pub fn cursor_time(at: &NaiveDateTime) -> String {
    at.format(CURSOR_TIME).to_string()
}

/// Reads a change time written by [`cursor_time`].
pub fn parse_cursor_time(text: &str) -> ApiResult<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, CURSOR_TIME).map_err(|_| invalid_cursor())
}

/// The key of a newest-first list: a row's change time and id (`time|id`).
pub fn newest_key(at: &NaiveDateTime, id: &str) -> String {
    format!("{}|{id}", cursor_time(at))
}

/// The key of a list by name: a row's name and id (`name|id`; names are slugs, and repeat).
pub fn name_key(name: &str, id: &str) -> String {
    format!("{name}|{id}")
}

/// Reads a key written by [`name_key`].
pub fn parse_name_key(key: &str) -> ApiResult<(String, String)> {
    let (name, id) = key.split_once('|').ok_or_else(invalid_cursor)?;
    Ok((name.to_owned(), id.to_owned()))
}

/// Reads a key written by [`newest_key`].
pub fn parse_newest_key(key: &str) -> ApiResult<(NaiveDateTime, String)> {
    let (at, id) = key.split_once('|').ok_or_else(invalid_cursor)?;
    Ok((parse_cursor_time(at)?, id.to_owned()))
}

fn decode_cursor(cursor: &str, scope: &str) -> ApiResult<String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid_cursor())?;
    match text.split_once('\u{1f}') {
        Some((found, key)) if found == scope => Ok(key.to_owned()),
        _ => Err(invalid_cursor()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_within_their_scope_only() {
        let cursor = encode_cursor("state-statistics", "organisations");
        let request = PageRequest::parse(Some(5), Some(&cursor), "organisations").ok();
        assert_eq!(
            request.and_then(|r| r.after).as_deref(),
            Some("state-statistics")
        );
        let other = PageRequest::parse(None, Some(&cursor), "datasets");
        assert!(other.is_err_and(|e| e.code == ErrorCode::InvalidCursor));
        let garbage = PageRequest::parse(None, Some("%%%"), "organisations");
        assert!(garbage.is_err_and(|e| e.code == ErrorCode::InvalidCursor));
    }

    #[test]
    fn newest_keys_round_trip_and_others_are_invalid_cursors() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_micro_opt(21, 5, 7, 123_456))
            .unwrap();
        let key = newest_key(&at, "0192-abc");
        assert_eq!(parse_newest_key(&key).unwrap(), (at, "0192-abc".to_owned()));
        for bad in ["no-separator", "yesterday|id", ""] {
            assert!(
                parse_newest_key(bad).is_err_and(|e| e.code == ErrorCode::InvalidCursor),
                "{bad}"
            );
        }
    }

    #[test]
    fn limits_are_bounded_and_pages_know_when_more_follow() {
        assert!(PageRequest::parse(Some(0), None, "x").is_err());
        assert!(PageRequest::parse(Some(101), None, "x").is_err());
        let request = PageRequest {
            limit: 2,
            after: None,
        };
        let (items, next) = request.split(vec!["a", "b", "c"], "x", |s| s.to_string());
        assert_eq!(items, vec!["a", "b"]);
        assert_eq!(next, Some(encode_cursor("b", "x")));
        let (_, last) = request.split(vec!["a"], "x", |s| s.to_string());
        assert_eq!(last, None);
    }
}
