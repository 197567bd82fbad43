//! The portal's messages, in Fluent files (`backend/locales/<tag>/portal.ftl`) embedded at
//! build time. The locale is passed with every page, never kept globally; arguments are not
//! wrapped in bidi-isolation marks (they end up in attributes and URLs).

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};

use super::locale::Locale;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The language identifier Fluent knows a locale by.
fn language(locale: Locale) -> LanguageIdentifier {
    locale
        .tag()
        .parse()
        .unwrap_or_else(|_| LanguageIdentifier::default())
}

/// The message `key` in `locale`.
pub fn text(locale: Locale, key: &str) -> String {
    LOCALES.lookup(&language(locale), key)
}

/// The message `key` in `locale` with arguments (numbers choose the plural form).
pub fn text_with(locale: Locale, key: &str, args: &[(&'static str, FluentValue<'_>)]) -> String {
    let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(name, value)| (Cow::Borrowed(*name), value.clone()))
        .collect();
    LOCALES.lookup_with_args(&language(locale), key, &args)
}

/// A message about `count` things: `$count` chooses the plural form (CLDR rules), `$shown`
/// is the number as the locale writes it (`12 345`).
pub fn counted(locale: Locale, key: &str, count: u64) -> String {
    let shown = super::format::number(locale, i64::try_from(count).unwrap_or(i64::MAX));
    text_with(
        locale,
        key,
        &[("count", count.into()), ("shown", shown.into())],
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The message ids of a locale's file.
    fn keys(locale: Locale) -> BTreeSet<String> {
        let path = format!(
            "{}/locales/{}/portal.ftl",
            env!("CARGO_MANIFEST_DIR"),
            locale.tag()
        );
        let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let resource = fluent_syntax::parser::parse(source.as_str())
            .unwrap_or_else(|(_, errors)| panic!("{path} does not parse: {errors:?}"));
        resource
            .body
            .iter()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_locale_has_every_message_and_no_other() {
        let english = keys(Locale::En);
        assert!(english.len() > 20, "{english:?}");
        for locale in Locale::ALL {
            let theirs = keys(locale);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", locale.tag());
            assert!(extra.is_empty(), "{} has unknown {extra:?}", locale.tag());
        }
    }

    /// Messages whose word is the same in some of the languages ("Format", "Preprint").
    const SAME_WORD: &[&str] = &[
        "file-format",
        "resource-format",
        "pubtype-preprint",
        // Unit symbols: Latin-script languages write them as English does.
        "unit-b",
        "unit-kb",
        "unit-mb",
        "unit-gb",
    ];

    /// A message with sample values for every argument any message takes.
    fn sample(locale: Locale, key: &str) -> String {
        let args = [
            ("count", FluentValue::from(2)),
            ("shown", FluentValue::from("2")),
            ("date", FluentValue::from("2030-01-01")),
            ("country", FluentValue::from("X")),
            ("value", FluentValue::from("1")),
            ("organisation", FluentValue::from("O")),
            ("role", FluentValue::from("R")),
        ];
        text_with(locale, key, &args)
    }

    #[test]
    fn other_locales_are_translated_not_copied() {
        let english = Locale::En;
        for locale in Locale::ALL.into_iter().filter(|l| *l != english) {
            let same: Vec<String> = keys(english)
                .into_iter()
                // Names and codes (`name-…`) are the same everywhere; a few words happen to be.
                .filter(|k| !k.starts_with("name-") && !SAME_WORD.contains(&k.as_str()))
                .filter(|k| sample(locale, k) == sample(english, k))
                .collect();
            assert!(
                same.is_empty(),
                "{} left in English: {same:?}",
                locale.tag()
            );
        }
    }

    #[test]
    fn plural_forms_follow_each_language() {
        let count = |locale, n: u64| counted(locale, "search-count", n);
        assert_eq!(count(Locale::En, 1), "1 result");
        assert_eq!(count(Locale::En, 5), "5 results");
        assert_eq!(count(Locale::Ru, 1), "1 результат");
        assert_eq!(count(Locale::Ru, 3), "3 результата");
        assert_eq!(count(Locale::Ru, 5), "5 результатов");
        assert_eq!(count(Locale::Ru, 21), "21 результат");
        // The number is written as the locale writes it, the form chosen by its value.
        assert_eq!(count(Locale::En, 12_345), "12,345 results");
        assert_eq!(count(Locale::Ru, 12_345), "12\u{a0}345 результатов");
    }
}
