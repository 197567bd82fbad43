//! The IT hub in the workspace: `/{locale}/workspace/programmes` — the person's applications
//! with their decisions once published (the applicant's inbox), and the programmes they run,
//! are asked to co-run or review — and `/{locale}/workspace/programmes/{key}`, a programme's
//! desk: its applications as the person may see them (organisers with the panel's aggregated
//! scores and their decisions, reviewers with their own review), the panel, and the
//! organisers' steps (publish, publish the results, appoint or remove reviewers, confirm
//! co-organising) and the reviewers' (declare a conflict of interest). Who sees and may do
//! what is the hub's `access`, through its service calls.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::editing::accept_form;
use super::programmes::{ProgrammeCard, card, label, moment, phase_label, texts};
use super::{failure, frame, render, see_other};
use crate::error::{ApiError, ErrorCode};
use crate::hub::domain::Phase;
use crate::hub::input::{ConflictInput, ReviewerInput};
use crate::hub::service;
use crate::hub::views::ApplicationView;
use crate::portal::chrome::Page;
use crate::portal::session::{Visitor, resume_redirect};
use crate::portal::{csrf, format, i18n};
use crate::state::AppState;

/// An application in a list.
pub struct ApplicationRow {
    pub href: String,
    pub programme: String,
    pub startup: String,
    pub state: String,
    /// The decision as the person may see it (organisers at once, applicants once published).
    pub decision: String,
    /// Organisers: reviews and weighted mean; reviewers: whether they scored it.
    pub scores: String,
}

fn decision_of(page: &Page, a: &ApplicationView) -> String {
    a.decision
        .as_deref()
        .map(|d| label(page, "hub-decision", d))
        .unwrap_or_default()
}

fn row(page: &Page, a: &ApplicationView) -> ApplicationRow {
    let scores = match (&a.scores, &a.my_review) {
        (Some(s), _) => {
            let mean = s
                .weighted_mean
                .map(|m| format::tenths(page.locale, m))
                .unwrap_or_else(|| "–".into());
            format!(
                "{} · {}",
                i18n::counted(
                    page.locale,
                    "hub-reviews",
                    u64::try_from(s.reviews).unwrap_or(0)
                ),
                mean
            )
        }
        (None, Some(_)) => page.t("hub-reviewed"),
        (None, None) if a.seen_as == "reviewer" => page.t("hub-to-review"),
        _ => String::new(),
    };
    ApplicationRow {
        href: page.href(&format!("/workspace/applications/{}", a.id)),
        programme: a.programme_title.clone(),
        startup: a.startup.name.clone(),
        state: label(page, "hub-application-state", &a.state),
        decision: decision_of(page, a),
        scores,
    }
}

#[derive(Template)]
#[template(path = "portal/hub_workspace.html")]
struct HubWorkspacePage {
    page: Page,
    applications: Vec<ApplicationRow>,
    running: Vec<ProgrammeCard>,
    reviewing: Vec<ProgrammeCard>,
}

/// `GET /{locale}/workspace/programmes`.
pub async fn list(req: HttpRequest, state: web::Data<AppState>, visitor: Visitor) -> HttpResponse {
    if visitor.require().is_none() {
        return resume_redirect(&req);
    }
    let caller = &visitor.caller;
    let (mine, programmes) = match tokio::try_join!(
        service::my_applications(&state, caller),
        service::programmes(&state, caller, None)
    ) {
        Ok(found) => found,
        Err(error) => return failure(&state, &req, error),
    };
    let locale = super::locale_of(&req);
    let page = frame(&state, &req, i18n::text(locale, "hub-workspace-title"));
    let desk = |slug: &str| page.href(&format!("/workspace/programmes/{slug}"));
    let running = programmes
        .iter()
        .filter(|p| p.roles.organiser || p.phase == Phase::Draft)
        .map(|p| card(&page, p, desk(&p.slug)))
        .collect();
    let reviewing = programmes
        .iter()
        .filter(|p| p.roles.reviewer)
        .map(|p| card(&page, p, desk(&p.slug)))
        .collect();
    render(
        StatusCode::OK,
        &HubWorkspacePage {
            applications: mine.iter().map(|a| row(&page, a)).collect(),
            running,
            reviewing,
            page,
        },
    )
}

/// A reviewer on the panel, for the organisers.
pub struct ReviewerRow {
    pub name: String,
    pub user_id: String,
}

/// A step offered as a button.
pub struct Step {
    pub action: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "portal/hub_desk.html")]
struct DeskPage {
    page: Page,
    title: String,
    lang: String,
    public_href: String,
    phase: String,
    closes: String,
    applications: Vec<ApplicationRow>,
    organiser: bool,
    organiser_editor: bool,
    reviewer: bool,
    reviewers: Vec<ReviewerRow>,
    remove_action: String,
    appoint_action: String,
    conflict_action: String,
    steps: Vec<Step>,
    csrf_field: &'static str,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
}

async fn render_desk(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    key: &str,
    status: StatusCode,
    error: Option<String>,
) -> HttpResponse {
    let Some(user) = visitor.require().cloned() else {
        return resume_redirect(req);
    };
    let caller = &visitor.caller;
    let programme = match service::programme(state, caller, key).await {
        Ok(found) => found,
        Err(error) => return failure(state, req, error),
    };
    let roles = programme.roles.clone();
    let applications = if roles.organiser || roles.reviewer {
        match service::programme_applications(state, caller, &programme.id).await {
            Ok(list) => list,
            Err(error) => return failure(state, req, error),
        }
    } else {
        Vec::new()
    };
    let reviewers = if roles.organiser {
        match service::reviewers(state, caller, &programme.id).await {
            Ok(list) => list,
            Err(error) => return failure(state, req, error),
        }
    } else {
        Vec::new()
    };
    let (title, _, lang) = texts(super::locale_of(req), &programme);
    let page = frame(state, req, title.clone());
    let base = format!("/workspace/programmes/{}", programme.slug);
    let step = |name: &str, key: &str| Step {
        action: page.href(&format!("{base}/{name}")),
        label: page.t(key),
    };
    let mut steps = Vec::new();
    if roles.organiser_editor && programme.phase == Phase::Draft {
        steps.push(step("publish", "hub-do-publish"));
    }
    if roles.organiser_editor && programme.phase == Phase::Reviewing {
        steps.push(step("results", "hub-do-results"));
    }
    for organiser in programme.organisers.iter().filter(|o| !o.confirmed) {
        if user.role_in(&organiser.organisation.id) >= Some(crate::identity::domain::Role::Editor) {
            steps.push(Step {
                action: page.href(&format!(
                    "{base}/confirm?organisation={}",
                    organiser.organisation.slug
                )),
                label: i18n::text_with(
                    page.locale,
                    "hub-do-confirm",
                    &[("organisation", organiser.organisation.name.clone().into())],
                ),
            });
        }
    }
    let done = super::editing::done_notice(req).map(|_| page.t("hub-done"));
    render(
        status,
        &DeskPage {
            public_href: page.href(&format!("/programmes/{}", programme.slug)),
            phase: phase_label(&page, programme.phase),
            closes: moment(&page, programme.applications_close_at),
            applications: applications.iter().map(|a| row(&page, a)).collect(),
            organiser: roles.organiser,
            organiser_editor: roles.organiser_editor,
            reviewer: roles.reviewer,
            reviewers: reviewers
                .into_iter()
                .map(|r| ReviewerRow {
                    name: r.display_name,
                    user_id: r.user_id,
                })
                .collect(),
            remove_action: page.href(&format!("{base}/remove-reviewer")),
            appoint_action: page.href(&format!("{base}/appoint")),
            conflict_action: page.href(&format!("{base}/conflict")),
            steps,
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            notice: done.filter(|_| error.is_none()),
            title,
            lang,
            error,
            page,
        },
    )
}

/// `GET /{locale}/workspace/programmes/{key}`: 404 for a draft the person does not run.
pub async fn desk(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, key) = path.into_inner();
    render_desk(&req, &state, &visitor, &key, StatusCode::OK, None).await
}

#[derive(serde::Deserialize)]
pub struct StepParams {
    pub organisation: Option<String>,
}

/// `POST /{locale}/workspace/programmes/{key}/{step}`: publish, results, confirm, appoint,
/// remove-reviewer, conflict.
pub async fn step(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String, String)>,
    params: web::Query<StepParams>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, key, step) = path.into_inner();
    let posted = match accept_form(&state, &req, &visitor, &body) {
        Ok((_, posted)) => posted,
        Err(refused) => return *refused,
    };
    let caller = &visitor.caller;
    let result = match step.as_str() {
        "publish" => service::publish_programme(&state, caller, &key)
            .await
            .map(drop),
        "results" => service::publish_results(&state, caller, &key)
            .await
            .map(drop),
        "confirm" => {
            let organisation = params.organisation.clone().unwrap_or_default();
            service::confirm_organiser(&state, caller, &key, &organisation)
                .await
                .map(drop)
        }
        "appoint" => {
            let input = ReviewerInput {
                user_id: posted.text("userId"),
            };
            service::appoint_reviewer(&state, caller, &key, input)
                .await
                .map(drop)
        }
        "remove-reviewer" => {
            service::remove_reviewer(&state, caller, &key, &posted.text("userId")).await
        }
        "conflict" => {
            let input = ConflictInput {
                startup: posted.text("startup"),
                reason: posted.text("reason"),
            };
            service::declare_conflict(&state, caller, &key, input).await
        }
        _ => Err(ApiError::not_found("step")),
    };
    match result {
        Ok(()) => see_other(&format!("/{locale}/workspace/programmes/{key}?done={step}")),
        Err(error) => {
            // An unknown reviewer or startup named in the form is the form's to correct.
            let named_unknown = error.code == ErrorCode::NotFound && step != "publish";
            let message = match super::programmes::explained(error.code) {
                Some(message) => message,
                None if named_unknown => "hub-error-input",
                None => return failure(&state, &req, error),
            };
            let text = i18n::text(super::locale_of(&req), message);
            let status = if error.code == ErrorCode::NotFound {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                error.code.status()
            };
            render_desk(&req, &state, &visitor, &key, status, Some(text)).await
        }
    }
}
