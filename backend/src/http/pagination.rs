//! Cursor pagination shared by every list endpoint (REST and GraphQL): keyset cursors, so a
//! page deep in a large list costs the same as the first.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use serde::de::DeserializeOwned;
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

/// A validated page request: how many, and after which sort key. `K` is the list's typed
/// key (one per list and sort order: [`NewestKey`], [`TextKey`], [`NumberKey`], a slug, an
/// offset), written into every cursor the same way: JSON inside the scoped base64 cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<K> {
    pub limit: u32,
    pub after: Option<K>,
}

impl<K: Serialize + DeserializeOwned> PageRequest<K> {
    /// Checks the size and decodes the cursor; `scope` ties a cursor to its list (and sort
    /// order) so a cursor from one list is refused by another.
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
        key: impl Fn(&R) -> K,
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

/// The key of a newest-first list: a row's change time (microseconds kept, so keys stay
/// unique with the id) and id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewestKey {
    pub at: NaiveDateTime,
    pub id: String,
}

impl NewestKey {
    pub fn of(at: &NaiveDateTime, id: &str) -> Self {
        Self {
            at: *at,
            id: id.to_owned(),
        }
    }

    /// As the `(time, id)` pair the stores take.
    pub fn into_pair(self) -> (NaiveDateTime, String) {
        (self.at, self.id)
    }
}

/// The key of a list by a text (a name, a title; texts repeat, so the id follows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextKey {
    pub text: String,
    pub id: String,
}

impl TextKey {
    pub fn of(text: &str, id: &str) -> Self {
        Self {
            text: text.to_owned(),
            id: id.to_owned(),
        }
    }

    pub fn into_pair(self) -> (String, String) {
        (self.text, self.id)
    }
}

/// The key of a list by a number (a year), then id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberKey {
    pub number: i64,
    pub id: String,
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

/// A cursor: the list's scope and its typed key, base64url so it travels in a query string.
pub fn encode_cursor<K: Serialize>(key: &K, scope: &str) -> String {
    let key = serde_json::to_string(key).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(format!("{scope}\u{1f}{key}"))
}

/// The error for a cursor this list did not issue (or whose key does not decode).
pub fn invalid_cursor() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidCursor,
        "the cursor is not one this list issued",
    )
}

fn decode_cursor<K: DeserializeOwned>(cursor: &str, scope: &str) -> ApiResult<K> {
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid_cursor())?;
    match text.split_once('\u{1f}') {
        Some((found, key)) if found == scope => {
            serde_json::from_str(key).map_err(|_| invalid_cursor())
        }
        _ => Err(invalid_cursor()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_within_their_scope_only() {
        let key = TextKey::of("state-statistics", "0192-a");
        let cursor = encode_cursor(&key, "organisations");
        let request = PageRequest::<TextKey>::parse(Some(5), Some(&cursor), "organisations");
        assert_eq!(request.ok().and_then(|r| r.after), Some(key));
        let other = PageRequest::<TextKey>::parse(None, Some(&cursor), "datasets");
        assert!(other.is_err_and(|e| e.code == ErrorCode::InvalidCursor));
        let garbage = PageRequest::<TextKey>::parse(None, Some("%%%"), "organisations");
        assert!(garbage.is_err_and(|e| e.code == ErrorCode::InvalidCursor));
    }

    #[test]
    fn keys_of_another_type_or_malformed_keys_are_invalid_cursors() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_micro_opt(21, 5, 7, 123_456))
            .unwrap();
        let newest = encode_cursor(&NewestKey::of(&at, "0192-abc"), "documents");
        let back = PageRequest::<NewestKey>::parse(None, Some(&newest), "documents").unwrap();
        assert_eq!(
            back.after,
            Some(NewestKey::of(&at, "0192-abc")),
            "microseconds kept"
        );
        let by_text = PageRequest::<TextKey>::parse(None, Some(&newest), "documents");
        assert!(by_text.is_err_and(|e| e.code == ErrorCode::InvalidCursor));
        let forged = URL_SAFE_NO_PAD.encode("documents\u{1f}{\"at\":\"yesterday\",\"id\":\"x\"}");
        let forged = PageRequest::<NewestKey>::parse(None, Some(&forged), "documents");
        assert!(forged.is_err_and(|e| e.code == ErrorCode::InvalidCursor));
    }

    #[test]
    fn limits_are_bounded_and_pages_know_when_more_follow() {
        assert!(PageRequest::<String>::parse(Some(0), None, "x").is_err());
        assert!(PageRequest::<String>::parse(Some(101), None, "x").is_err());
        let request = PageRequest::<String> {
            limit: 2,
            after: None,
        };
        let (items, next) = request.split(vec!["a", "b", "c"], "x", |s| s.to_string());
        assert_eq!(items, vec!["a", "b"]);
        assert_eq!(next, Some(encode_cursor(&"b".to_owned(), "x")));
        let (_, last) = request.split(vec!["a"], "x", |s| s.to_string());
        assert_eq!(last, None);
    }
}
