//! IMEI cases in GraphQL: the same service calls as REST.

use async_graphql::{Context, Object, Result};

use super::domain::{CaseKind, CaseState};
use super::views::*;
use super::{service, transitions};
use crate::graphql::{caller_of, state_of};

#[derive(Default)]
pub struct CasesQuery;

#[Object]
impl CasesQuery {
    /// The cases the caller may read (agencies, police forces, embassies). Audited.
    async fn imei_cases(
        &self,
        ctx: &Context<'_>,
        state: Option<CaseState>,
        kind: Option<CaseKind>,
        limit: Option<u32>,
    ) -> Result<Vec<CaseView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        let query = CaseQuery { state, kind, limit };
        service::list(app, &caller, query)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// One case; not found for one the caller may not read. Audited.
    async fn imei_case(&self, ctx: &Context<'_>, id: String) -> Result<CaseView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::get(app, &caller, &id)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Cases by month, kind, state and country, and return times, over the cases the caller
    /// may read. Audited.
    async fn imei_case_statistics(
        &self,
        ctx: &Context<'_>,
        from: Option<String>,
        to: Option<String>,
    ) -> Result<super::statistics::CaseStatistics> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        super::statistics::statistics(
            app,
            &caller,
            super::statistics::StatisticsQuery { from, to },
        )
        .await
        .map_err(|e| e.into_graphql())
    }

    /// What happened to a case. Audited.
    async fn imei_case_events(&self, ctx: &Context<'_>, id: String) -> Result<Vec<CaseEventView>> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::events(app, &caller, &id)
            .await
            .map_err(|e| e.into_graphql())
    }
}

#[derive(Default)]
pub struct CasesMutation;

#[Object]
impl CasesMutation {
    /// Opens a case; lost and stolen devices are black-listed in both countries.
    async fn open_imei_case(&self, ctx: &Context<'_>, input: NewCaseInput) -> Result<CaseView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::open(app, &caller, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Records a case's device found and where it is held.
    async fn imei_case_found(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: FoundInput,
    ) -> Result<CaseView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        transitions::found(app, &caller, &id, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Records the device back with its owner.
    async fn imei_case_handed_over(
        &self,
        ctx: &Context<'_>,
        id: String,
        #[graphql(default)] input: NoteInput,
    ) -> Result<CaseView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        transitions::hand_over(app, &caller, &id, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Closes a case (the reporting organisation).
    async fn close_imei_case(
        &self,
        ctx: &Context<'_>,
        id: String,
        #[graphql(default)] input: NoteInput,
    ) -> Result<CaseView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        transitions::close(app, &caller, &id, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Withdraws an open or located case (the reporting organisation).
    async fn withdraw_imei_case(
        &self,
        ctx: &Context<'_>,
        id: String,
        #[graphql(default)] input: NoteInput,
    ) -> Result<CaseView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        transitions::withdraw(app, &caller, &id, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Links two cases the caller may both read.
    async fn link_imei_cases(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: LinkInput,
    ) -> Result<CaseView> {
        let (app, caller) = (state_of(ctx)?, caller_of(ctx));
        service::link(app, &caller, &id, input)
            .await
            .map_err(|e| e.into_graphql())
    }
}
