//! IMEI numbers and device statuses: parsing with the Luhn check digit (GSMA TS.06 /
//! 3GPP TS 23.003), IMEISV, and the three list colours of an equipment identity register.

use std::fmt;

use serde::Serialize;

use crate::vocabulary::vocabulary;

/// Why a text is not an IMEI; the `code` goes into the problem's field errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImeiError {
    /// Something other than digits (after removing spaces, hyphens and slashes).
    NotDigits,
    /// Neither 15 digits (IMEI) nor 16 (IMEISV).
    WrongLength(usize),
    /// 15 digits whose last is not the Luhn check digit of the first 14.
    CheckDigit { expected: u8 },
}

impl ImeiError {
    /// Machine-readable reason.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotDigits => "not_digits",
            Self::WrongLength(_) => "wrong_length",
            Self::CheckDigit { .. } => "check_digit",
        }
    }
}

impl fmt::Display for ImeiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotDigits => f.write_str("an IMEI has digits only"),
            Self::WrongLength(n) => write!(f, "an IMEI has 15 digits (an IMEISV 16); this has {n}"),
            Self::CheckDigit { expected } => write!(
                f,
                "the last digit is not the Luhn check digit (expected {expected})"
            ),
        }
    }
}

/// A valid 15-digit IMEI, kept as its number (it fits in 50 bits), which is also how the
/// registry stores it: an integer key is smaller and faster than text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Imei(u64);

/// What was presented: an IMEI, or an IMEISV (whose software version is kept for the
/// answer but plays no part in the status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    pub imei: Imei,
    pub software_version: Option<u8>,
}

impl Imei {
    /// Parses an IMEI (15 digits, Luhn-checked) or an IMEISV (16 digits: TAC, serial,
    /// two-digit software version; no check digit). Spaces, hyphens, slashes and dots, as
    /// printed on boxes and labels, are ignored.
    pub fn parse(text: &str) -> Result<Parsed, ImeiError> {
        let mut digits = [0u8; 16];
        let mut len = 0usize;
        for ch in text.trim().chars() {
            match ch {
                '0'..='9' => {
                    if len < digits.len() {
                        digits[len] = ch as u8 - b'0';
                    }
                    len += 1;
                }
                ' ' | '-' | '/' | '.' => {}
                _ => return Err(ImeiError::NotDigits),
            }
        }
        match len {
            15 => {
                let expected = luhn_check_digit(&digits[..14]);
                if digits[14] != expected {
                    return Err(ImeiError::CheckDigit { expected });
                }
                Ok(Parsed {
                    imei: Self(number(&digits[..15])),
                    software_version: None,
                })
            }
            16 => {
                let mut full = [0u8; 15];
                full[..14].copy_from_slice(&digits[..14]);
                full[14] = luhn_check_digit(&digits[..14]);
                Ok(Parsed {
                    imei: Self(number(&full)),
                    software_version: Some(digits[14] * 10 + digits[15]),
                })
            }
            0 => Err(ImeiError::WrongLength(0)),
            n => Err(ImeiError::WrongLength(n)),
        }
    }

    /// The stored form. Always below 10^15, so it fits an `i64` column.
    pub fn as_i64(self) -> i64 {
        self.0 as i64
    }

    /// Rebuilds an IMEI read back from the registry (already checked when written).
    pub fn from_stored(value: i64) -> Self {
        Self(value as u64)
    }

    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// The type allocation code: the first eight digits, naming brand and model.
    pub fn tac(self) -> u32 {
        (self.0 / 10_000_000) as u32
    }
}

impl fmt::Display for Imei {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}", self.0)
    }
}

fn number(digits: &[u8]) -> u64 {
    digits.iter().fold(0u64, |n, d| n * 10 + u64::from(*d))
}

/// The Luhn check digit of the 14 digits before it: from the right, every second digit is
/// doubled (and its digits summed); the check digit brings the total to a multiple of ten.
pub fn luhn_check_digit(body: &[u8]) -> u8 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let doubled = d * 2;
                doubled / 10 + doubled % 10
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A type allocation code as text (eight digits).
pub fn parse_tac(text: &str) -> Option<u32> {
    let text = text.trim();
    (text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

vocabulary!(
    /// The list an IMEI is on (3GPP TS 29.511 EquipmentStatus).
    ListStatus, "list status", {
        White => "white",
        Grey => "grey",
        Black => "black",
    }
);

impl ListStatus {
    /// The 5G-EIR name of the status.
    pub fn eir_name(self) -> &'static str {
        match self {
            Self::White => "WHITELISTED",
            Self::Grey => "GREYLISTED",
            Self::Black => "BLACKLISTED",
        }
    }
}

vocabulary!(
    /// Why a device is on the grey or black list.
    Reason, "reason", {
        Stolen => "stolen",
        Lost => "lost",
        Counterfeit => "counterfeit",
        DuplicateImei => "duplicate_imei",
        CustomsUnregistered => "customs_unregistered",
        UnknownTac => "unknown_tac",
    }
);

impl Reason {
    /// Reasons an agency reports (the others are set by the registry itself or by customs).
    pub fn is_report(self) -> bool {
        matches!(self, Self::Stolen | Self::Lost | Self::Counterfeit)
    }
}

/// The answer to a status check, as small as the hot path needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub status: ListStatus,
    pub reason: Option<Reason>,
}

impl Standing {
    pub const WHITE: Self = Self {
        status: ListStatus::White,
        reason: None,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(crate::fuzzing::config())]

        /// Fuzz target: any text is an IMEI or IMEISV, or a named refusal; what is accepted
        /// prints as 15 digits with a valid check digit and parses back to itself.
        #[test]
        fn fuzz_imei_parse(text in "[0-9 -]{0,20}|.{0,24}") {
            if let Ok(parsed) = Imei::parse(&text) {
                let printed = parsed.imei.to_string();
                proptest::prop_assert_eq!(printed.len(), 15);
                proptest::prop_assert_eq!(Imei::parse(&printed).map(|p| p.imei), Ok(parsed.imei));
            }
            let _ = parse_tac(&text);
        }
    }

    #[test]
    fn valid_imeis_parse_and_keep_their_tac() {
        // The GSMA's worked example (TS.06) and a handset's printed label with separators.
        let parsed = Imei::parse("490154203237518").unwrap();
        assert_eq!(parsed.imei.to_string(), "490154203237518");
        assert_eq!(parsed.imei.tac(), 49015420);
        assert_eq!(parsed.software_version, None);
        let label = Imei::parse(" 35-209900-176148-1 ").unwrap();
        assert_eq!(label.imei.to_string(), "352099001761481");
    }

    #[test]
    fn a_wrong_check_digit_names_the_expected_one() {
        assert_eq!(
            Imei::parse("490154203237519"),
            Err(ImeiError::CheckDigit { expected: 8 })
        );
        for last in 0..=9u8 {
            let text = format!("49015420323751{last}");
            assert_eq!(Imei::parse(&text).is_ok(), last == 8, "{text}");
        }
    }

    #[test]
    fn wrong_lengths_and_non_digits_are_refused() {
        assert_eq!(
            Imei::parse("49015420323751"),
            Err(ImeiError::WrongLength(14))
        );
        assert_eq!(
            Imei::parse("4901542032375180000"),
            Err(ImeiError::WrongLength(19))
        );
        assert_eq!(Imei::parse(""), Err(ImeiError::WrongLength(0)));
        assert_eq!(Imei::parse("49015420323751A"), Err(ImeiError::NotDigits));
        assert_eq!(
            Imei::parse("４９０１５４２０３２３７５１８"),
            Err(ImeiError::NotDigits)
        );
    }

    #[test]
    fn an_imeisv_gives_its_imei_and_software_version() {
        // IMEISV = TAC + serial + SVN; the IMEI's check digit is computed, not carried.
        let parsed = Imei::parse("4901542032375107").unwrap();
        assert_eq!(parsed.imei.to_string(), "490154203237518");
        assert_eq!(parsed.software_version, Some(7));
    }

    #[test]
    fn every_single_digit_error_is_caught() {
        // The property Luhn is chosen for: any one mistyped digit changes the check.
        let good = "352099001761481";
        for (position, original) in good.char_indices() {
            for replacement in '0'..='9' {
                if replacement == original {
                    continue;
                }
                let mut typo = good.to_owned();
                typo.replace_range(position..=position, &replacement.to_string());
                assert!(Imei::parse(&typo).is_err(), "{typo} should fail");
            }
        }
    }

    #[test]
    fn tacs_are_eight_digits() {
        assert_eq!(parse_tac("35209900"), Some(35209900));
        assert_eq!(parse_tac("3520990"), None);
        assert_eq!(parse_tac("3520990a"), None);
    }
}
