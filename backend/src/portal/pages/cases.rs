//! IMEI cases in the workspace, for agencies, police forces and embassies: the case list
//! (located cases — a lost phone seen abroad — marked as needing attention) with the
//! statistics chart and its CSV, a case's page with its history and the steps the person may
//! take, and those steps as forms. Every read and step is the API's service call; who sees what
//! is decided there (`imei::cases::access`), so this page can show nothing the API would refuse.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{failure, frame, render, see_other};
use crate::error::{ApiError, ErrorCode};
use crate::identity::caller::UserCaller;
use crate::identity::domain::Role;
use crate::imei::cases::domain::{CaseKind, CaseState};
use crate::imei::cases::statistics::{self, CaseStatistics, StatisticsQuery};
use crate::imei::cases::views::{CaseQuery, CaseView, FoundInput, NoteInput};
use crate::imei::cases::{service, transitions};
use crate::portal::chart::{Chart, chart};
use crate::portal::chrome::Page;
use crate::portal::forms::{self, Posted};
use crate::portal::session::{Visitor, resume_redirect};
use crate::portal::{csrf, format, i18n};
use crate::state::AppState;

/// A case in the list.
pub struct CaseRow {
    pub href: String,
    pub reference: String,
    pub kind: String,
    pub state: String,
    pub country: String,
    pub updated: String,
    pub updated_iso: String,
    /// Seen abroad and not yet found: the reporting agency should act.
    pub attention: bool,
}

/// A filter link of the list.
pub struct Filter {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// Returned phones of one country.
pub struct ReturnRow {
    pub country: String,
    pub returned: u32,
    pub median_days: String,
}

#[derive(Template)]
#[template(path = "portal/cases.html")]
struct CasesPage {
    page: Page,
    filters: Vec<Filter>,
    rows: Vec<CaseRow>,
    chart: Option<Chart>,
    months: Vec<(String, u32)>,
    returns: Vec<ReturnRow>,
    csv: String,
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub state: Option<String>,
}

fn label_of(page: &Page, prefix: &str, value: &str) -> String {
    page.t(&format!("{prefix}-{}", value.replace('_', "-")))
}

/// `GET /{locale}/workspace/cases?state=…`.
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    params: web::Query<ListParams>,
) -> HttpResponse {
    if visitor.require().is_none() {
        return resume_redirect(&req);
    }
    let wanted = params
        .state
        .as_deref()
        .and_then(|s| s.parse::<CaseState>().ok());
    let query = CaseQuery {
        state: wanted,
        kind: None,
        limit: Some(100),
    };
    let caller = &visitor.caller;
    let (cases, figures) = match tokio::try_join!(
        service::list(&state, caller, query),
        statistics::statistics(&state, caller, StatisticsQuery::default())
    ) {
        Ok(found) => found,
        Err(error) => return failure(&state, &req, error),
    };
    let locale = super::locale_of(&req);
    let page = frame(&state, &req, i18n::text(locale, "cases-title"));
    let mut filters = vec![Filter {
        href: page.href("/workspace/cases"),
        label: page.t("cases-all"),
        current: wanted.is_none(),
    }];
    filters.extend(CaseState::ALL.iter().map(|s| Filter {
        href: page.href(&format!("/workspace/cases?state={}", s.as_str())),
        label: label_of(&page, "case-state", s.as_str()),
        current: wanted == Some(*s),
    }));
    let rows = cases.iter().map(|c| row(&page, c)).collect();
    let months = per_month(&figures);
    let values: Vec<(String, f64)> = months
        .iter()
        .map(|(m, n)| (m.clone(), f64::from(*n)))
        .collect();
    let returns = figures
        .return_times
        .iter()
        .map(|r| ReturnRow {
            country: page.t(&format!("country-{}", r.country)),
            returned: r.returned,
            median_days: format!("{:.1}", r.median_days),
        })
        .collect();
    render(
        StatusCode::OK,
        &CasesPage {
            chart: chart(
                "cases-per-month".into(),
                &page.t("cases-per-month"),
                &values,
            ),
            csv: page.href("/workspace/cases/statistics.csv"),
            filters,
            rows,
            months,
            returns,
            page,
        },
    )
}

/// Cases opened per month, every month of the range (an empty month is a zero, not a gap).
fn per_month(figures: &CaseStatistics) -> Vec<(String, u32)> {
    let mut months: BTreeMap<String, u32> = BTreeMap::new();
    let parse = |m: &str| chrono::NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok();
    if let (Some(mut month), Some(to)) = (parse(&figures.from), parse(&figures.to)) {
        while month <= to {
            months.insert(month.format("%Y-%m").to_string(), 0);
            let Some(next) = month.checked_add_months(chrono::Months::new(1)) else {
                break;
            };
            month = next;
        }
    }
    for count in &figures.counts {
        *months.entry(count.month.clone()).or_default() += count.cases;
    }
    months.into_iter().collect()
}

fn row(page: &Page, case: &CaseView) -> CaseRow {
    CaseRow {
        href: page.href(&format!("/workspace/cases/{}", case.id)),
        reference: case.reference.clone(),
        kind: label_of(page, "case-kind", case.kind.as_str()),
        state: label_of(page, "case-state", case.state.as_str()),
        country: page.t(&format!("country-{}", case.country.as_str())),
        updated: format::date(page.locale, case.updated_at.date()),
        updated_iso: case.updated_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        attention: case.state == CaseState::Located,
    }
}

/// `GET /{locale}/workspace/cases/statistics.csv`: the statistics' counts as CSV.
pub async fn statistics_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
) -> HttpResponse {
    if visitor.require().is_none() {
        return resume_redirect(&req);
    }
    let csv = statistics::statistics(&state, &visitor.caller, StatisticsQuery::default())
        .await
        .and_then(|figures| statistics::to_csv(&figures));
    match csv {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                "attachment; filename=\"imei-cases.csv\"",
            ))
            .body(text),
        Err(error) => failure(&state, &req, error),
    }
}

/// A line of the case's history.
pub struct EventRow {
    pub what: String,
    pub organisation: String,
    pub country: String,
    pub when: String,
    pub note: String,
}

/// A step the person may take, as a form.
pub struct CaseAction {
    pub label: String,
    pub action: String,
    /// `found` asks where the device is held.
    pub held_at: bool,
}

#[derive(Template)]
#[template(path = "portal/case.html")]
struct CasePage {
    page: Page,
    reference: String,
    kind: String,
    state: String,
    country: String,
    summary: String,
    imeis: Vec<String>,
    contact: Option<String>,
    held_at: Option<String>,
    found_by: Option<String>,
    embassy: Option<String>,
    events: Vec<EventRow>,
    actions: Vec<CaseAction>,
    csrf_field: &'static str,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
}

fn edits_for(user: &UserCaller, organisation: Option<&str>) -> bool {
    organisation.is_some_and(|id| user.role_in(id).is_some_and(|r| r >= Role::Editor))
}

/// The steps the case's state allows and the person's role may take (the service decides
/// again when one is posted).
fn actions(page: &Page, user: &UserCaller, case: &CaseView) -> Vec<CaseAction> {
    let missing = matches!(case.kind, CaseKind::Lost | CaseKind::Stolen);
    let reporter = edits_for(user, Some(&case.organisation_id));
    let hands_over = edits_for(
        user,
        Some(case.embassy_id.as_deref().unwrap_or(&case.organisation_id)),
    );
    let edits_anywhere = user.memberships.iter().any(|(_, r)| *r >= Role::Editor);
    let mut steps = Vec::new();
    match case.state {
        CaseState::Open | CaseState::Located if missing => {
            if edits_anywhere {
                steps.push("found");
            }
            if reporter {
                steps.push("withdraw");
            }
        }
        CaseState::Open if reporter => steps.extend(["close", "withdraw"]),
        CaseState::Found if hands_over => steps.push("handed-over"),
        CaseState::HandedOver if reporter => steps.push("close"),
        _ => {}
    }
    steps
        .into_iter()
        .map(|step| CaseAction {
            label: page.t(&format!("case-do-{step}")),
            action: page.href(&format!("/workspace/cases/{}/{step}", case.id)),
            held_at: step == "found",
        })
        .collect()
}

async fn render_case(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    id: &str,
    status: StatusCode,
    error: Option<String>,
) -> HttpResponse {
    let Some(user) = visitor.require().cloned() else {
        return resume_redirect(req);
    };
    let caller = &visitor.caller;
    let (case, events, organisations) = match tokio::try_join!(
        service::get(state, caller, id),
        service::events(state, caller, id),
        crate::identity::service::all_organisations(state)
    ) {
        Ok(found) => found,
        Err(error) => return failure(state, req, error),
    };
    let names: BTreeMap<String, String> =
        organisations.into_iter().map(|o| (o.id, o.name)).collect();
    let name = |id: Option<&str>| id.map(|id| names.get(id).cloned().unwrap_or_default());
    let page = frame(state, req, case.reference.clone());
    let events = events
        .iter()
        .map(|e| EventRow {
            what: label_of(&page, "case-event", &e.kind),
            organisation: name(e.organisation_id.as_deref()).unwrap_or_default(),
            country: e
                .country
                .map(|c| page.t(&format!("country-{}", c.as_str())))
                .unwrap_or_default(),
            when: format!(
                "{} {}",
                format::date(page.locale, e.at.date()),
                e.at.format("%H:%M UTC")
            ),
            note: e.note.clone().unwrap_or_default(),
        })
        .collect();
    let done = req
        .query_string()
        .split('&')
        .any(|p| p.starts_with("done="));
    render(
        status,
        &CasePage {
            actions: actions(&page, &user, &case),
            kind: label_of(&page, "case-kind", case.kind.as_str()),
            state: label_of(&page, "case-state", case.state.as_str()),
            country: page.t(&format!("country-{}", case.country.as_str())),
            found_by: name(case.found_by.as_deref()),
            embassy: name(case.embassy_id.as_deref()),
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            notice: (done && error.is_none()).then(|| page.t("case-done")),
            reference: case.reference,
            summary: case.summary,
            imeis: case.imeis,
            contact: case.owner_contact,
            held_at: case.held_at,
            events,
            error,
            page,
        },
    )
}

/// `GET /{locale}/workspace/cases/{id}`: 404 for a case the person may not read.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, id) = path.into_inner();
    render_case(&req, &state, &visitor, &id, StatusCode::OK, None).await
}

/// `POST /{locale}/workspace/cases/{id}/{step}` (found, handed-over, close, withdraw).
pub async fn step(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (_, id, step) = path.into_inner();
    if visitor.require().is_none() {
        return resume_redirect(&req);
    }
    let posted = Posted::parse(&body);
    if let Err(error) = forms::check(&state, &req, &posted) {
        return failure(&state, &req, error);
    }
    let caller = &visitor.caller;
    let note = NoteInput {
        note: posted.optional("note"),
    };
    let result = match step.as_str() {
        "found" => {
            let input = FoundInput {
                organisation_id: None,
                held_at: posted.text("heldAt"),
                note: note.note,
            };
            transitions::found(&state, caller, &id, input).await
        }
        "handed-over" => transitions::hand_over(&state, caller, &id, note).await,
        "close" => transitions::close(&state, caller, &id, note).await,
        "withdraw" => transitions::withdraw(&state, caller, &id, note).await,
        _ => Err(ApiError::not_found("step")),
    };
    match result {
        Ok(_) => {
            let locale = super::locale_of(&req);
            see_other(&format!("/{}/workspace/cases/{id}?done=1", locale.tag()))
        }
        Err(error) => {
            // What the person can correct or retry is said on the case's page, in their
            // language; anything else (404, 403) is the error page the API's answer maps to.
            let key = match error.code {
                ErrorCode::InvalidTransition | ErrorCode::Conflict => "case-error-transition",
                ErrorCode::ValidationFailed => "case-error-input",
                _ => return failure(&state, &req, error),
            };
            let text = i18n::text(super::locale_of(&req), key);
            render_case(&req, &state, &visitor, &id, error.code.status(), Some(text)).await
        }
    }
}
