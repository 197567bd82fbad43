//! The IMEI module's GraphQL fields: the same service calls as REST.

use async_graphql::{Context, Object, Result};

use super::views::*;
use super::{lifecycle, service};
use crate::graphql::{caller_of, state_of};

#[derive(Default)]
pub struct ImeiQuery;

#[Object]
impl ImeiQuery {
    /// A partner's status check (scope `imei:read`). Audited.
    async fn imei_status(&self, ctx: &Context<'_>, imei: String) -> Result<DeviceStatus> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let imei = service::parse_imei(&imei).map_err(|e| e.into_graphql())?;
        service::check(state, &caller, imei).map_err(|e| e.into_graphql())
    }

    /// A citizen's check: the status only.
    async fn imei_public_status(&self, ctx: &Context<'_>, imei: String) -> Result<PublicStatus> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let imei = service::parse_imei(&imei).map_err(|e| e.into_graphql())?;
        let client = ctx
            .data_opt::<service::ClientAddress>()
            .copied()
            .unwrap_or(service::ClientAddress(None));
        service::public_check(state, &caller, client, imei)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// A device's full record and history (agencies and administrators). Audited.
    async fn imei_record(&self, ctx: &Context<'_>, imei: String) -> Result<DeviceRecord> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let imei = service::parse_imei(&imei).map_err(|e| e.into_graphql())?;
        service::record(state, &caller, imei)
            .await
            .map_err(|e| e.into_graphql())
    }
}

#[derive(Default)]
pub struct ImeiMutation;

#[Object]
impl ImeiMutation {
    /// Reports a device stolen, lost or counterfeit.
    async fn report_imei(
        &self,
        ctx: &Context<'_>,
        imei: String,
        input: ReportInput,
    ) -> Result<DeviceRecord> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let imei = service::parse_imei(&imei).map_err(|e| e.into_graphql())?;
        lifecycle::report(state, &caller, imei, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Grey-lists a device for a grace period.
    async fn greylist_imei(
        &self,
        ctx: &Context<'_>,
        imei: String,
        input: GreylistInput,
    ) -> Result<DeviceRecord> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let imei = service::parse_imei(&imei).map_err(|e| e.into_graphql())?;
        lifecycle::greylist(state, &caller, imei, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Takes a device off the list (the listing organisation only).
    async fn recover_imei(
        &self,
        ctx: &Context<'_>,
        imei: String,
        #[graphql(default)] input: RecoveryInput,
    ) -> Result<DeviceRecord> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        let imei = service::parse_imei(&imei).map_err(|e| e.into_graphql())?;
        lifecycle::recover(state, &caller, imei, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Registers devices (manufacturers and importers).
    async fn register_imeis(
        &self,
        ctx: &Context<'_>,
        input: RegistrationInput,
    ) -> Result<RegistrationResult> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        lifecycle::register(state, &caller, input)
            .await
            .map_err(|e| e.into_graphql())
    }
}
