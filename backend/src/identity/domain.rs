//! Identity's vocabulary: the values a client may send and see.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A federation member. Each has its own identity provider and legal framework.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, async_graphql::Enum,
)]
pub enum Country {
    /// Uzbekistan.
    #[serde(rename = "UZ")]
    #[graphql(name = "UZ")]
    Uz,
    /// Azerbaijan.
    #[serde(rename = "AZ")]
    #[graphql(name = "AZ")]
    Az,
}

/// What kind of body an organisation is; it decides which modules it takes part in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, async_graphql::Enum,
)]
#[serde(rename_all = "lowercase")]
pub enum OrganisationKind {
    Agency,
    University,
    Operator,
    Manufacturer,
    Company,
    Startup,
    /// A country's embassy in the other country: hands found phones back to their owners.
    /// Its `country` is the country it represents; it serves in the other one.
    Embassy,
    /// A law-enforcement agency: records found devices and shares crime and fraud cases.
    Police,
}

/// A member's role within an organisation; each includes the ones before it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    async_graphql::Enum,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Editor,
    Admin,
}

/// Stored text form of the enumerations above.
macro_rules! text_enum {
    ($ty:ty, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$(<$ty>::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(<$ty>::$variant => $text),+ }
            }
        }

        impl FromStr for $ty {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok(<$ty>::$variant),)+
                    other => Err(format!(
                        "unknown {} `{other}`; expected one of: {}",
                        $what,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(Country, "country", { Uz => "UZ", Az => "AZ" });

impl Country {
    /// The other of the platform's two countries (where an embassy of this one serves).
    pub fn other(self) -> Self {
        match self {
            Self::Uz => Self::Az,
            Self::Az => Self::Uz,
        }
    }
}
text_enum!(OrganisationKind, "organisation kind", {
    Agency => "agency", University => "university", Operator => "operator",
    Manufacturer => "manufacturer", Company => "company", Startup => "startup",
    Embassy => "embassy", Police => "police",
});
text_enum!(Role, "role", { Member => "member", Editor => "editor", Admin => "admin" });

/// Language tags silkbridge accepts for multilingual text: Uzbek in both scripts,
/// Azerbaijani, Russian and English.
pub const LANGUAGE_TAGS: &[&str] = &["uz-Latn", "uz-Cyrl", "az", "ru", "en"];

/// A text in one language.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, async_graphql::SimpleObject,
)]
pub struct LocalizedText {
    /// One of `uz-Latn`, `uz-Cyrl`, `az`, `ru`, `en`.
    pub lang: String,
    pub text: String,
}

/// Converts a stored `{lang: text}` map into the list form clients see.
pub fn localized_list(names: BTreeMap<String, String>) -> Vec<LocalizedText> {
    names
        .into_iter()
        .map(|(lang, text)| LocalizedText { lang, text })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerations_round_trip_and_name_the_choices() {
        for kind in OrganisationKind::ALL {
            assert_eq!(kind.as_str().parse::<OrganisationKind>().ok(), Some(*kind));
        }
        let err = "ngo".parse::<OrganisationKind>().err().unwrap_or_default();
        assert!(err.contains("agency, university"), "{err}");
        assert_eq!("AZ".parse::<Country>().ok(), Some(Country::Az));
        assert!(Role::Admin > Role::Editor && Role::Editor > Role::Member);
    }
}
