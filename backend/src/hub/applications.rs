//! Applications: a startup's editors draft one per programme, answer its form and submit it
//! before the deadline — the server's clock decides — or withdraw it. Who sees an application
//! is `access::Standing::sees_application`.

use silkbridge_schema::hub_models::{HubApplication, HubProgramme};
use silkbridge_schema::{DbConnection, ids};

use super::access::{Seen, Standing, application_not_found};
use super::domain::{ApplicationState, Phase, QuestionKind, Sector, Stage};
use super::input::{Answer, ApplicationInput, Question};
use super::programmes::{self, conflict, invalid_transition, parse, phase_now};
use super::reviews;
use super::store;
use super::views::ApplicationView;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;
use crate::identity::domain::OrganisationKind;
use crate::identity::policy::{Action, authorize};
use crate::identity::rules as identity;
use crate::validate::Validator;

/// Checks the answers against the form: each names a question and fits its kind.
fn check(
    programme: &HubProgramme,
    input: &ApplicationInput,
    startup_country: &str,
) -> ApiResult<()> {
    checked(programme, input, startup_country, None)
}

/// `check`, and every required question answered — a `file` question by one of the
/// `attached` files — and the startup eligible.
fn check_complete(
    programme: &HubProgramme,
    input: &ApplicationInput,
    startup_country: &str,
    attached: &[String],
) -> ApiResult<()> {
    checked(programme, input, startup_country, Some(attached))
}

/// With `complete` (the questions files answer), the submission's rules too.
fn checked(
    programme: &HubProgramme,
    input: &ApplicationInput,
    startup_country: &str,
    complete: Option<&[String]>,
) -> ApiResult<()> {
    let questions: Vec<Question> = parse(&programme.questions_json)?;
    let mut check = Validator::default();
    let stage = check.parse::<Stage>("stage", &input.stage);
    let sector = check.parse::<Sector>("sector", &input.sector);
    let mut seen = std::collections::BTreeSet::new();
    for (i, answer) in input.answers.iter().enumerate() {
        let field = format!("answers[{i}].value");
        if !seen.insert(answer.question.as_str()) {
            check.fail(
                format!("answers[{i}].question"),
                "duplicate",
                "one answer per question",
            );
        }
        let Some(question) = questions.iter().find(|q| q.id == answer.question) else {
            check.fail(
                format!("answers[{i}].question"),
                "unknown_value",
                "not a question of this programme",
            );
            continue;
        };
        check.typed_text(&field, Some(&answer.value), false, 5000);
        let value = answer.value.trim();
        match question.kind.parse::<QuestionKind>() {
            Ok(QuestionKind::Choice)
                if !value.is_empty() && !question.options.iter().any(|o| o == value) =>
            {
                check.fail(
                    &field,
                    "unknown_value",
                    format!("one of: {}", question.options.join(", ")),
                );
            }
            Ok(QuestionKind::Number)
                if !value.is_empty() && !value.parse::<f64>().is_ok_and(f64::is_finite) =>
            {
                check.fail(&field, "invalid_format", "a number");
            }
            Ok(QuestionKind::File) if !value.is_empty() => {
                check.fail(&field, "invalid_value", "files are attached, not typed");
            }
            _ => {}
        }
    }
    if let Some(attached) = complete {
        for question in questions.iter().filter(|q| q.required) {
            let answered = if question.kind == QuestionKind::File.as_str() {
                attached.contains(&question.id)
            } else {
                input
                    .answers
                    .iter()
                    .any(|a| a.question == question.id && !a.value.trim().is_empty())
            };
            if !answered {
                check.fail(
                    format!("answers.{}", question.id),
                    "required",
                    format!("answer “{}”", question.label),
                );
            }
        }
        let countries: Vec<String> = parse(&programme.countries_json)?;
        if !countries.iter().any(|c| c == startup_country) {
            check.fail(
                "startup",
                "not_eligible",
                format!("open to startups of {}", countries.join(", ")),
            );
        }
        let stages: Vec<String> = parse(&programme.stages_json)?;
        if stage.is_some_and(|s| !stages.is_empty() && !stages.iter().any(|x| x == s.as_str())) {
            check.fail(
                "stage",
                "not_eligible",
                format!("open to stages {}", stages.join(", ")),
            );
        }
        let sectors: Vec<String> = parse(&programme.sectors_json)?;
        if sector.is_some_and(|s| !sectors.is_empty() && !sectors.iter().any(|x| x == s.as_str())) {
            check.fail(
                "sector",
                "not_eligible",
                format!("open to sectors {}", sectors.join(", ")),
            );
        }
    }
    check.finish()
}

/// Applications are taken while the programme is upcoming (drafts) or open; after the
/// deadline, 409 `deadline_passed`.
fn before_deadline(programme: &HubProgramme) -> ApiResult<()> {
    match phase_now(programme) {
        Phase::Upcoming | Phase::Open => Ok(()),
        Phase::Draft => Err(programmes::invalid_transition(
            "the programme is not published",
        )),
        Phase::Reviewing | Phase::Decided => Err(ApiError::new(
            ErrorCode::DeadlinePassed,
            format!(
                "applications closed at {} UTC",
                programme.applications_close_at
            ),
        )),
    }
}

fn answers_json(answers: &[Answer]) -> ApiResult<String> {
    let trimmed: Vec<Answer> = answers
        .iter()
        .filter(|a| !a.value.trim().is_empty())
        .map(|a| Answer {
            question: a.question.clone(),
            value: a.value.trim().to_owned(),
        })
        .collect();
    serde_json::to_string(&trimmed).map_err(ApiError::internal)
}

fn audit(
    conn: &mut DbConnection,
    caller: &Caller,
    action: &str,
    row: &HubApplication,
) -> ApiResult<()> {
    crate::changes::audit(
        conn,
        &caller.actor(),
        action,
        &format!("hub_application:{}", row.id),
        serde_json::json!({ "programme": row.programme_id, "startup": row.startup_id, "state": row.state }),
    )
}

/// Writes the row, moving its version: refused with 409 `conflict` if it moved meanwhile.
pub(super) fn save(conn: &mut DbConnection, row: &mut HubApplication) -> ApiResult<()> {
    let read = row.version;
    row.version += 1;
    row.updated_at = ids::now();
    if store::update_application(conn, row, read)? {
        Ok(())
    } else {
        Err(conflict(
            "the application changed while this was being done; read it again",
        ))
    }
}

/// An application the caller may see, its programme and how the caller sees it; 404 otherwise.
pub(super) fn visible(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<(HubApplication, HubProgramme, Standing, Seen)> {
    authorize(caller, Action::ActAsPerson)?;
    let row = store::application(conn, id)?.ok_or_else(|| application_not_found(id))?;
    let programme =
        store::programme(conn, &row.programme_id)?.ok_or_else(|| application_not_found(id))?;
    let organisers = store::organisers(conn, &programme.id)?;
    let standing = Standing::load(conn, caller, &programme, &organisers)?;
    match standing.sees_application(caller, &row) {
        Some(seen) => Ok((row, programme, standing, seen)),
        None => Err(application_not_found(id)),
    }
}

/// An application its startup's editors may change; 403 to its other members.
fn editable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<(HubApplication, HubProgramme, Standing, Seen)> {
    let found = visible(conn, caller, id)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &found.0.startup_id,
        },
    )?;
    Ok(found)
}

/// Starts a startup's application to a programme (its editors; one per startup per programme).
pub(crate) fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    programme_key: &str,
    input: ApplicationInput,
) -> ApiResult<ApplicationView> {
    let (programme, _, _) = programmes::visible(conn, caller, programme_key)?;
    let Some(slug) = input.startup.clone() else {
        return Err(ApiError::validation(vec![crate::error::FieldError::new(
            "startup",
            "required",
            "name the applying startup",
        )]));
    };
    let startup = identity::organisation_by_slug(conn, &slug)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &startup.id,
        },
    )?;
    if startup.kind != OrganisationKind::Startup {
        return Err(ApiError::validation(vec![crate::error::FieldError::new(
            "startup",
            "not_eligible",
            "only startups apply",
        )]));
    }
    before_deadline(&programme)?;
    check(&programme, &input, startup.country.as_str())?;
    if store::application_of(conn, &programme.id, &startup.id)?.is_some() {
        return Err(conflict(
            "this startup has an application to this programme already",
        ));
    }
    let now = ids::now();
    let row = HubApplication {
        id: ids::new_id(),
        programme_id: programme.id.clone(),
        startup_id: startup.id.clone(),
        state: ApplicationState::Draft.as_str().to_owned(),
        stage: input.stage.clone(),
        sector: input.sector.clone(),
        answers_json: answers_json(&input.answers)?,
        decision: None,
        decided_by: None,
        decided_at: None,
        created_by: caller.actor(),
        created_at: now,
        updated_at: now,
        submitted_at: None,
        version: 1,
    };
    store::insert_application(conn, &row)?;
    audit(conn, caller, "hub.application.create", &row)?;
    let id = row.id.clone();
    get(conn, caller, &id)
}

/// A draft (or withdrawn) application its startup's editors may change now, before the
/// deadline, with its programme.
pub(super) fn draft_for_change(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<(HubApplication, HubProgramme)> {
    let (row, programme, _, _) = editable(conn, caller, id)?;
    if row.state == ApplicationState::Submitted.as_str() {
        return Err(invalid_transition(
            "a submitted application is withdrawn before it is changed",
        ));
    }
    before_deadline(&programme)?;
    Ok((row, programme))
}

/// Changes a draft (or withdrawn) application's answers before the deadline (its editors).
pub(crate) fn update(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: ApplicationInput,
) -> ApiResult<ApplicationView> {
    let (mut row, programme) = draft_for_change(conn, caller, id)?;
    let startup = identity::organisation_by_id(conn, &row.startup_id)?;
    check(&programme, &input, startup.country.as_str())?;
    row.stage = input.stage.clone();
    row.sector = input.sector.clone();
    row.answers_json = answers_json(&input.answers)?;
    save(conn, &mut row)?;
    audit(conn, caller, "hub.application.update", &row)?;
    get(conn, caller, id)
}

/// Submits the application (its editors), complete and eligible, before the deadline.
pub(crate) fn submit(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<ApplicationView> {
    let (mut row, programme, _, _) = editable(conn, caller, id)?;
    if row.state == ApplicationState::Submitted.as_str() {
        return Err(invalid_transition("the application is submitted already"));
    }
    if phase_now(&programme) == Phase::Upcoming {
        return Err(ApiError::new(
            ErrorCode::NotYetOpen,
            format!(
                "applications open at {} UTC",
                programme.applications_open_at
            ),
        ));
    }
    before_deadline(&programme)?;
    let startup = identity::organisation_by_id(conn, &row.startup_id)?;
    let input = ApplicationInput {
        startup: None,
        stage: row.stage.clone(),
        sector: row.sector.clone(),
        answers: parse(&row.answers_json)?,
    };
    let attached: Vec<String> = store::application_files(conn, std::slice::from_ref(&row.id))?
        .into_iter()
        .map(|f| f.question_id)
        .collect();
    check_complete(&programme, &input, startup.country.as_str(), &attached)?;
    row.state = ApplicationState::Submitted.as_str().to_owned();
    row.submitted_at = Some(ids::now());
    save(conn, &mut row)?;
    audit(conn, caller, "hub.application.submit", &row)?;
    get(conn, caller, id)
}

/// Withdraws the application (its editors) until the results are published.
pub(crate) fn withdraw(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<ApplicationView> {
    let (mut row, programme, _, _) = editable(conn, caller, id)?;
    if row.state == ApplicationState::Withdrawn.as_str() {
        return Err(invalid_transition("the application is withdrawn already"));
    }
    if programme.results_published_at.is_some() {
        return Err(invalid_transition("the results are published"));
    }
    row.state = ApplicationState::Withdrawn.as_str().to_owned();
    row.decision = None;
    row.decided_at = None;
    row.decided_by = None;
    save(conn, &mut row)?;
    audit(conn, caller, "hub.application.withdraw", &row)?;
    get(conn, caller, id)
}

/// One application, as the caller sees it.
pub(crate) fn get(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<ApplicationView> {
    let (row, programme, standing, seen) = visible(conn, caller, id)?;
    reviews::view(conn, &standing, seen, row, &programme)
}

/// A programme's applications the caller may see: all submitted ones for the organisers, the
/// assigned ones for a reviewer, its own for a startup.
pub(crate) fn for_programme(
    conn: &mut DbConnection,
    caller: &Caller,
    key: &str,
) -> ApiResult<Vec<ApplicationView>> {
    authorize(caller, Action::ActAsPerson)?;
    let (programme, _, standing) = programmes::visible(conn, caller, key)?;
    let all = [
        ApplicationState::Draft.as_str(),
        ApplicationState::Submitted.as_str(),
        ApplicationState::Withdrawn.as_str(),
    ];
    let mut views = Vec::new();
    for row in store::applications(conn, &programme.id, &all)? {
        if let Some(seen) = standing.sees_application(caller, &row) {
            views.push(reviews::view(conn, &standing, seen, row, &programme)?);
        }
    }
    Ok(views)
}

/// The applications of the caller's startups, to every programme.
pub(crate) fn mine(conn: &mut DbConnection, caller: &Caller) -> ApiResult<Vec<ApplicationView>> {
    authorize(caller, Action::ActAsPerson)?;
    let startups = crate::identity::policy::read_scope(caller);
    let mut views = Vec::new();
    for row in store::applications_of_startups(conn, &startups)? {
        let id = row.id.clone();
        views.push(get(conn, caller, &id)?);
    }
    Ok(views)
}
