//! The joint IT hub's public pages: `/{locale}/programmes` (published programmes by kind, with
//! the iCalendar feed) and `/{locale}/programmes/{slug}` (what a programme is, its calendar,
//! who may apply, who runs it, the accepted startups once decided) — and, for a signed-in
//! person, what they may do there: apply for one of their startups, take or give up a place
//! at an event, reach the organisers' or reviewers' desk. Every read and step is the hub's
//! service call with the visitor's caller, so nothing is shown that the API would refuse.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::editing::{Choice, accept_form, options};
use super::{failure, frame, render, see_other};
use crate::error::ErrorCode;
use crate::hub::domain::{Phase, ProgrammeKind, Sector, Stage};
use crate::hub::input::ApplicationInput;
use crate::hub::service;
use crate::hub::views::ProgrammeView;
use crate::identity::caller::UserCaller;
use crate::identity::domain::{OrganisationKind, Role};
use crate::portal::chrome::Page;
use crate::portal::locale::Locale;
use crate::portal::session::Visitor;
use crate::portal::{csrf, format, i18n};
use crate::state::AppState;

/// A programme's title and description in the page's language when it has them, else in its
/// main language (`lang` empty: the page's own).
pub(super) fn texts(locale: Locale, programme: &ProgrammeView) -> (String, String, String) {
    programme
        .translations
        .iter()
        .find(|t| t.lang == locale.content_tag())
        .map(|t| (t.title.clone(), t.description.clone(), t.lang.clone()))
        .unwrap_or_else(|| {
            (
                programme.title.clone(),
                programme.description.clone(),
                String::new(),
            )
        })
}

/// The stages, as the API names them (`hub-stage-…` labels them).
pub(super) fn stage_names() -> Vec<&'static str> {
    Stage::ALL.iter().map(|s| s.as_str()).collect()
}

/// The sectors, as the API names them.
pub(super) fn sector_names() -> Vec<&'static str> {
    Sector::ALL.iter().map(|s| s.as_str()).collect()
}

/// The values a programme takes: those it names, or all when it names none.
fn eligible<'a>(named: &'a [String], all: Vec<&'static str>) -> Vec<&'a str> {
    if named.is_empty() {
        all
    } else {
        named.iter().map(String::as_str).collect()
    }
}

/// A moment as the page's locale writes the day, with the UTC time (deadlines are the
/// server's, in UTC).
pub(super) fn moment(page: &Page, at: chrono::NaiveDateTime) -> String {
    format!(
        "{} {}",
        format::date(page.locale, at.date()),
        at.format("%H:%M UTC")
    )
}

/// The label of a vocabulary value: the message `{prefix}-{value}`.
pub(super) fn label(page: &Page, prefix: &str, value: &str) -> String {
    page.t(&format!("{prefix}-{}", value.replace('_', "-")))
}

pub(super) fn phase_label(page: &Page, phase: Phase) -> String {
    let value = serde_json::to_value(phase)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    label(page, "hub-phase", &value)
}

/// A programme in a list.
pub struct ProgrammeCard {
    pub href: String,
    pub title: String,
    pub lang: String,
    pub kind: String,
    pub phase: String,
    pub closes: String,
    pub closes_iso: String,
    pub organisers: String,
}

pub(super) fn card(page: &Page, programme: &ProgrammeView, href: String) -> ProgrammeCard {
    let (title, _, lang) = texts(page.locale, programme);
    ProgrammeCard {
        href,
        title,
        lang,
        kind: label(page, "hub-kind", &programme.kind),
        phase: phase_label(page, programme.phase),
        closes: moment(page, programme.applications_close_at),
        closes_iso: iso(programme.applications_close_at),
        organisers: organiser_names(programme),
    }
}

/// The organisations running a programme (confirmed ones), as one line.
fn organiser_names(programme: &ProgrammeView) -> String {
    programme
        .organisers
        .iter()
        .filter(|o| o.confirmed)
        .map(|o| o.organisation.name.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn iso(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A filter link.
pub struct KindFilter {
    pub href: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "portal/programmes.html")]
struct ProgrammesPage {
    page: Page,
    filters: Vec<KindFilter>,
    cards: Vec<ProgrammeCard>,
    calendar: &'static str,
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    pub kind: Option<String>,
}

/// `GET /{locale}/programmes?kind=…`: published programmes (and, for their organisers, their
/// drafts, as the API lists them).
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    params: web::Query<ListParams>,
) -> HttpResponse {
    let wanted = params
        .kind
        .as_deref()
        .filter(|k| k.parse::<ProgrammeKind>().is_ok());
    let programmes =
        match service::programmes(&state, &visitor.caller, wanted.map(str::to_owned)).await {
            Ok(found) => found,
            Err(error) => return failure(&state, &req, error),
        };
    let locale = super::locale_of(&req);
    let page = frame(&state, &req, i18n::text(locale, "hub-title"));
    let mut filters = vec![KindFilter {
        href: page.href("/programmes"),
        label: page.t("hub-all"),
        current: wanted.is_none(),
    }];
    filters.extend(ProgrammeKind::ALL.iter().map(|k| KindFilter {
        href: page.href(&format!("/programmes?kind={}", k.as_str())),
        label: label(&page, "hub-kind", k.as_str()),
        current: wanted == Some(k.as_str()),
    }));
    let cards = programmes
        .iter()
        .map(|p| card(&page, p, page.href(&format!("/programmes/{}", p.slug))))
        .collect();
    render(
        StatusCode::OK,
        &ProgrammesPage {
            filters,
            cards,
            calendar: "/api/v1/hub/programmes.ics",
            page,
        },
    )
}

/// A labelled fact of the programme.
pub struct Fact {
    pub label: String,
    pub value: String,
}

/// The caller's own application to this programme.
pub struct OwnApplication {
    pub href: String,
    pub startup: String,
    pub state: String,
}

/// The form to start an application.
pub struct ApplyForm {
    pub action: String,
    pub startups: Vec<Choice>,
    pub stages: Vec<Choice>,
    pub sectors: Vec<Choice>,
}

/// The person's place at an event.
pub struct PlaceBox {
    pub state: Option<String>,
    pub action: String,
    pub button: String,
}

#[derive(Template)]
#[template(path = "portal/programme.html")]
struct ProgrammePage {
    page: Page,
    title: String,
    lang: String,
    description: String,
    kind: String,
    phase: String,
    facts: Vec<Fact>,
    accepted: Vec<String>,
    own: Vec<OwnApplication>,
    apply: Option<ApplyForm>,
    place: Option<PlaceBox>,
    desk: Option<String>,
    sign_in_to_apply: bool,
    csrf_field: &'static str,
    csrf: String,
    error: Option<String>,
}

fn names(page: &Page, prefix: &str, values: &[String]) -> String {
    if values.is_empty() {
        return page.t("hub-any");
    }
    values
        .iter()
        .map(|v| label(page, prefix, v))
        .collect::<Vec<_>>()
        .join(", ")
}

fn facts(page: &Page, p: &ProgrammeView) -> Vec<Fact> {
    let fact = |key: &str, value: String| Fact {
        label: page.t(key),
        value,
    };
    let mut facts = vec![
        fact(
            "hub-applications-open",
            moment(page, p.applications_open_at),
        ),
        fact(
            "hub-applications-close",
            moment(page, p.applications_close_at),
        ),
        fact(
            "hub-dates",
            format!(
                "{} – {}",
                format::date(page.locale, p.starts_at.date()),
                format::date(page.locale, p.ends_at.date())
            ),
        ),
    ];
    if !p.location.is_empty() {
        facts.push(fact("hub-location", p.location.clone()));
    }
    let countries = p
        .countries
        .iter()
        .map(|c| page.t(&format!("country-{c}")))
        .collect::<Vec<_>>()
        .join(", ");
    facts.push(fact("hub-countries", countries));
    facts.push(fact("hub-stages", names(page, "hub-stage", &p.stages)));
    facts.push(fact("hub-sectors", names(page, "hub-sector", &p.sectors)));
    if let Some(capacity) = p.capacity {
        facts.push(fact(
            "hub-capacity",
            format::number(page.locale, i64::from(capacity)),
        ));
    }
    for fund in &p.funds {
        facts.push(Fact {
            label: format!("{} · {}", page.t("hub-fund"), fund.investor),
            value: format!(
                "{} {}",
                format::number(page.locale, fund.amount),
                fund.currency
            ),
        });
    }
    facts.push(fact("hub-organisers", organiser_names(p)));
    facts
}

/// Startups the person edits for that have no application to this programme yet.
fn startups_to_apply(
    user: &UserCaller,
    memberships: &[crate::identity::views::MembershipView],
    applied: &[String],
) -> Vec<Choice> {
    memberships
        .iter()
        .filter(|m| m.organisation.kind == OrganisationKind::Startup)
        .filter(|m| user.role_in(&m.organisation.id) >= Some(Role::Editor))
        .filter(|m| !applied.contains(&m.organisation.id))
        .map(|m| Choice {
            value: m.organisation.slug.clone(),
            label: m.organisation.name.clone(),
            checked: false,
        })
        .collect()
}

async fn render_programme(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    key: &str,
    status: StatusCode,
    error: Option<String>,
) -> HttpResponse {
    let caller = &visitor.caller;
    let programme = match service::programme(state, caller, key).await {
        Ok(found) => found,
        Err(error) => return failure(state, req, error),
    };
    let accepted = if programme.phase == Phase::Decided {
        match service::accepted(state, caller, &programme.id).await {
            Ok(list) => list.into_iter().map(|o| o.name).collect(),
            Err(error) => return failure(state, req, error),
        }
    } else {
        Vec::new()
    };
    let (title, description, lang) = texts(super::locale_of(req), &programme);
    let page = frame(state, req, title.clone());
    let taking = matches!(programme.phase, Phase::Upcoming | Phase::Open);
    let mut own = Vec::new();
    let mut apply = None;
    let mut place = None;
    if let Some(user) = visitor.user() {
        let (mine, me) = match tokio::try_join!(
            service::my_applications(state, caller),
            crate::identity::service::me(state, caller)
        ) {
            Ok(found) => found,
            Err(error) => return failure(state, req, error),
        };
        let mine: Vec<_> = mine
            .into_iter()
            .filter(|a| a.programme_id == programme.id)
            .collect();
        own = mine
            .iter()
            .map(|a| OwnApplication {
                href: page.href(&format!("/workspace/applications/{}", a.id)),
                startup: a.startup.name.clone(),
                state: label(&page, "hub-application-state", &a.state),
            })
            .collect();
        let applied: Vec<String> = mine.iter().map(|a| a.startup.id.clone()).collect();
        let startups = startups_to_apply(user, &me.memberships, &applied);
        if taking && !startups.is_empty() {
            apply = Some(ApplyForm {
                action: page.href(&format!(
                    "/workspace/programmes/{}/applications",
                    programme.slug
                )),
                startups,
                stages: options(
                    &page,
                    &eligible(&programme.stages, stage_names()),
                    "hub-stage-",
                    &[],
                ),
                sectors: options(
                    &page,
                    &eligible(&programme.sectors, sector_names()),
                    "hub-sector-",
                    &[],
                ),
            });
        }
        let event = matches!(programme.kind.as_str(), "hackathon" | "demo_day");
        if event && programme.phase != Phase::Draft {
            let held = match service::registration(state, caller, &programme.id).await {
                Ok(registration) if registration.state != "cancelled" => Some(registration),
                Ok(_) => None,
                Err(error) if error.code == ErrorCode::NotFound => None,
                Err(error) => return failure(state, req, error),
            };
            place = Some(match held {
                Some(r) => PlaceBox {
                    state: Some(match r.waitlist_position {
                        Some(n) => i18n::text_with(
                            page.locale,
                            "hub-waitlisted",
                            &[("count", i64::from(n).into())],
                        ),
                        None => page.t("hub-registered"),
                    }),
                    action: page.href(&format!("/programmes/{}/cancel", programme.slug)),
                    button: page.t("hub-cancel-place"),
                },
                None => PlaceBox {
                    state: None,
                    action: page.href(&format!("/programmes/{}/register", programme.slug)),
                    button: page.t("hub-register"),
                },
            });
        }
    }
    let invited = visitor.user().is_some_and(|user| {
        programme
            .organisers
            .iter()
            .any(|o| !o.confirmed && user.role_in(&o.organisation.id).is_some())
    });
    let roles = &programme.roles;
    let desk = (roles.organiser || roles.reviewer || invited)
        .then(|| page.href(&format!("/workspace/programmes/{}", programme.slug)));
    render(
        status,
        &ProgrammePage {
            kind: label(&page, "hub-kind", &programme.kind),
            phase: phase_label(&page, programme.phase),
            facts: facts(&page, &programme),
            sign_in_to_apply: visitor.user().is_none() && taking,
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            title,
            lang,
            description,
            accepted,
            own,
            apply,
            place,
            desk,
            error,
            page,
        },
    )
}

/// `GET /{locale}/programmes/{key}`: 404 for a draft the visitor does not run.
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, key) = path.into_inner();
    render_programme(&req, &state, &visitor, &key, StatusCode::OK, None).await
}

/// `POST /{locale}/programmes/{key}/{register|cancel}`: a place at a hackathon or demo day.
pub async fn place(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, key, step) = path.into_inner();
    if let Err(refused) = accept_form(&state, &req, &visitor, &body) {
        return *refused;
    }
    let result = match step.as_str() {
        "register" => service::register(&state, &visitor.caller, &key).await,
        "cancel" => service::cancel_registration(&state, &visitor.caller, &key).await,
        _ => return failure(&state, &req, crate::error::ApiError::not_found("step")),
    };
    match result {
        Ok(_) => see_other(&format!("/{locale}/programmes/{key}?done={step}")),
        Err(error) => refused_here(&req, &state, &visitor, &key, error).await,
    }
}

/// What a hub refusal says on the page it happened on (the message's key): the deadline, a
/// step out of turn, or fields to correct; `None` for the refusals the error page says (404,
/// 403, …).
pub(super) fn explained(code: ErrorCode) -> Option<&'static str> {
    Some(match code {
        ErrorCode::DeadlinePassed => "hub-error-deadline",
        ErrorCode::NotYetOpen => "hub-error-not-open",
        ErrorCode::InvalidTransition | ErrorCode::Conflict => "hub-error-transition",
        ErrorCode::ValidationFailed => "hub-error-input",
        _ => return None,
    })
}

/// A refusal the person can understand on the programme's page (the deadline, a step out of
/// turn, a form to correct); anything else is the error page the API's answer maps to.
async fn refused_here(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    key: &str,
    error: crate::error::ApiError,
) -> HttpResponse {
    let Some(message) = explained(error.code) else {
        return failure(state, req, error);
    };
    let text = i18n::text(super::locale_of(req), message);
    render_programme(req, state, visitor, key, error.code.status(), Some(text)).await
}

/// `POST /{locale}/workspace/programmes/{key}/applications`: starts an application for one
/// of the person's startups and opens it.
pub async fn apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, key) = path.into_inner();
    let posted = match accept_form(&state, &req, &visitor, &body) {
        Ok((_, posted)) => posted,
        Err(refused) => return *refused,
    };
    let input = ApplicationInput {
        startup: posted.optional("startup"),
        stage: posted.text("stage"),
        sector: posted.text("sector"),
        answers: Vec::new(),
    };
    match service::create_application(&state, &visitor.caller, &key, input).await {
        Ok(created) => see_other(&format!(
            "/{locale}/workspace/applications/{}?done=created",
            created.id
        )),
        Err(error) => refused_here(&req, &state, &visitor, &key, error).await,
    }
}
