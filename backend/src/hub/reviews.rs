//! The review panel and the decisions: reviewers score the applications that exist for them
//! (`access`), organisers see the scores only as aggregates, decide once applications have
//! closed and publish the results, which tells every applicant (their webhook) at once.

use std::collections::BTreeMap;

use silkbridge_schema::hub_models::{HubApplication, HubProgramme, HubReview};
use silkbridge_schema::{DbConnection, ids};

use super::access::{Seen, Standing};
use super::applications;
use super::domain::{ApplicationState, Decision, Phase};
use super::input::{Criterion, DecisionInput, ReviewInput, Score, check_review};
use super::programmes::{self, invalid_transition, organisation_view, parse, phase_now};
use super::store;
use super::views::{ApplicationView, CriterionMean, ProgrammeView, ReviewView, ScoreSummary};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;
use crate::identity::rules as identity;

fn review_view(row: HubReview) -> ApiResult<ReviewView> {
    let scores: BTreeMap<String, i32> = parse(&row.scores_json)?;
    Ok(ReviewView {
        application_id: row.application_id,
        scores: scores
            .into_iter()
            .map(|(criterion, score)| Score { criterion, score })
            .collect(),
        comment: row.comment,
        updated_at: row.updated_at,
    })
}

/// The aggregate of an application's reviews over the programme's criteria.
pub(super) fn summary(criteria: &[Criterion], reviews: &[HubReview]) -> ApiResult<ScoreSummary> {
    let mut sums: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    let (mut weighted, mut weights) = (0.0, 0.0);
    let mut comments = Vec::new();
    for review in reviews {
        let scores: BTreeMap<String, i32> = parse(&review.scores_json)?;
        for criterion in criteria {
            if let Some(score) = scores.get(&criterion.id) {
                let entry = sums.entry(criterion.id.as_str()).or_default();
                entry.0 += f64::from(*score);
                entry.1 += 1.0;
                weighted += f64::from(*score) * f64::from(criterion.weight);
                weights += f64::from(criterion.weight);
            }
        }
        if !review.comment.is_empty() {
            comments.push(review.comment.clone());
        }
    }
    comments.sort();
    Ok(ScoreSummary {
        reviews: i32::try_from(reviews.len()).unwrap_or(i32::MAX),
        weighted_mean: (weights > 0.0).then(|| weighted / weights),
        criteria: sums
            .into_iter()
            .map(|(criterion, (sum, n))| CriterionMean {
                criterion: criterion.to_owned(),
                mean: sum / n,
            })
            .collect(),
        comments,
    })
}

/// The application as the caller sees it (`seen`).
pub(super) fn view(
    conn: &mut DbConnection,
    standing: &Standing,
    seen: Seen,
    row: HubApplication,
    programme: &HubProgramme,
) -> ApiResult<ApplicationView> {
    let startup = identity::organisation_by_id(conn, &row.startup_id)?;
    let decision = match seen {
        Seen::Organiser => row.decision.clone(),
        Seen::Applicant { .. } if programme.results_published_at.is_some() => row.decision.clone(),
        _ => None,
    };
    let scores = if seen == Seen::Organiser {
        let criteria: Vec<Criterion> = parse(&programme.criteria_json)?;
        Some(summary(
            &criteria,
            &store::reviews_of(conn, std::slice::from_ref(&row.id))?,
        )?)
    } else {
        None
    };
    let my_review = match (&standing.user_id, seen) {
        (Some(user), Seen::Reviewer) => store::review(conn, &row.id, user)?
            .map(review_view)
            .transpose()?,
        _ => None,
    };
    Ok(ApplicationView {
        programme_id: programme.id.clone(),
        programme_slug: programme.slug.clone(),
        programme_title: programme.title.clone(),
        startup: organisation_view(&startup),
        answers: parse(&row.answers_json)?,
        files: store::application_files(conn, std::slice::from_ref(&row.id))?
            .iter()
            .map(super::files::file_view)
            .collect(),
        decision,
        scores,
        my_review,
        seen_as: seen.as_str().to_owned(),
        id: row.id,
        state: row.state,
        stage: row.stage,
        sector: row.sector,
        submitted_at: row.submitted_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

/// A reviewer scores an application that exists for them, until the results are published.
pub(crate) fn review(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: ReviewInput,
) -> ApiResult<ApplicationView> {
    let (row, programme, standing, seen) = applications::visible(conn, caller, id)?;
    let (Seen::Reviewer, Some(reviewer)) = (seen, standing.user_id.clone()) else {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the programme's reviewers score applications",
        ));
    };
    if programme.results_published_at.is_some() {
        return Err(invalid_transition("the results are published"));
    }
    let criteria: Vec<Criterion> = parse(&programme.criteria_json)?;
    let scores = check_review(&input, &criteria)?;
    let now = ids::now();
    store::save_review(
        conn,
        &HubReview {
            application_id: row.id.clone(),
            reviewer_id: reviewer,
            scores_json: serde_json::to_string(&scores).map_err(ApiError::internal)?,
            comment: input.comment.trim().to_owned(),
            created_at: now,
            updated_at: now,
        },
    )?;
    crate::changes::audit(
        conn,
        &caller.actor(),
        "hub.application.review",
        &format!("hub_application:{}", row.id),
        serde_json::json!({ "programme": programme.id }),
    )?;
    view(conn, &standing, seen, row, &programme)
}

/// The organisers' editors decide on a submitted application once applications have closed.
pub(crate) fn decide(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: DecisionInput,
) -> ApiResult<ApplicationView> {
    let decision: Decision = input.parsed()?;
    let (mut row, programme, standing, seen) = applications::visible(conn, caller, id)?;
    if seen != Seen::Organiser {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only the programme's organisers decide",
        ));
    }
    standing.must_run()?;
    if row.state != ApplicationState::Submitted.as_str() {
        return Err(invalid_transition(format!(
            "a {} application is not decided on",
            row.state
        )));
    }
    match phase_now(&programme) {
        Phase::Reviewing => {}
        Phase::Decided => return Err(invalid_transition("the results are published")),
        _ => return Err(invalid_transition("applications are still open")),
    }
    row.decision = Some(decision.as_str().to_owned());
    row.decided_by = Some(caller.actor());
    row.decided_at = Some(ids::now());
    let recorded = store::record_decision(
        conn,
        &row.id,
        decision.as_str(),
        &caller.actor(),
        row.decided_at.unwrap_or_else(ids::now),
    )?;
    if !recorded {
        return Err(programmes::conflict(
            "the application changed while this was being done; read it again",
        ));
    }
    crate::changes::audit(
        conn,
        &caller.actor(),
        "hub.application.decide",
        &format!("hub_application:{}", row.id),
        serde_json::json!({ "programme": programme.id, "decision": decision.as_str() }),
    )?;
    view(conn, &standing, seen, row, &programme)
}

/// Publishes the decisions (the organisers' editors) once every submitted application has one;
/// each applicant's organisation is told through its webhook (`hub.application.decided`).
pub(crate) fn publish_results(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<ProgrammeView> {
    let (mut programme, organisers, standing) = programmes::visible(conn, caller, key)?;
    standing.must_run()?;
    match phase_now(&programme) {
        Phase::Reviewing => {}
        Phase::Decided => return Err(invalid_transition("the results are published already")),
        _ => return Err(invalid_transition("applications are still open")),
    }
    let submitted =
        store::applications(conn, &programme.id, &[ApplicationState::Submitted.as_str()])?;
    let undecided = submitted.iter().filter(|a| a.decision.is_none()).count();
    if undecided > 0 {
        return Err(invalid_transition(format!(
            "{undecided} submitted applications have no decision yet"
        )));
    }
    let now = ids::now();
    programme.results_published_at = Some(now);
    programmes::save(conn, &mut programme)?;
    for application in &submitted {
        crate::outbox::notify(
            conn,
            &application.startup_id,
            "hub.application.decided",
            &application.id,
            serde_json::json!({
                "application_id": application.id,
                "programme_id": programme.id,
                "programme_slug": programme.slug,
                "decision": application.decision,
                "at": now.and_utc().to_rfc3339(),
            }),
        )?;
    }
    programmes::audit(
        conn,
        caller,
        "hub.programme.publish_results",
        &programme,
        serde_json::json!({ "decided": submitted.len() }),
    )?;
    programmes::view(conn, programme, &organisers, &standing)
}
