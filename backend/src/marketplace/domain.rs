//! The marketplace's vocabulary.

use crate::vocabulary::vocabulary;

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
