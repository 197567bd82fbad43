//! What a case is: its kind, its states and the only transitions between them.
//!
//! Lost and stolen phones follow the return flow: `open` → `located` (seen by an operator of
//! the other country) → `found` (an agency records where it is held) → `handed_over` (to its
//! owner, by the owner's country's embassy when it was found abroad) → `closed`. Such a case
//! may be `withdrawn` (the owner found it themself) while it is open or located. Crime and
//! fraud cases are shared between agencies: `open` → `closed` or `withdrawn`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! case_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, async_graphql::Enum)]
        #[serde(rename_all = "snake_case")]
        #[graphql(rename_items = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
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

case_enum!(
    /// Why a case exists.
    CaseKind, "case kind", {
    /// The owner lost the phone: it is black-listed in both countries until returned.
    Lost => "lost",
    /// The phone was stolen: black-listed like a lost one.
    Stolen => "stolen",
    /// Devices used in fraud (counterfeit batches, a fraud ring's handsets).
    Fraud => "fraud",
    /// Devices involved in a crime.
    Crime => "crime",
});

case_enum!(
    /// Where a case stands.
    CaseState, "case state", {
    Open => "open",
    /// Seen on a network of the other country.
    Located => "located",
    /// An agency holds the device.
    Found => "found",
    /// Back with its owner; the device is white-listed again.
    HandedOver => "handed_over",
    Closed => "closed",
    Withdrawn => "withdrawn",
});

case_enum!(
    /// Who, beyond the organisations working on a case, may read it.
    Confidentiality, "confidentiality", {
    /// Every agency and police force of both countries (the default: sharing is the point).
    Agencies => "agencies",
    /// Only the reporting organisation, the one that found the device and the embassy.
    Restricted => "restricted",
});

/// What someone asks to do to a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Locate,
    Find,
    HandOver,
    Close,
    Withdraw,
}

impl Transition {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Locate => "located",
            Self::Find => "found",
            Self::HandOver => "handed_over",
            Self::Close => "closed",
            Self::Withdraw => "withdrawn",
        }
    }
}

impl CaseKind {
    /// Whether the case's devices are black-listed while it runs and follow the return flow.
    pub fn is_missing_phone(self) -> bool {
        matches!(self, Self::Lost | Self::Stolen)
    }
}

impl CaseState {
    /// Whether the case is over (no transition leads out).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Closed | Self::Withdrawn)
    }
}

/// The state a transition leads to from `state` for a case of `kind`, or `None` when the
/// transition is not allowed there (the caller answers 409).
pub fn next_state(kind: CaseKind, state: CaseState, transition: Transition) -> Option<CaseState> {
    use CaseState::*;
    use Transition::*;
    if kind.is_missing_phone() {
        match (state, transition) {
            (Open, Locate) => Some(Located),
            (Open | Located, Find) => Some(Found),
            (Found, HandOver) => Some(HandedOver),
            (HandedOver, Close) => Some(Closed),
            (Open | Located, Withdraw) => Some(Withdrawn),
            _ => None,
        }
    } else {
        match (state, transition) {
            (Open, Close) => Some(Closed),
            (Open, Withdraw) => Some(Withdrawn),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_phone_goes_through_the_return_flow_only() {
        let kind = CaseKind::Lost;
        let mut state = CaseState::Open;
        for (transition, expected) in [
            (Transition::Locate, CaseState::Located),
            (Transition::Find, CaseState::Found),
            (Transition::HandOver, CaseState::HandedOver),
            (Transition::Close, CaseState::Closed),
        ] {
            state = next_state(kind, state, transition).expect("legal");
            assert_eq!(state, expected);
        }
        assert_eq!(next_state(kind, CaseState::Closed, Transition::Find), None);
        assert_eq!(
            next_state(kind, CaseState::Open, Transition::HandOver),
            None
        );
        assert_eq!(next_state(kind, CaseState::Open, Transition::Close), None);
        assert_eq!(
            next_state(kind, CaseState::Found, Transition::Withdraw),
            None
        );
        assert_eq!(
            next_state(kind, CaseState::Located, Transition::Locate),
            None
        );
    }

    #[test]
    fn crime_and_fraud_cases_only_open_and_end() {
        for kind in [CaseKind::Crime, CaseKind::Fraud] {
            assert_eq!(
                next_state(kind, CaseState::Open, Transition::Close),
                Some(CaseState::Closed)
            );
            assert_eq!(next_state(kind, CaseState::Open, Transition::Find), None);
            assert_eq!(next_state(kind, CaseState::Open, Transition::Locate), None);
        }
    }

    #[test]
    fn every_stored_name_parses_back() {
        for state in CaseState::ALL {
            assert_eq!(state.as_str().parse::<CaseState>().ok(), Some(*state));
        }
        for kind in CaseKind::ALL {
            assert_eq!(kind.as_str().parse::<CaseKind>().ok(), Some(*kind));
        }
        assert!("lost ".parse::<CaseKind>().is_err());
    }
}
