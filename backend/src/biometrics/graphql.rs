//! The biometrics module's GraphQL fields: the same service calls as REST.

use async_graphql::{Context, Object, Result};

use super::service::{self, *};
use crate::graphql::{caller_of, state_of};

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
