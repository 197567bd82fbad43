//! The hub in GraphQL: the same service calls as REST.

use async_graphql::{Context, Object, Result};

use super::commitments::{CommitmentInput, CommitmentView};
use super::events::{ParticipantView, RegistrationView, TeamView};
use super::input::{
    ApplicationInput, ConflictInput, DecisionInput, OrganiserInput, ProgrammeInput, ReviewInput,
    ReviewerInput,
};
use super::service;
use super::views::{ApplicationView, HubOrganisationView, ProgrammeView, ReviewerView};
use crate::graphql::{caller_of, state_of};

#[derive(Default)]
pub struct HubQuery;

#[Object]
impl HubQuery {
    /// Published programmes and the drafts of the caller's organisations.
    async fn hub_programmes(
        &self,
        ctx: &Context<'_>,
        kind: Option<String>,
    ) -> Result<Vec<ProgrammeView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::programmes(app, &caller, kind)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// One programme by id or slug.
    async fn hub_programme(&self, ctx: &Context<'_>, key: String) -> Result<ProgrammeView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::programme(app, &caller, &key)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// The review panel (the organisers).
    async fn hub_reviewers(
        &self,
        ctx: &Context<'_>,
        programme: String,
    ) -> Result<Vec<ReviewerView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::reviewers(app, &caller, &programme)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// A programme's applications the caller may see.
    async fn hub_programme_applications(
        &self,
        ctx: &Context<'_>,
        programme: String,
    ) -> Result<Vec<ApplicationView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::programme_applications(app, &caller, &programme)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// The applications of the caller's startups.
    async fn my_hub_applications(&self, ctx: &Context<'_>) -> Result<Vec<ApplicationView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::my_applications(app, &caller)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// The caller's place at an event.
    async fn hub_registration(
        &self,
        ctx: &Context<'_>,
        programme: String,
    ) -> Result<RegistrationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::registration(app, &caller, &programme)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// A hackathon's teams.
    async fn hub_teams(&self, ctx: &Context<'_>, programme: String) -> Result<Vec<TeamView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::teams(app, &caller, &programme)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Who registered (the organisers).
    async fn hub_participants(
        &self,
        ctx: &Context<'_>,
        programme: String,
    ) -> Result<Vec<ParticipantView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::participants(app, &caller, &programme)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// The accepted startups once the results are published.
    async fn hub_accepted(
        &self,
        ctx: &Context<'_>,
        programme: String,
    ) -> Result<Vec<HubOrganisationView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::accepted(app, &caller, &programme)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// What the investors committed to an application.
    async fn hub_commitments(
        &self,
        ctx: &Context<'_>,
        application: String,
    ) -> Result<Vec<CommitmentView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::commitments(app, &caller, &application)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// One application as the caller may see it.
    async fn hub_application(&self, ctx: &Context<'_>, id: String) -> Result<ApplicationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::application(app, &caller, &id)
            .await
            .map_err(|e| e.into_graphql())
    }
}

#[derive(Default)]
pub struct HubMutation;

#[Object]
impl HubMutation {
    /// Creates a draft programme.
    async fn create_hub_programme(
        &self,
        ctx: &Context<'_>,
        input: ProgrammeInput,
    ) -> Result<ProgrammeView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::create_programme(app, &caller, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Changes a programme.
    async fn update_hub_programme(
        &self,
        ctx: &Context<'_>,
        key: String,
        input: ProgrammeInput,
    ) -> Result<ProgrammeView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::update_programme(app, &caller, &key, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Publishes a draft programme.
    async fn publish_hub_programme(&self, ctx: &Context<'_>, key: String) -> Result<ProgrammeView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::publish_programme(app, &caller, &key)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Asks another organisation to co-organise.
    async fn add_hub_organiser(
        &self,
        ctx: &Context<'_>,
        key: String,
        input: OrganiserInput,
    ) -> Result<ProgrammeView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::add_organiser(app, &caller, &key, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Confirms co-organising (the asked organisation's editors).
    async fn confirm_hub_organiser(
        &self,
        ctx: &Context<'_>,
        key: String,
        organisation: String,
    ) -> Result<ProgrammeView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::confirm_organiser(app, &caller, &key, &organisation)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Appoints a reviewer.
    async fn appoint_hub_reviewer(
        &self,
        ctx: &Context<'_>,
        key: String,
        input: ReviewerInput,
    ) -> Result<Vec<ReviewerView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::appoint_reviewer(app, &caller, &key, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Removes a reviewer; answers true.
    async fn remove_hub_reviewer(
        &self,
        ctx: &Context<'_>,
        key: String,
        user_id: String,
    ) -> Result<bool> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::remove_reviewer(app, &caller, &key, &user_id)
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(true)
    }

    /// A reviewer declares a conflict of interest; answers true.
    async fn declare_hub_conflict(
        &self,
        ctx: &Context<'_>,
        key: String,
        input: ConflictInput,
    ) -> Result<bool> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::declare_conflict(app, &caller, &key, input)
            .await
            .map_err(|e| e.into_graphql())?;
        Ok(true)
    }

    /// Publishes the decisions and tells the applicants.
    async fn publish_hub_results(&self, ctx: &Context<'_>, key: String) -> Result<ProgrammeView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::publish_results(app, &caller, &key)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Starts a startup's application.
    async fn create_hub_application(
        &self,
        ctx: &Context<'_>,
        programme: String,
        input: ApplicationInput,
    ) -> Result<ApplicationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::create_application(app, &caller, &programme, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Changes a draft application.
    async fn update_hub_application(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: ApplicationInput,
    ) -> Result<ApplicationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::update_application(app, &caller, &id, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Submits an application before the deadline.
    async fn submit_hub_application(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> Result<ApplicationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::submit_application(app, &caller, &id)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Withdraws an application.
    async fn withdraw_hub_application(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> Result<ApplicationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::withdraw_application(app, &caller, &id)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// A reviewer's scores.
    async fn review_hub_application(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: ReviewInput,
    ) -> Result<ApplicationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::review_application(app, &caller, &id, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Takes a place at an event (or one on its waitlist).
    async fn register_for_hub_event(
        &self,
        ctx: &Context<'_>,
        programme: String,
    ) -> Result<RegistrationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::register(app, &caller, &programme)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Gives the caller's place up.
    async fn cancel_hub_registration(
        &self,
        ctx: &Context<'_>,
        programme: String,
    ) -> Result<RegistrationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::cancel_registration(app, &caller, &programme)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Joins (`team`) or founds (`name`) a hackathon team.
    async fn join_hub_team(
        &self,
        ctx: &Context<'_>,
        programme: String,
        team: Option<String>,
        name: Option<String>,
    ) -> Result<RegistrationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::join_team(app, &caller, &programme, team, name)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// An investor records its commitment to an accepted startup.
    async fn record_hub_commitment(
        &self,
        ctx: &Context<'_>,
        application: String,
        input: CommitmentInput,
    ) -> Result<Vec<CommitmentView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::commit(app, &caller, &application, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// The organisers' decision.
    async fn decide_hub_application(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: DecisionInput,
    ) -> Result<ApplicationView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::decide_application(app, &caller, &id, input)
            .await
            .map_err(|e| e.into_graphql())
    }
}
