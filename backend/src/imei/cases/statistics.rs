//! Case statistics for agencies: cases by month opened, kind, state and owner's country, and
//! how long a lost or stolen phone took to come back. Counted over the cases the caller may
//! read and nothing else — a restricted case of another agency moves no figure (a count is
//! a disclosure too). JSON for the API and the portal's charts, CSV for spreadsheets.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access::Viewer;
use super::store;
use crate::changes;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::identity::caller::Caller;
use crate::state::AppState;

/// Most cases one statistics call counts; past it the answer says it is partial.
const MAX_CASES: i64 = 200_000;

/// The months to count, by the month a case was opened.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// First month, `YYYY-MM` (default: twelve months before `to`).
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (default: this month).
    pub to: Option<String>,
}

/// Cases of one month, kind, state and owner's country.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "ImeiCaseCount")]
pub struct CaseCount {
    /// `YYYY-MM`, the month the cases were opened.
    pub month: String,
    pub kind: String,
    pub state: String,
    pub country: String,
    pub cases: u32,
}

/// How long returned phones took, from the report to the hand-over, by owner's country.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "ImeiCaseReturnTimes")]
pub struct ReturnTimes {
    pub country: String,
    pub returned: u32,
    pub median_days: f64,
    pub p90_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
#[graphql(name = "ImeiCaseStatistics")]
pub struct CaseStatistics {
    pub from: String,
    pub to: String,
    pub counts: Vec<CaseCount>,
    pub return_times: Vec<ReturnTimes>,
    /// True when more cases matched than one call counts.
    pub partial: bool,
}

fn month(text: Option<&str>, field: &str, default: NaiveDate) -> ApiResult<NaiveDate> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(text) => NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2100).contains(&d.year()))
            .ok_or_else(|| {
                ApiError::validation(vec![FieldError::new(
                    field,
                    "invalid_month",
                    "a month as YYYY-MM between 2000 and 2100",
                )])
            }),
    }
}

fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn months_back(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_sub_months(chrono::Months::new(months))
        .unwrap_or(date)
}

/// The value at quantile `q` of sorted `values` (nearest rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The statistics of the cases the caller may read. Audited.
pub async fn statistics(
    state: &AppState,
    caller: &Caller,
    query: StatisticsQuery,
) -> ApiResult<CaseStatistics> {
    let today = silkbridge_schema::ids::now().date();
    let to = first_of_month(month(query.to.as_deref(), "to", today)?);
    let from = first_of_month(month(query.from.as_deref(), "from", months_back(to, 11))?);
    if from > to || months_back(to, 120) > from {
        return Err(ApiError::validation(vec![FieldError::new(
            "from",
            "out_of_range",
            "from must be on or before to, at most ten years apart",
        )]));
    }
    let end = to
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(to)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default();
    let who = caller.clone();
    state
        .write(move |conn| {
            let viewer = Viewer::load(conn, &who)?;
            let ids = viewer.organisation_ids();
            let involvement = store::Involvement {
                organisations: &ids,
                agencies_level: viewer.agencies_level(),
            };
            let filter = store::Filter {
                opened: Some((start, end)),
                ..store::Filter::default()
            };
            let rows = store::visible(conn, &involvement, &filter, MAX_CASES + 1)?;
            let partial = rows.len() as i64 > MAX_CASES;
            let mut counts: BTreeMap<(String, String, String, String), u32> = BTreeMap::new();
            for case in rows.iter().take(MAX_CASES as usize) {
                let key = (
                    case.created_at.format("%Y-%m").to_string(),
                    case.kind.clone(),
                    case.state.clone(),
                    case.country.clone(),
                );
                *counts.entry(key).or_default() += 1;
            }
            let ids: Vec<String> = rows.iter().map(|c| c.id.clone()).collect();
            let handed = store::handed_over_at(conn, &ids)?;
            let mut days: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            for case in &rows {
                if let Some(at) = handed.get(&case.id) {
                    let took = (*at - case.created_at).num_seconds().max(0) as f64 / 86_400.0;
                    days.entry(case.country.clone()).or_default().push(took);
                }
            }
            changes::audit(
                conn,
                &viewer.actor,
                "imei.case.statistics",
                "imei_case:*",
                serde_json::json!({ "from": from.to_string(), "to": to.to_string(), "cases": rows.len() }),
            )?;
            Ok(CaseStatistics {
                from: from.format("%Y-%m").to_string(),
                to: to.format("%Y-%m").to_string(),
                counts: counts
                    .into_iter()
                    .map(|((month, kind, state, country), cases)| CaseCount {
                        month,
                        kind,
                        state,
                        country,
                        cases,
                    })
                    .collect(),
                return_times: days
                    .into_iter()
                    .map(|(country, mut values)| {
                        values.sort_by(f64::total_cmp);
                        ReturnTimes {
                            returned: values.len() as u32,
                            median_days: (quantile(&values, 0.5) * 10.0).round() / 10.0,
                            p90_days: (quantile(&values, 0.9) * 10.0).round() / 10.0,
                            country,
                        }
                    })
                    .collect(),
                partial,
            })
        })
        .await
}

/// The counts as CSV (`month,kind,state,country,cases`), for spreadsheets.
pub fn to_csv(statistics: &CaseStatistics) -> ApiResult<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(["month", "kind", "state", "country", "cases"])
        .map_err(ApiError::internal)?;
    for row in &statistics.counts {
        writer
            .write_record([
                row.month.as_str(),
                row.kind.as_str(),
                row.state.as_str(),
                row.country.as_str(),
                &row.cases.to_string(),
            ])
            .map_err(ApiError::internal)?;
    }
    let bytes = writer.into_inner().map_err(ApiError::internal)?;
    String::from_utf8(bytes).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let values = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&values, 0.5), 3.0);
        assert_eq!(quantile(&values, 0.9), 10.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }

    #[test]
    fn months_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default();
        assert_eq!(
            month(Some("2026-03"), "from", today).ok(),
            NaiveDate::from_ymd_opt(2026, 3, 1)
        );
        assert!(month(Some("2026-13"), "from", today).is_err());
        assert!(month(Some("1999-01"), "from", today).is_err());
        assert!(month(Some("March"), "from", today).is_err());
    }
}
