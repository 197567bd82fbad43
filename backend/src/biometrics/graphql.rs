//! The biometrics module's GraphQL fields: the same service calls as REST.

use async_graphql::{Context, Object, Result};

use super::service::{self, *};
use crate::graphql::{caller_of, state_of};

#[derive(Default)]
pub struct BiometricsQuery;

#[Object]
impl BiometricsQuery {
    /// Every sharing agreement (platform administrators).
    async fn biometric_sharing_agreements(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<SharingAgreement>> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::sharing_agreements(state, &caller)
            .await
            .map_err(|e| e.into_graphql())
    }
}

#[derive(Default)]
pub struct BiometricsMutation;

#[Object]
impl BiometricsMutation {
    /// Records a subject's consent (scope `biometric:enrol`).
    async fn grant_biometric_consent(
        &self,
        ctx: &Context<'_>,
        input: ConsentInput,
    ) -> Result<ConsentView> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::grant_consent(state, &caller, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Enrols a template (scope `biometric:enrol`).
    async fn enrol_biometric_template(
        &self,
        ctx: &Context<'_>,
        input: EnrolInput,
    ) -> Result<Enrolment> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::enrol(state, &caller, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// 1:1 verification (scope `biometric:verify`). A mutation: every call is audited.
    async fn verify_biometric(
        &self,
        ctx: &Context<'_>,
        input: VerifyInput,
    ) -> Result<Verification> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::verify(state, &caller, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// 1:N identification (scope `biometric:identify`). A mutation: every call is audited.
    async fn identify_biometric(
        &self,
        ctx: &Context<'_>,
        input: IdentifyInput,
    ) -> Result<Identification> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::identify(state, &caller, input)
            .await
            .map_err(|e| e.into_graphql())
    }

    /// Revokes a consent; the subject's templates are erased. Returns how many.
    async fn revoke_biometric_consent(&self, ctx: &Context<'_>, id: String) -> Result<u32> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::revoke_consent(state, &caller, id)
            .await
            .map(|n| n as u32)
            .map_err(|e| e.into_graphql())
    }

    /// Lets the grantee match the owner's subjects (platform administrators).
    async fn add_biometric_sharing(
        &self,
        ctx: &Context<'_>,
        owner_partner_id: String,
        grantee_partner_id: String,
    ) -> Result<bool> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::add_sharing(state, &caller, owner_partner_id, grantee_partner_id)
            .await
            .map(|()| true)
            .map_err(|e| e.into_graphql())
    }

    /// Ends a sharing agreement (platform administrators).
    async fn end_biometric_sharing(
        &self,
        ctx: &Context<'_>,
        owner_partner_id: String,
        grantee_partner_id: String,
    ) -> Result<bool> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::remove_sharing(state, &caller, owner_partner_id, grantee_partner_id)
            .await
            .map(|()| true)
            .map_err(|e| e.into_graphql())
    }

    /// Sets a partner's decision threshold for a format (platform administrators).
    async fn set_biometric_threshold(
        &self,
        ctx: &Context<'_>,
        partner_id: String,
        format: String,
        threshold: f64,
    ) -> Result<bool> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::set_threshold(state, &caller, partner_id, format, threshold)
            .await
            .map(|()| true)
            .map_err(|e| e.into_graphql())
    }

    /// Erases a subject's templates and consents (scope `biometric:enrol`); returns how many
    /// templates were erased.
    async fn erase_biometric_subject(&self, ctx: &Context<'_>, subject_id: String) -> Result<u32> {
        let (state, caller) = (state_of(ctx)?, caller_of(ctx));
        service::erase_subject(state, &caller, subject_id)
            .await
            .map(|n| n as u32)
            .map_err(|e| e.into_graphql())
    }
}
