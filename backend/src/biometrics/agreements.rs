//! Sharing agreements between partners and per-format thresholds: what platform administrators
//! set, audited like every biometric call.

use serde::Serialize;
use silkbridge_schema::ids;
use utoipa::ToSchema;

use super::store;
use super::templates::Format;
use crate::changes;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::state::AppState;

/// A sharing agreement as administrators see it.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
#[serde(rename_all = "camelCase")]
pub struct SharingAgreement {
    pub owner_partner_id: String,
    pub grantee_partner_id: String,
    pub since: chrono::NaiveDateTime,
}

/// Every sharing agreement (platform administrators).
pub async fn sharing_agreements(
    state: &AppState,
    caller: &Caller,
) -> ApiResult<Vec<SharingAgreement>> {
    authorize(caller, Action::ManagePartners)?;
    let rows = crate::db::run(&state.db, store::sharing_agreements).await?;
    Ok(rows
        .into_iter()
        .map(
            |(owner_partner_id, grantee_partner_id, since)| SharingAgreement {
                owner_partner_id,
                grantee_partner_id,
                since,
            },
        )
        .collect())
}

/// Ends a sharing agreement (platform administrators): the grantee stops matching the
/// owner's subjects with its next request.
pub async fn remove_sharing(
    state: &AppState,
    caller: &Caller,
    owner: String,
    grantee: String,
) -> ApiResult<()> {
    authorize(caller, Action::ManagePartners)?;
    let actor = caller.actor();
    state
        .write(move |conn| {
            if !store::remove_sharing(conn, &owner, &grantee)? {
                return Err(ApiError::not_found("sharing agreement"));
            }
            changes::audit(
                conn,
                &actor,
                "biometric.sharing_ended",
                &format!("partner:{owner}"),
                serde_json::json!({ "grantee": grantee }),
            )
        })
        .await
}

/// Lets `grantee` match `owner`'s subjects (platform administrators).
pub async fn add_sharing(
    state: &AppState,
    caller: &Caller,
    owner: String,
    grantee: String,
) -> ApiResult<()> {
    authorize(caller, Action::ManagePartners)?;
    let actor = caller.actor();
    state
        .write(move |conn| {
            for id in [&owner, &grantee] {
                crate::identity::partners::active_partner(conn, id).map_err(|_| {
                    ApiError::validation(vec![FieldError::new(
                        "partnerId",
                        "unknown",
                        format!("no partner `{id}`"),
                    )])
                })?;
            }
            store::add_sharing(conn, &owner, &grantee, ids::now())?;
            changes::audit(
                conn,
                &actor,
                "biometric.sharing",
                &format!("partner:{owner}"),
                serde_json::json!({ "grantee": grantee }),
            )
        })
        .await
}

/// Sets a partner's decision threshold for a format (platform administrators), typically
/// the one `silkbridge biometrics evaluate` printed for the target false-accept rate.
pub async fn set_threshold(
    state: &AppState,
    caller: &Caller,
    partner: String,
    format: String,
    threshold: f64,
) -> ApiResult<()> {
    authorize(caller, Action::ManagePartners)?;
    let format = Format::parse(&format).ok_or_else(|| {
        ApiError::validation(vec![FieldError::new(
            "format",
            "unknown_format",
            "`float32` or `binary`",
        )])
    })?;
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ApiError::validation(vec![FieldError::new(
            "threshold",
            "out_of_range",
            "0 to 1",
        )]));
    }
    let actor = caller.actor();
    state
        .write(move |conn| {
            store::set_threshold(conn, &partner, format.as_str(), threshold, ids::now())?;
            changes::audit(
                conn,
                &actor,
                "biometric.threshold",
                &format!("partner:{partner}"),
                serde_json::json!({ "format": format.as_str(), "threshold": threshold }),
            )
        })
        .await
}
