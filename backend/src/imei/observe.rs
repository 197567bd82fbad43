//! Duplicate-IMEI detection: operators upload the IMEI–IMSI pairs their networks saw; an
//! IMEI seen with more distinct subscriber identities than the configured threshold within
//! the window is grey-listed as a likely clone (DIRBS's "duplicate IMEI" condition).
//!
//! An upload is checked whole before anything is written: a malformed line is named in the
//! answer and nothing is stored, so an operator can fix the file and send it again without
//! counting twice. It is then written in short transactions (see `upload`).

use std::collections::BTreeSet;

use bytes::Bytes;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Deserialize;
use silkbridge_schema::tables::imei_sightings;
use silkbridge_schema::{DbConnection, ids};

use super::domain::{Imei, ListStatus, Reason};
use super::lifecycle::acting;
use super::service::SCOPE_OBSERVE;
use super::store;
use super::views::ObservationResult;
use crate::changes;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::lines::LineReader;
use crate::identity::caller::Caller;
use crate::identity::domain::OrganisationKind;
use crate::state::AppState;

/// One observed pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting {
    pub imei: Imei,
    pub imsi: String,
    pub seen: NaiveDateTime,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsonSighting {
    imei: String,
    imsi: String,
    observed_at: Option<String>,
}

/// Parses one line: NDJSON (`{"imei":…,"imsi":…,"observedAt":…}`) or CSV
/// (`imei,imsi[,observed_at]`). `Ok(None)` for a CSV header or a blank line.
pub fn parse_line(number: u64, line: &[u8], now: NaiveDateTime) -> ApiResult<Option<Sighting>> {
    let text = std::str::from_utf8(line)
        .map_err(|_| line_error(number, "encoding", "not UTF-8"))?
        .trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (imei, imsi, observed) = if text.starts_with('{') {
        let parsed: JsonSighting = serde_json::from_str(text)
            .map_err(|e| line_error(number, "malformed_json", &e.to_string()))?;
        (parsed.imei, parsed.imsi, parsed.observed_at)
    } else {
        let mut fields = text.split(',').map(|f| f.trim().trim_matches('"'));
        let imei = fields.next().unwrap_or_default().to_owned();
        if number == 1 && imei.eq_ignore_ascii_case("imei") {
            return Ok(None);
        }
        let imsi = fields
            .next()
            .ok_or_else(|| line_error(number, "missing_imsi", "expected imei,imsi[,observed_at]"))?
            .to_owned();
        (
            imei,
            imsi,
            fields.next().filter(|f| !f.is_empty()).map(str::to_owned),
        )
    };
    let imei = Imei::parse(&imei)
        .map_err(|e| line_error(number, e.code(), &e.to_string()))?
        .imei;
    if !(6..=15).contains(&imsi.len()) || !imsi.bytes().all(|b| b.is_ascii_digit()) {
        return Err(line_error(
            number,
            "invalid_imsi",
            "an IMSI has 6 to 15 digits",
        ));
    }
    let seen = match observed {
        None => now,
        Some(text) => DateTime::parse_from_rfc3339(&text)
            .map_err(|_| line_error(number, "invalid_time", "observed_at must be RFC 3339"))?
            .with_timezone(&Utc)
            .naive_utc(),
    };
    if seen > now + Duration::minutes(5) {
        return Err(line_error(
            number,
            "future_time",
            "observed_at is in the future",
        ));
    }
    Ok(Some(Sighting { imei, imsi, seen }))
}

fn line_error(number: u64, code: &str, message: &str) -> ApiError {
    ApiError::validation(vec![FieldError::new(
        format!("line/{number}"),
        code,
        message,
    )])
}

/// Most pairs one upload may carry: the whole upload is received before anything is
/// written, so this bounds its memory (about 80 bytes a pair).
pub const MAX_SIGHTINGS: usize = 500_000;
/// Pairs written per transaction: short transactions, so a large upload never holds the
/// write lock (SQLite) or the change-log horizon (PostgreSQL) for long.
const WRITE_BATCH: usize = 2_000;

/// Stores an upload and flags likely clones. The caller is authorised first, then the whole
/// body is received and checked with no transaction open (a client that trickles bytes
/// holds nothing but its own request, and goes after `limits.body_idle_timeout_secs` of
/// silence), then written in short batches. Recording a pair is idempotent (its last sighting only moves
/// forward), so an upload cut short by a failure can simply be sent again.
pub async fn upload<S, E>(
    state: &AppState,
    caller: &Caller,
    body: S,
) -> ApiResult<ObservationResult>
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let who = caller.clone();
    let acting = crate::db::run(&state.db, move |conn| {
        acting(
            conn,
            &who,
            None,
            SCOPE_OBSERVE,
            &[OrganisationKind::Operator],
        )
    })
    .await?;
    let idle = std::time::Duration::from_secs(state.config.limits.body_idle_timeout_secs);
    let sightings = receive(body, idle).await?;
    let operator_id = acting.organisation.id.clone();
    let mut touched = BTreeSet::new();
    for batch in sightings.chunks(WRITE_BATCH) {
        touched.extend(batch.iter().map(|s| s.imei));
        let batch = batch.to_vec();
        let operator_id = operator_id.clone();
        state
            .write(move |conn| {
                for sighting in &batch {
                    store::record_sighting(
                        conn,
                        sighting.imei,
                        &sighting.imsi,
                        &operator_id,
                        sighting.seen,
                    )?;
                }
                Ok(())
            })
            .await?;
    }
    // Lost and stolen devices among them reach their cases (told to the reporting agency
    // when this operator is of the other country).
    for sighting in &sightings {
        let lookup = state.imei.cache.lookup(sighting.imei);
        super::service::offer_sighting(
            &state.imei.sightings,
            Some(&operator_id),
            sighting.imei,
            &lookup,
            sighting.seen,
        );
    }
    let accepted = sightings.len() as u64;
    let config = state.config.imei.clone();
    let flagged = state
        .write(move |conn| {
            let since = ids::now() - Duration::days(i64::from(config.duplicate_window_days));
            let clones = over_threshold(conn, &touched, since, config.duplicate_imsi_threshold)?;
            let mut flagged = Vec::new();
            for (imei, imsis) in clones {
                if flag(
                    conn,
                    imei,
                    imsis,
                    config.grey_grace_days,
                    &acting.organisation,
                )? {
                    flagged.push(imei);
                }
            }
            changes::audit(
                conn,
                &acting.actor,
                "imei.observe",
                &format!("organisation:{}", acting.organisation.id),
                serde_json::json!({ "accepted": accepted, "flagged": flagged.len() }),
            )?;
            Ok(flagged)
        })
        .await?;
    super::lifecycle::refresh_cache(state, flagged.clone()).await?;
    Ok(ObservationResult {
        accepted,
        flagged: flagged.iter().map(|i| i.to_string()).collect(),
    })
}

/// Reads and checks the whole upload: a malformed line is named and nothing is stored; more
/// than `MAX_SIGHTINGS` pairs is 413.
async fn receive<S, E>(body: S, idle: std::time::Duration) -> ApiResult<Vec<Sighting>>
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut lines = LineReader::new(body, 4096).with_idle_timeout(idle);
    let mut sightings = Vec::new();
    let now = ids::now();
    while let Some((number, line)) = lines.next_line().await? {
        if let Some(sighting) = parse_line(number, &line, now)? {
            if sightings.len() == MAX_SIGHTINGS {
                return Err(ApiError::new(
                    crate::error::ErrorCode::PayloadTooLarge,
                    format!("at most {MAX_SIGHTINGS} pairs in one upload"),
                ));
            }
            sightings.push(sighting);
        }
    }
    Ok(sightings)
}

/// IMEIs among `touched` seen with more than `threshold` distinct IMSIs since `since`.
fn over_threshold(
    conn: &mut DbConnection,
    touched: &BTreeSet<Imei>,
    since: NaiveDateTime,
    threshold: u32,
) -> ApiResult<Vec<(Imei, i64)>> {
    let keys: Vec<i64> = touched.iter().map(|i| i.as_i64()).collect();
    let mut over = Vec::new();
    for chunk in keys.chunks(500) {
        let counts: Vec<(i64, i64)> = imei_sightings::table
            .filter(imei_sightings::imei.eq_any(chunk))
            .filter(imei_sightings::last_seen.ge(since))
            .group_by(imei_sightings::imei)
            .select((imei_sightings::imei, count_star()))
            .load(conn)?;
        over.extend(
            counts
                .into_iter()
                .filter(|(_, n)| *n > i64::from(threshold))
                .map(|(imei, n)| (Imei::from_stored(imei), n)),
        );
    }
    Ok(over)
}

/// Grey-lists a likely clone unless it is already listed; returns whether it did.
fn flag(
    conn: &mut DbConnection,
    imei: Imei,
    imsis: i64,
    grace_days: u32,
    operator: &crate::identity::views::OrganisationView,
) -> ApiResult<bool> {
    let existing = store::device(conn, imei)?;
    if existing.as_ref().is_some_and(|r| r.status != "white") {
        return Ok(false);
    }
    let now = ids::now();
    let mut row = existing
        .clone()
        .unwrap_or_else(|| super::lifecycle::blank_device(imei));
    let grace_until = Some(now + Duration::days(i64::from(grace_days)));
    let reason = Some(Reason::DuplicateImei);
    super::lifecycle::set_listing(
        &mut row,
        ListStatus::Grey,
        reason,
        operator.country,
        None,
        grace_until,
        now,
    );
    row.case_reference = None;
    let note = format!("seen with {imsis} distinct IMSIs");
    let event = super::lifecycle::event_for(&row, "flagged_duplicate", "system", Some(note));
    super::lifecycle::save_device(conn, &row, existing.is_some(), event)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_ndjson_and_headers_parse_and_bad_lines_are_named() {
        let now = ids::now();
        assert_eq!(parse_line(1, b"imei,imsi", now).unwrap(), None);
        let csv = parse_line(2, b"490154203237518,434051234567890", now)
            .unwrap()
            .unwrap();
        assert_eq!(csv.imsi, "434051234567890");
        assert_eq!(csv.seen, now);
        let json = parse_line(
            3,
            br#"{"imei":"490154203237518","imsi":"400011234567890","observedAt":"2026-11-01T10:00:00Z"}"#,
            now,
        )
        .unwrap()
        .unwrap();
        assert_eq!(json.seen.to_string(), "2026-11-01 10:00:00");
        let error = parse_line(4, b"490154203237519,434051234567890", now).unwrap_err();
        assert_eq!(error.errors[0].field, "line/4");
        assert_eq!(error.errors[0].code, "check_digit");
        let error = parse_line(5, b"490154203237518,43405x", now).unwrap_err();
        assert_eq!(error.errors[0].code, "invalid_imsi");
    }
}
