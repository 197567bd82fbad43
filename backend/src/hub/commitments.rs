//! Co-investment: once a call's results are published, each investor it names records what it
//! commits to an accepted startup — in the fund's currency, never more than its stated fund in
//! all (no money moves here). The startup, the organisers and the call's investors see the
//! record; nobody else knows it exists.

use serde::{Deserialize, Serialize};
use silkbridge_schema::hub_models::{HubApplication, HubCommitment, HubProgramme};
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;

use super::domain::{Decision, ProgrammeKind};
use super::events::claim;
use super::input::Fund;
use super::programmes::{conflict, invalid_transition, organisation_view, parse};
use super::store;
use super::views::HubOrganisationView;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize, read_scope};
use crate::identity::rules as identity;

/// An investor's commitment to a startup.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
#[graphql(name = "HubCommitmentInput")]
#[schema(as = HubCommitmentInput)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    /// The investing organisation's slug (one the call names).
    pub investor: String,
    /// Whole currency units.
    pub amount: i64,
    /// The fund's currency.
    pub currency: String,
}

/// A recorded commitment.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "HubCommitment")]
#[schema(as = HubCommitment)]
#[serde(rename_all = "camelCase")]
pub struct CommitmentView {
    pub investor: HubOrganisationView,
    pub amount: i64,
    pub currency: String,
    pub committed_at: chrono::NaiveDateTime,
}

/// The application and its call, if the caller may see its commitments (404 otherwise).
fn readable(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<(HubApplication, HubProgramme, Vec<Fund>)> {
    authorize(caller, Action::ActAsPerson)?;
    let not_found = || ApiError::not_found(format_args!("application `{id}`"));
    let row = store::application(conn, id)?.ok_or_else(not_found)?;
    let programme = store::programme(conn, &row.programme_id)?.ok_or_else(not_found)?;
    let funds: Vec<Fund> = parse(&programme.funds_json)?;
    let mine = read_scope(caller);
    let organisers = store::organisers(conn, &programme.id)?;
    let organiser = organisers
        .iter()
        .any(|o| o.confirmed_at.is_some() && mine.contains(&o.organisation_id));
    let mut investor = false;
    for fund in &funds {
        if let Ok(org) = identity::organisation_by_slug(conn, &fund.investor) {
            investor |= mine.contains(&org.id);
        }
    }
    let decided = programme.results_published_at.is_some();
    if mine.contains(&row.startup_id) || (decided && (organiser || investor)) {
        Ok((row, programme, funds))
    } else {
        Err(not_found())
    }
}

fn views(conn: &mut DbConnection, rows: Vec<HubCommitment>) -> ApiResult<Vec<CommitmentView>> {
    let orgs = identity::organisations_by_ids(conn, rows.iter().map(|c| c.investor_id.as_str()))?;
    Ok(rows
        .into_iter()
        .filter_map(|c| {
            orgs.get(&c.investor_id).map(|org| CommitmentView {
                investor: organisation_view(org),
                amount: c.amount,
                currency: c.currency,
                committed_at: c.committed_at,
            })
        })
        .collect())
}

/// The commitments to an application.
pub(crate) fn list(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<Vec<CommitmentView>> {
    let (row, _, _) = readable(conn, caller, id)?;
    let rows = store::commitments(conn, &row.id)?;
    views(conn, rows)
}

/// An investor's editors record a commitment to an accepted startup of the call.
pub(crate) fn commit(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    input: CommitmentInput,
) -> ApiResult<Vec<CommitmentView>> {
    let (row, mut programme, funds) = readable(conn, caller, id)?;
    if programme.kind != ProgrammeKind::CoInvestment.as_str() {
        return Err(invalid_transition(
            "only co-investment calls record commitments",
        ));
    }
    if programme.results_published_at.is_none()
        || row.decision.as_deref() != Some(Decision::Accepted.as_str())
    {
        return Err(invalid_transition(
            "commitments go to accepted startups once the results are published",
        ));
    }
    let Some(fund) = funds.iter().find(|f| f.investor == input.investor) else {
        return Err(ApiError::validation(vec![FieldError::new(
            "investor",
            "unknown_value",
            "not an investor of this call",
        )]));
    };
    let investor = identity::organisation_by_slug(conn, &input.investor)?;
    authorize(
        caller,
        Action::EditFor {
            organisation_id: &investor.id,
        },
    )?;
    let mut errors = Vec::new();
    if input.currency != fund.currency {
        errors.push(FieldError::new(
            "currency",
            "invalid_value",
            format!("the fund is in {}", fund.currency),
        ));
    }
    if input.amount <= 0 {
        errors.push(FieldError::new(
            "amount",
            "out_of_range",
            "a positive amount",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    // One commitment at a time per call, so the fund cannot be overspent by two at once.
    claim(conn, &mut programme)?;
    if store::commitments(conn, &row.id)?
        .iter()
        .any(|c| c.investor_id == investor.id)
    {
        return Err(conflict(
            "this investor has committed to this startup already",
        ));
    }
    let committed: i64 = store::committed_by_investor(conn, &programme.id, &investor.id)?
        .iter()
        .map(|c| c.amount)
        .sum();
    if committed.saturating_add(input.amount) > fund.amount {
        return Err(invalid_transition(format!(
            "{} of the fund's {} {} is committed already",
            committed, fund.amount, fund.currency
        )));
    }
    let now = ids::now();
    store::insert_commitment(
        conn,
        &HubCommitment {
            application_id: row.id.clone(),
            investor_id: investor.id.clone(),
            amount: input.amount,
            currency: input.currency.clone(),
            committed_by: caller.actor(),
            committed_at: now,
        },
    )?;
    crate::changes::audit(
        conn,
        &caller.actor(),
        "hub.commitment.record",
        &format!("hub_application:{}", row.id),
        serde_json::json!({ "investor": investor.id, "amount": input.amount, "currency": input.currency }),
    )?;
    crate::outbox::notify(
        conn,
        &row.startup_id,
        "hub.commitment.recorded",
        &row.id,
        serde_json::json!({ "application_id": row.id, "programme_slug": programme.slug, "investor": investor.slug,
                            "amount": input.amount, "currency": input.currency, "at": now.and_utc().to_rfc3339() }),
    )?;
    list(conn, caller, id)
}
