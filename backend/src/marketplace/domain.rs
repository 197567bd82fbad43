//! The marketplace's vocabulary.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Defines a text-stored enumeration with its parser and the list of accepted values.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} `{other}`; expected one of: {}",
                        $what,
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// What a listing offers.
    ListingKind, "listing kind", {
        Service => "service", Product => "product", Startup => "startup",
        InvestmentCall => "investment_call", Event => "event",
    }
);

vocabulary!(
    /// Where a listing is in its life.
    ListingState, "listing state", {
        Draft => "draft", PendingReview => "pending_review", Published => "published",
        Rejected => "rejected", Archived => "archived",
    }
);

vocabulary!(
    /// How a listing is priced.
    PriceModel, "price model", {
        Free => "free", Fixed => "fixed", Hourly => "hourly", Subscription => "subscription",
        OnRequest => "on_request", Range => "range",
    }
);

vocabulary!(
    /// Currencies of the two countries and the common reference ones.
    Currency, "currency", { Uzs => "UZS", Azn => "AZN", Usd => "USD", Eur => "EUR" }
);

impl PriceModel {
    /// Whether the model carries an amount (and so a currency).
    pub fn has_amount(self) -> bool {
        matches!(
            self,
            Self::Fixed | Self::Hourly | Self::Subscription | Self::Range
        )
    }
}
