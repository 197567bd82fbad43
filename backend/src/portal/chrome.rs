//! What every portal page shares: its locale, its place (for the language switch and the
//! `hreflang` alternates), its title, the stylesheet and the sign-in links.

use super::i18n;
use super::locale::Locale;

/// One link of the language switch, or one `hreflang` alternate.
pub struct Alternate {
    pub tag: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// A sign-in link of one country's provider.
pub struct SignIn {
    pub label: String,
    pub href: String,
}

/// The header's controls for a signed-in browser.
pub struct Account {
    pub workspace: String,
    pub sign_out_action: String,
    pub csrf_field: &'static str,
    pub csrf: String,
}

/// The frame of a page.
pub struct Page {
    pub locale: Locale,
    /// The page's path after the locale, with its query (`/search?q=x`).
    pub rest: String,
    pub title: String,
    pub stylesheet: &'static str,
    /// The sign-in page, returning here (when anyone can sign in: providers or the demo).
    pub sign_in_page: Option<String>,
    /// Set when the browser holds a session.
    pub account: Option<Account>,
    /// The absolute URL of this page (`rel=canonical`).
    pub canonical: String,
}

impl Page {
    /// The message `key` in the page's locale.
    pub fn t(&self, key: &str) -> String {
        i18n::text(self.locale, key)
    }

    /// The page's language, for `<html lang>`.
    pub fn lang(&self) -> &'static str {
        self.locale.tag()
    }

    /// A path of this site in the page's locale (`/uz/search`).
    pub fn href(&self, path: &str) -> String {
        format!("/{}{path}", self.locale.tag())
    }

    /// A path of this site in the page's locale with the given query parameters; empty and
    /// absent ones are left out, so each filter state has one URL.
    pub fn href_with(&self, path: &str, pairs: &[(&str, Option<&str>)]) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in pairs {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                query.append_pair(name, value);
            }
        }
        match query.finish() {
            query if query.is_empty() => self.href(path),
            query => self.href(&format!("{path}?{query}")),
        }
    }

    /// The same page in every locale.
    pub fn alternates(&self) -> Vec<Alternate> {
        Locale::ALL
            .into_iter()
            .map(|locale| Alternate {
                tag: locale.tag(),
                name: locale.endonym(),
                href: format!("/{}{}", locale.tag(), self.rest),
                current: locale == self.locale,
            })
            .collect()
    }
}
