//! An application in the workspace, `/{locale}/workspace/applications/{id}`, as the person
//! sees it (the hub's `access` decides): its startup's editors answer the programme's form,
//! attach the files it asks for, submit before the deadline and withdraw; a reviewer reads it
//! and scores each criterion; an organiser reads it with the panel's aggregated scores and
//! decides. Every step is the API's service call; a refusal the person can act on is said on
//! the page, in their language, next to the field it concerns.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::editing::{Choice, accept_form, accept_upload, options, upload_of};
use super::programmes::{explained, label, moment, sector_names, stage_names, texts};
use super::{failure, frame, render, see_other};
use crate::error::ApiError;
use crate::hub::domain::{Decision, Phase, QuestionKind, SCORE_RANGE};
use crate::hub::input::{Answer, ApplicationInput, DecisionInput, ReviewInput, Score};
use crate::hub::service;
use crate::hub::views::{ApplicationView, ProgrammeView};
use crate::portal::chrome::Page;
use crate::portal::forms::Posted;
use crate::portal::session::{Visitor, resume_redirect};
use crate::portal::{csrf, i18n};
use crate::state::AppState;

/// One question of the form, with its answer and what to correct.
pub struct QuestionRow {
    pub id: String,
    pub label: String,
    pub required: bool,
    /// `text`, `number`, `choice` or `file`.
    pub kind: String,
    pub value: String,
    pub options: Vec<Choice>,
    /// The attached file (file questions).
    pub file: Option<FileRow>,
    pub upload_action: String,
    pub error: Option<String>,
}

/// An attached file.
pub struct FileRow {
    pub name: String,
    pub href: String,
    pub sha256: String,
}

/// One criterion of the review form.
pub struct CriterionRow {
    pub id: String,
    pub label: String,
    pub scores: Vec<Choice>,
    /// The panel's mean (organisers).
    pub mean: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/application.html")]
struct ApplicationPage {
    page: Page,
    programme: String,
    programme_lang: String,
    programme_href: String,
    desk_href: Option<String>,
    startup: String,
    state: String,
    submitted: Option<String>,
    closes: String,
    decision: Option<String>,
    /// The startup's editors may change it now.
    editing: bool,
    stage: Vec<Choice>,
    sector: Vec<Choice>,
    stage_value: String,
    sector_value: String,
    questions: Vec<QuestionRow>,
    save_action: String,
    submit_action: Option<String>,
    withdraw_action: Option<String>,
    /// Reviewers score; organisers see the means.
    criteria: Vec<CriterionRow>,
    review_action: Option<String>,
    comment: String,
    weighted_mean: Option<String>,
    reviews: Option<String>,
    comments: Vec<String>,
    decide_action: Option<String>,
    decisions: Vec<Choice>,
    csrf_field: &'static str,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    field_errors: BTreeMap<String, String>,
}

/// What the person had typed, to show again with what to correct.
#[derive(Default)]
struct Typed {
    stage: Option<String>,
    sector: Option<String>,
    answers: BTreeMap<String, String>,
    comment: Option<String>,
    scores: BTreeMap<String, String>,
}

/// The message for an API field error's code, in the page's language.
fn field_message(page: &Page, code: &str) -> String {
    match code {
        "required" | "too_long" | "invalid_format" | "unknown_value" | "invalid_value"
        | "duplicate" | "out_of_range" => page.t(&format!("field-{code}")),
        "not_eligible" => page.t("hub-field-not-eligible"),
        _ => page.t("field-invalid"),
    }
}

/// The API's field errors by what the page shows: `answers[i].value` and `answers.{id}` at
/// the question, `scores…` at the review, anything else at its first segment.
fn errors_by_field(
    page: &Page,
    error: &ApiError,
    posted_order: &[String],
) -> BTreeMap<String, String> {
    let mut shown = BTreeMap::new();
    for field in &error.errors {
        let path = field.field.as_str();
        let key = if let Some(rest) = path.strip_prefix("answers[") {
            rest.split(']')
                .next()
                .and_then(|i| i.parse::<usize>().ok())
                .and_then(|i| posted_order.get(i).cloned())
                .map(|q| format!("q-{q}"))
                .unwrap_or_else(|| "answers".into())
        } else if let Some(question) = path.strip_prefix("answers.") {
            format!("q-{question}")
        } else {
            path.split(['[', '.', '/'])
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        shown
            .entry(key)
            .or_insert_with(|| field_message(page, &field.code));
    }
    shown
}

fn files_of(view: &ApplicationView) -> BTreeMap<String, FileRow> {
    view.files
        .iter()
        .map(|f| {
            let row = FileRow {
                name: f.file_name.clone(),
                href: f.url.clone(),
                sha256: f.sha256.clone(),
            };
            (f.question.clone(), row)
        })
        .collect()
}

fn questions(
    page: &Page,
    view: &ApplicationView,
    programme: &ProgrammeView,
    typed: &Typed,
    errors: &BTreeMap<String, String>,
) -> Vec<QuestionRow> {
    let mut files = files_of(view);
    programme
        .questions
        .iter()
        .map(|q| {
            let value = typed.answers.get(&q.id).cloned().unwrap_or_else(|| {
                view.answers
                    .iter()
                    .find(|a| a.question == q.id)
                    .map(|a| a.value.clone())
                    .unwrap_or_default()
            });
            let options = q
                .options
                .iter()
                .map(|o| Choice {
                    value: o.clone(),
                    label: o.clone(),
                    checked: *o == value,
                })
                .collect();
            QuestionRow {
                upload_action: page.href(&format!(
                    "/workspace/applications/{}/files/{}",
                    view.id, q.id
                )),
                error: errors.get(&format!("q-{}", q.id)).cloned(),
                file: files.remove(&q.id),
                id: q.id.clone(),
                label: q.label.clone(),
                required: q.required,
                kind: q.kind.clone(),
                value,
                options,
            }
        })
        .collect()
}

fn criteria(
    page: &Page,
    view: &ApplicationView,
    programme: &ProgrammeView,
    typed: &Typed,
) -> Vec<CriterionRow> {
    programme
        .criteria
        .iter()
        .map(|c| {
            let mine = typed.scores.get(&c.id).cloned().or_else(|| {
                view.my_review.as_ref().and_then(|r| {
                    r.scores
                        .iter()
                        .find(|s| s.criterion == c.id)
                        .map(|s| s.score.to_string())
                })
            });
            let values: Vec<String> = SCORE_RANGE.map(|n| n.to_string()).collect();
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            CriterionRow {
                id: c.id.clone(),
                label: c.label.clone(),
                scores: options(page, &refs, "", &mine.into_iter().collect::<Vec<_>>()),
                mean: view.scores.as_ref().and_then(|s| {
                    s.criteria
                        .iter()
                        .find(|m| m.criterion == c.id)
                        .map(|m| crate::portal::format::tenths(page.locale, m.mean))
                }),
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn render_application(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    id: &str,
    status: StatusCode,
    error: Option<String>,
    field_errors: BTreeMap<String, String>,
    typed: Typed,
) -> HttpResponse {
    if visitor.require().is_none() {
        return resume_redirect(req);
    }
    let caller = &visitor.caller;
    let view = match service::application(state, caller, id).await {
        Ok(found) => found,
        Err(error) => return failure(state, req, error),
    };
    let programme = match service::programme(state, caller, &view.programme_id).await {
        Ok(found) => found,
        Err(error) => return failure(state, req, error),
    };
    let (title, _, lang) = texts(super::locale_of(req), &programme);
    let page = frame(state, req, format!("{} · {}", view.startup.name, title));
    let applicant_editor = view.seen_as == "applicant"
        && visitor.user().is_some_and(|u| {
            u.role_in(&view.startup.id) >= Some(crate::identity::domain::Role::Editor)
        });
    let taking = matches!(programme.phase, Phase::Upcoming | Phase::Open);
    let editing = applicant_editor && taking && view.state != "submitted";
    let base = format!("/workspace/applications/{}", view.id);
    let stage_value = typed.stage.clone().unwrap_or_else(|| view.stage.clone());
    let sector_value = typed.sector.clone().unwrap_or_else(|| view.sector.clone());
    let reviewing = view.seen_as == "reviewer" && programme.phase != Phase::Decided;
    let deciding = view.seen_as == "organiser"
        && programme.roles.organiser_editor
        && programme.phase == Phase::Reviewing
        && view.state == "submitted";
    let shown_criteria = view.seen_as == "reviewer" || view.scores.is_some();
    let done = super::editing::done_notice(req).map(|_| page.t("hub-done"));
    let decisions = Decision::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>();
    let chosen: Vec<String> = view.decision.iter().cloned().collect();
    render(
        status,
        &ApplicationPage {
            programme: title,
            programme_lang: lang,
            programme_href: page.href(&format!("/programmes/{}", programme.slug)),
            desk_href: (programme.roles.organiser || programme.roles.reviewer)
                .then(|| page.href(&format!("/workspace/programmes/{}", programme.slug))),
            startup: view.startup.name.clone(),
            state: label(&page, "hub-application-state", &view.state),
            submitted: view.submitted_at.map(|at| moment(&page, at)),
            closes: moment(&page, programme.applications_close_at),
            decision: view
                .decision
                .as_deref()
                .map(|d| label(&page, "hub-decision", d)),
            editing,
            stage: options(
                &page,
                &stage_names(),
                "hub-stage-",
                std::slice::from_ref(&stage_value),
            ),
            sector: options(
                &page,
                &sector_names(),
                "hub-sector-",
                std::slice::from_ref(&sector_value),
            ),
            stage_value: label(&page, "hub-stage", &stage_value),
            sector_value: label(&page, "hub-sector", &sector_value),
            questions: questions(&page, &view, &programme, &typed, &field_errors),
            save_action: page.href(&base),
            submit_action: editing.then(|| page.href(&format!("{base}/submit"))),
            withdraw_action: (applicant_editor
                && view.state == "submitted"
                && programme.phase != Phase::Decided)
                .then(|| page.href(&format!("{base}/withdraw"))),
            criteria: if shown_criteria {
                criteria(&page, &view, &programme, &typed)
            } else {
                Vec::new()
            },
            review_action: reviewing.then(|| page.href(&format!("{base}/review"))),
            comment: typed
                .comment
                .clone()
                .or_else(|| view.my_review.as_ref().map(|r| r.comment.clone()))
                .unwrap_or_default(),
            weighted_mean: view
                .scores
                .as_ref()
                .and_then(|s| s.weighted_mean)
                .map(|m| crate::portal::format::tenths(page.locale, m)),
            reviews: view.scores.as_ref().map(|s| {
                i18n::counted(
                    page.locale,
                    "hub-reviews",
                    u64::try_from(s.reviews).unwrap_or(0),
                )
            }),
            comments: view
                .scores
                .as_ref()
                .map(|s| s.comments.clone())
                .unwrap_or_default(),
            decide_action: deciding.then(|| page.href(&format!("{base}/decide"))),
            decisions: options(&page, &decisions, "hub-decision-", &chosen),
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            notice: done.filter(|_| error.is_none()),
            error,
            field_errors,
            page,
        },
    )
}

/// `GET /{locale}/workspace/applications/{id}`: 404 for an application the person may not
/// see (another startup's, a draft to its organisers, a conflicted reviewer's).
pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (_, id) = path.into_inner();
    let no_errors = BTreeMap::new();
    render_application(
        &req,
        &state,
        &visitor,
        &id,
        StatusCode::OK,
        None,
        no_errors,
        Typed::default(),
    )
    .await
}

/// The answers of the posted form, in the programme's question order (the API's
/// `answers[i]` errors point into this order).
fn posted_answers(posted: &Posted, programme: &ProgrammeView) -> (Vec<Answer>, Vec<String>) {
    let answers: Vec<Answer> = programme
        .questions
        .iter()
        .filter(|q| q.kind != QuestionKind::File.as_str())
        .map(|q| Answer {
            question: q.id.clone(),
            value: posted.text(&format!("q-{}", q.id)),
        })
        .collect();
    let order = answers.iter().map(|a| a.question.clone()).collect();
    (answers, order)
}

/// `POST /{locale}/workspace/applications/{id}/{step}`: save (the form itself, `step` empty
/// is routed here as `save`), submit, withdraw, review, decide.
pub async fn step(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, id, step) = path.into_inner();
    act(&req, &state, &visitor, &locale, &id, &step, &body).await
}

async fn act(
    req: &HttpRequest,
    state: &AppState,
    visitor: &Visitor,
    locale: &str,
    id: &str,
    step: &str,
    body: &[u8],
) -> HttpResponse {
    let id = id.to_owned();
    let posted = match accept_form(state, req, visitor, body) {
        Ok((_, posted)) => posted,
        Err(refused) => return *refused,
    };
    let caller = &visitor.caller;
    let mut typed = Typed::default();
    let mut order = Vec::new();
    let result = match step {
        "save" => {
            let current = match service::application(state, caller, &id).await {
                Ok(view) => view,
                Err(error) => return failure(state, req, error),
            };
            let programme = match service::programme(state, caller, &current.programme_id).await {
                Ok(found) => found,
                Err(error) => return failure(state, req, error),
            };
            let (answers, posted_order) = posted_answers(&posted, &programme);
            order = posted_order;
            typed.stage = Some(posted.text("stage"));
            typed.sector = Some(posted.text("sector"));
            typed.answers = answers
                .iter()
                .map(|a| (a.question.clone(), a.value.clone()))
                .collect();
            let input = ApplicationInput {
                startup: None,
                stage: posted.text("stage"),
                sector: posted.text("sector"),
                answers,
            };
            service::update_application(state, caller, &id, input)
                .await
                .map(drop)
        }
        "submit" => service::submit_application(state, caller, &id)
            .await
            .map(drop),
        "withdraw" => service::withdraw_application(state, caller, &id)
            .await
            .map(drop),
        "review" => {
            let current = match service::application(state, caller, &id).await {
                Ok(view) => view,
                Err(error) => return failure(state, req, error),
            };
            let programme = match service::programme(state, caller, &current.programme_id).await {
                Ok(found) => found,
                Err(error) => return failure(state, req, error),
            };
            let mut scores = Vec::new();
            for criterion in &programme.criteria {
                let value = posted.text(&format!("score-{}", criterion.id));
                typed.scores.insert(criterion.id.clone(), value.clone());
                scores.push(Score {
                    criterion: criterion.id.clone(),
                    score: value.parse().unwrap_or(0),
                });
            }
            typed.comment = Some(posted.text("comment"));
            let input = ReviewInput {
                scores,
                comment: posted.text("comment"),
            };
            service::review_application(state, caller, &id, input)
                .await
                .map(drop)
        }
        "decide" => {
            let input = DecisionInput {
                decision: posted.text("decision"),
            };
            service::decide_application(state, caller, &id, input)
                .await
                .map(drop)
        }
        _ => Err(ApiError::not_found("step")),
    };
    match result {
        Ok(()) => see_other(&format!(
            "/{locale}/workspace/applications/{id}?done={step}"
        )),
        Err(error) => {
            let Some(message) = explained(error.code) else {
                return failure(state, req, error);
            };
            let page = frame(state, req, String::new());
            let errors = errors_by_field(&page, &error, &order);
            let text = i18n::text(page.locale, message);
            render_application(
                req,
                state,
                visitor,
                &id,
                error.code.status(),
                Some(text),
                errors,
                typed,
            )
            .await
        }
    }
}

/// `POST /{locale}/workspace/applications/{id}`: saves the form (as `step` `save`).
pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, id) = path.into_inner();
    act(&req, &state, &visitor, &locale, &id, "save", &body).await
}

/// `POST /{locale}/workspace/applications/{id}/files/{question}`: attaches the file of a
/// `file` question (the form's token is checked before a byte of the file is read).
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String, String)>,
    payload: web::Payload,
) -> HttpResponse {
    let (locale, id, question) = path.into_inner();
    let mut file = match accept_upload(&state, &req, &visitor, payload).await {
        Ok(file) => file,
        Err(refused) => return refused,
    };
    let upload = upload_of(&mut file);
    match crate::hub::files::attach(&state, &visitor.caller, &id, &question, upload).await {
        Ok(_) => see_other(&format!("/{locale}/workspace/applications/{id}?done=file")),
        Err(error) => match explained(error.code) {
            Some(message) => {
                let text = i18n::text(super::locale_of(&req), message);
                let status = error.code.status();
                render_application(
                    &req,
                    &state,
                    &visitor,
                    &id,
                    status,
                    Some(text),
                    BTreeMap::new(),
                    Typed::default(),
                )
                .await
            }
            None => failure(&state, &req, error),
        },
    }
}
