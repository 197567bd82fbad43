//! OAI-PMH requests: the verb's arguments checked as the protocol says, datestamps, sets and
//! resumption tokens. Every refusal is one of the protocol's error codes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

/// The protocol's error codes (OAI-PMH 2.0 §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaiErrorCode {
    BadArgument,
    BadResumptionToken,
    BadVerb,
    CannotDisseminateFormat,
    IdDoesNotExist,
    NoRecordsMatch,
    NoMetadataFormats,
}

impl OaiErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadArgument => "badArgument",
            Self::BadResumptionToken => "badResumptionToken",
            Self::BadVerb => "badVerb",
            Self::CannotDisseminateFormat => "cannotDisseminateFormat",
            Self::IdDoesNotExist => "idDoesNotExist",
            Self::NoRecordsMatch => "noRecordsMatch",
            Self::NoMetadataFormats => "noMetadataFormats",
        }
    }
}

/// A protocol error with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiError {
    pub code: OaiErrorCode,
    pub message: String,
}

impl OaiError {
    pub fn new(code: OaiErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

fn bad_argument(message: impl Into<String>) -> OaiError {
    OaiError::new(OaiErrorCode::BadArgument, message)
}

/// The six verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Identify,
    ListMetadataFormats,
    ListSets,
    ListIdentifiers,
    ListRecords,
    GetRecord,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identify => "Identify",
            Self::ListMetadataFormats => "ListMetadataFormats",
            Self::ListSets => "ListSets",
            Self::ListIdentifiers => "ListIdentifiers",
            Self::ListRecords => "ListRecords",
            Self::GetRecord => "GetRecord",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [
            Self::Identify,
            Self::ListMetadataFormats,
            Self::ListSets,
            Self::ListIdentifiers,
            Self::ListRecords,
            Self::GetRecord,
        ]
        .into_iter()
        .find(|v| v.as_str() == text)
    }

    /// (required, optional, exclusive) arguments.
    fn arguments(
        self,
    ) -> (
        &'static [&'static str],
        &'static [&'static str],
        Option<&'static str>,
    ) {
        match self {
            Self::Identify => (&[], &[], None),
            Self::ListMetadataFormats => (&[], &["identifier"], None),
            Self::ListSets => (&[], &[], Some("resumptionToken")),
            Self::ListIdentifiers | Self::ListRecords => (
                &["metadataPrefix"],
                &["from", "until", "set"],
                Some("resumptionToken"),
            ),
            Self::GetRecord => (&["identifier", "metadataPrefix"], &[], None),
        }
    }
}

/// A request whose verb and arguments are valid, with the arguments echoed in the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiRequest {
    pub verb: Verb,
    pub arguments: Vec<(String, String)>,
}

impl OaiRequest {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.arguments
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Checks the verb and its arguments: unknown, repeated, missing or combined-with-exclusive
/// arguments are `badArgument`; a missing, repeated or unknown verb is `badVerb`.
pub fn parse(pairs: &[(String, String)]) -> Result<OaiRequest, OaiError> {
    let verbs: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "verb")
        .map(|(_, v)| v.as_str())
        .collect();
    let verb = match verbs.as_slice() {
        [] => return Err(OaiError::new(OaiErrorCode::BadVerb, "the verb is missing")),
        [one] => Verb::parse(one).ok_or_else(|| {
            OaiError::new(
                OaiErrorCode::BadVerb,
                format!("`{one}` is not an OAI-PMH verb"),
            )
        })?,
        _ => return Err(OaiError::new(OaiErrorCode::BadVerb, "the verb is repeated")),
    };
    let arguments: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| k != "verb").cloned().collect();
    let (required, optional, exclusive) = verb.arguments();
    for (i, (key, _)) in arguments.iter().enumerate() {
        let known = required.contains(&key.as_str())
            || optional.contains(&key.as_str())
            || exclusive == Some(key.as_str());
        if !known {
            return Err(bad_argument(format!(
                "`{key}` is not an argument of {}",
                verb.as_str()
            )));
        }
        if arguments[..i].iter().any(|(k, _)| k == key) {
            return Err(bad_argument(format!("`{key}` is repeated")));
        }
    }
    let has = |key: &str| arguments.iter().any(|(k, _)| k == key);
    match exclusive {
        Some(exclusive) if has(exclusive) => {
            if arguments.len() > 1 {
                return Err(bad_argument(format!(
                    "{exclusive} is an exclusive argument"
                )));
            }
        }
        _ => {
            if let Some(missing) = required.iter().find(|key| !has(key)) {
                return Err(bad_argument(format!(
                    "{} needs the `{missing}` argument",
                    verb.as_str()
                )));
            }
        }
    }
    Ok(OaiRequest { verb, arguments })
}

/// A `from`/`until` datestamp: day or second granularity (this repository supports seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datestamp {
    Day(NaiveDate),
    Second(NaiveDateTime),
}

impl Datestamp {
    pub fn parse(text: &str) -> Result<Self, OaiError> {
        if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            && text.len() == 10
        {
            return Ok(Self::Day(day));
        }
        if text.len() == 20
            && let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%SZ")
        {
            return Ok(Self::Second(at));
        }
        Err(bad_argument(format!(
            "`{text}` is not a datestamp like 2026-11-25 or 2026-11-25T10:00:00Z"
        )))
    }

    fn is_day(self) -> bool {
        matches!(self, Self::Day(_))
    }

    /// The first instant it covers.
    pub fn start(self) -> NaiveDateTime {
        match self {
            Self::Day(day) => day.and_time(chrono::NaiveTime::MIN),
            Self::Second(at) => at,
        }
    }

    /// The first instant after it (`until` is inclusive of its whole day or second).
    pub fn end_exclusive(self) -> NaiveDateTime {
        match self {
            Self::Day(day) => day.and_time(chrono::NaiveTime::MIN) + TimeDelta::days(1),
            Self::Second(at) => at + TimeDelta::seconds(1),
        }
    }
}

/// The `from` and `until` of a list request, checked against each other.
pub fn window(
    from: Option<&str>,
    until: Option<&str>,
) -> Result<(Option<Datestamp>, Option<Datestamp>), OaiError> {
    let from = from.map(Datestamp::parse).transpose()?;
    let until = until.map(Datestamp::parse).transpose()?;
    if let (Some(f), Some(u)) = (from, until) {
        if f.is_day() != u.is_day() {
            return Err(bad_argument(
                "from and until must have the same granularity",
            ));
        }
        if f.start() > u.start() {
            return Err(bad_argument("from is after until"));
        }
    }
    Ok((from, until))
}

/// Where a list continues: the request's selection and the (datestamp, id) of the last item
/// sent. A keyset position, so it stays valid as long as the repository exists and costs the
/// same to resume at any depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumptionToken {
    pub metadata_prefix: String,
    pub set: Option<String>,
    pub from: Option<String>,
    pub until: Option<String>,
    pub after: (NaiveDateTime, String),
}

const TOKEN_VERSION: &str = "1";
const SEPARATOR: char = '\u{1f}';

impl ResumptionToken {
    pub fn encode(&self) -> String {
        let text = [
            TOKEN_VERSION,
            &self.metadata_prefix,
            self.set.as_deref().unwrap_or(""),
            self.from.as_deref().unwrap_or(""),
            self.until.as_deref().unwrap_or(""),
            &self.after.0.and_utc().timestamp_micros().to_string(),
            &self.after.1,
        ]
        .join(&SEPARATOR.to_string());
        URL_SAFE_NO_PAD.encode(text)
    }

    pub fn decode(token: &str) -> Result<Self, OaiError> {
        let invalid = || {
            OaiError::new(
                OaiErrorCode::BadResumptionToken,
                "this resumption token was not issued by this repository",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let parts: Vec<&str> = text.split(SEPARATOR).collect();
        let [version, prefix, set, from, until, micros, id] = parts.as_slice() else {
            return Err(invalid());
        };
        if *version != TOKEN_VERSION || prefix.is_empty() || id.is_empty() {
            return Err(invalid());
        }
        let micros: i64 = micros.parse().map_err(|_| invalid())?;
        let at = chrono::DateTime::from_timestamp_micros(micros)
            .ok_or_else(invalid)?
            .naive_utc();
        let optional = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Ok(Self {
            metadata_prefix: (*prefix).to_owned(),
            set: optional(set),
            from: optional(from),
            until: optional(until),
            after: (at, (*id).to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(crate::fuzzing::config())]

        /// Fuzz target: any OAI-PMH arguments are a request or a protocol error; any
        /// datestamp or resumption token text is parsed or refused.
        #[test]
        fn fuzz_oai_arguments(
            pairs in proptest::collection::vec(
                (
                    "verb|metadataPrefix|identifier|set|from|until|resumptionToken|[a-z]{0,8}",
                    "Identify|ListRecords|ListIdentifiers|GetRecord|ListSets|ListMetadataFormats|oai_dc|[0-9TZ:-]{0,22}|.{0,30}",
                ),
                0..6,
            ),
            text in ".{0,40}",
        ) {
            let pairs: Vec<(String, String)> = pairs;
            let _ = parse(&pairs);
            let _ = Datestamp::parse(&text);
            let _ = ResumptionToken::decode(&text);
            let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text.as_bytes());
            let _ = ResumptionToken::decode(&encoded);
        }
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn code(items: &[(&str, &str)]) -> Option<OaiErrorCode> {
        parse(&pairs(items)).err().map(|e| e.code)
    }

    #[test]
    fn verbs_and_arguments_are_checked_as_the_protocol_says() {
        assert_eq!(code(&[]), Some(OaiErrorCode::BadVerb));
        assert_eq!(
            code(&[("verb", "ListEverything")]),
            Some(OaiErrorCode::BadVerb)
        );
        assert_eq!(
            code(&[("verb", "Identify"), ("verb", "Identify")]),
            Some(OaiErrorCode::BadVerb)
        );
        assert_eq!(code(&[("verb", "Identify")]), None);
        assert_eq!(
            code(&[("verb", "Identify"), ("set", "x")]),
            Some(OaiErrorCode::BadArgument)
        );
        assert_eq!(
            code(&[("verb", "ListRecords")]),
            Some(OaiErrorCode::BadArgument)
        );
        assert_eq!(
            code(&[
                ("verb", "ListRecords"),
                ("metadataPrefix", "oai_dc"),
                ("resumptionToken", "t")
            ]),
            Some(OaiErrorCode::BadArgument)
        );
        assert_eq!(
            code(&[("verb", "ListRecords"), ("resumptionToken", "t")]),
            None
        );
        assert_eq!(
            code(&[("verb", "GetRecord"), ("identifier", "x")]),
            Some(OaiErrorCode::BadArgument)
        );
        assert_eq!(
            code(&[
                ("verb", "ListIdentifiers"),
                ("metadataPrefix", "oai_dc"),
                ("metadataPrefix", "oai_dc")
            ]),
            Some(OaiErrorCode::BadArgument)
        );
    }

    #[test]
    fn datestamp_windows_need_one_granularity_and_order() {
        assert!(window(Some("2026-01-01"), Some("2026-02-01")).is_ok());
        assert!(window(Some("2026-01-01T00:00:00Z"), None).is_ok());
        assert!(window(Some("2026-01-01"), Some("2026-02-01T00:00:00Z")).is_err());
        assert!(window(Some("2026-03-01"), Some("2026-02-01")).is_err());
        assert!(window(Some("2026-13-01"), None).is_err());
        assert!(window(Some("2026-01-01T00:00:00"), None).is_err());
        let until = Datestamp::parse("2026-02-01")
            .ok()
            .map(Datestamp::end_exclusive);
        assert_eq!(
            until.map(|u| u.to_string()).as_deref(),
            Some("2026-02-02 00:00:00")
        );
    }

    #[test]
    fn tokens_round_trip_and_foreign_ones_are_refused() {
        let at = chrono::DateTime::from_timestamp_micros(1_764_000_000_123_456)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        let token = ResumptionToken {
            metadata_prefix: "oai_dc".into(),
            set: Some("org:state-statistics".into()),
            from: None,
            until: Some("2026-12-31".into()),
            after: (at, "0193-abc".into()),
        };
        assert_eq!(ResumptionToken::decode(&token.encode()), Ok(token));
        for bad in ["", "%%%", "bm90IGEgdG9rZW4"] {
            assert_eq!(
                ResumptionToken::decode(bad).err().map(|e| e.code),
                Some(OaiErrorCode::BadResumptionToken)
            );
        }
    }
}
