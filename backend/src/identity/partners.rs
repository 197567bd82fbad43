//! Partner clients: machine access through OAuth2 `client_credentials`, with scopes, hashed
//! secrets (shown once), rotation, revocation and a per-partner rate limit.

use std::collections::{BTreeSet, HashMap};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use silkbridge_schema::models::Partner;
use silkbridge_schema::tables::partners;
use silkbridge_schema::{DbConnection, ids};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;

use super::caller::Caller;
use super::policy::{Action, authorize};
use super::tokens::{hash_secret, random_token};
use crate::changes;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::validate::Validator;

/// Every scope a partner may be granted. Modules check them with `Action::UseScope`.
pub const SCOPES: &[&str] = &[
    "imei:read",
    "imei:report",
    "imei:observe",
    "imei:register",
    "biometric:enrol",
    "biometric:verify",
    "biometric:identify",
    "documents:exchange",
    "audit:read",
];

/// A partner as administrators see it (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, async_graphql::SimpleObject)]
#[graphql(name = "Partner")]
#[schema(as = Partner)]
pub struct PartnerView {
    pub id: String,
    pub name: String,
    pub organisation_id: Option<String>,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub rate_limit_per_minute: i32,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

impl From<Partner> for PartnerView {
    fn from(p: Partner) -> Self {
        Self {
            scopes: p.scopes.split_whitespace().map(str::to_owned).collect(),
            id: p.id,
            name: p.name,
            organisation_id: p.organisation_id,
            client_id: p.client_id,
            rate_limit_per_minute: p.rate_limit_per_minute,
            created_at: p.created_at,
            revoked_at: p.revoked_at,
        }
    }
}

/// A partner with its client secret, returned once at creation or rotation.
#[derive(Debug, Clone, Serialize, ToSchema, async_graphql::SimpleObject)]
pub struct PartnerCredentials {
    pub partner: PartnerView,
    /// Shown only now; silkbridge keeps only its hash.
    pub client_secret: String,
}

/// What it takes to register a partner.
#[derive(Debug, Clone, Deserialize, ToSchema, async_graphql::InputObject)]
pub struct NewPartnerInput {
    pub name: String,
    /// The organisation the partner acts for (its slug), if any.
    pub organisation: Option<String>,
    pub scopes: Vec<String>,
    /// Requests per minute; default 600.
    pub rate_limit_per_minute: Option<i32>,
}

fn validate_scopes(check: &mut Validator, scopes: &[String]) {
    for scope in scopes {
        if !SCOPES.contains(&scope.as_str()) {
            check.fail(
                "scopes",
                "unknown_value",
                format!("unknown scope `{scope}`; known: {}", SCOPES.join(", ")),
            );
        }
    }
}

pub fn create(
    conn: &mut DbConnection,
    caller: &Caller,
    input: NewPartnerInput,
) -> ApiResult<PartnerCredentials> {
    authorize(caller, Action::ManagePartners)?;
    let mut check = Validator::default();
    check.text("name", &input.name, 200);
    validate_scopes(&mut check, &input.scopes);
    let rate = input.rate_limit_per_minute.unwrap_or(600);
    if !(1..=60_000_000).contains(&rate) {
        check.fail(
            "rate_limit_per_minute",
            "out_of_range",
            "must be between 1 and 60000000 (a million a second)",
        );
    }
    check.finish()?;
    let organisation_id = match &input.organisation {
        Some(slug) => Some(
            super::rules::organisation_by_slug(conn, slug)
                .map_err(|_| {
                    ApiError::validation(vec![FieldError {
                        field: "organisation".into(),
                        code: "not_found".into(),
                        message: format!("no organisation `{slug}`"),
                    }])
                })?
                .id,
        ),
        None => None,
    };
    let secret = random_token()?;
    let now = ids::now();
    let scopes: BTreeSet<&str> = input.scopes.iter().map(String::as_str).collect();
    let row = Partner {
        id: ids::new_id(),
        name: input.name.trim().to_owned(),
        organisation_id,
        client_id: format!("sbp_{}", &random_token()?[..22]),
        secret_hash: hash_secret(&secret),
        scopes: scopes.into_iter().collect::<Vec<_>>().join(" "),
        rate_limit_per_minute: rate,
        created_at: now,
        updated_at: now,
        revoked_at: None,
    };
    diesel::insert_into(partners::table)
        .values(&row)
        .execute(conn)?;
    changes::audit(
        conn,
        &caller.actor(),
        "partner.create",
        &format!("partner:{}", row.id),
        serde_json::json!({"scopes": row.scopes, "client_id": row.client_id}),
    )?;
    Ok(PartnerCredentials {
        partner: row.into(),
        client_secret: secret,
    })
}

pub fn list(conn: &mut DbConnection, caller: &Caller) -> ApiResult<Vec<PartnerView>> {
    authorize(caller, Action::ManagePartners)?;
    Ok(partners::table
        .order(partners::created_at.asc())
        .select(Partner::as_select())
        .load(conn)?
        .into_iter()
        .map(PartnerView::from)
        .collect())
}

fn by_id(conn: &mut DbConnection, id: &str) -> ApiResult<Partner> {
    partners::table
        .find(id)
        .select(Partner::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found(format_args!("partner `{id}`")))
}

/// Replaces the secret and forgets this process's cached copy: the old secret, and every
/// token issued against it, stop working at once (other nodes within `PARTNER_TTL`). REST
/// and GraphQL both rotate through this.
pub async fn rotate_now(
    state: &crate::state::AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<PartnerCredentials> {
    let (caller, id, forget) = (caller.clone(), id.to_owned(), id.to_owned());
    let rotated = state
        .write(move |conn| rotate_secret(conn, &caller, &id))
        .await?;
    state.identity.recent_partners.forget(&forget);
    Ok(rotated)
}

/// Replaces the secret; the old one stops working at once.
pub fn rotate_secret(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<PartnerCredentials> {
    authorize(caller, Action::ManagePartners)?;
    let partner = by_id(conn, id)?;
    if partner.revoked_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            "a revoked partner cannot get a new secret",
        ));
    }
    let secret = random_token()?;
    diesel::update(partners::table.find(id))
        .set((
            partners::secret_hash.eq(hash_secret(&secret)),
            partners::updated_at.eq(ids::now()),
        ))
        .execute(conn)?;
    changes::audit(
        conn,
        &caller.actor(),
        "partner.rotate_secret",
        &format!("partner:{id}"),
        serde_json::json!({}),
    )?;
    Ok(PartnerCredentials {
        partner: by_id(conn, id)?.into(),
        client_secret: secret,
    })
}

/// Revokes a partner: its tokens stop working at once and no new ones are issued.
/// Revokes a partner and forgets this process's cached copy at once, so its next request
/// is refused (REST and GraphQL both revoke through this).
pub async fn revoke_now(
    state: &crate::state::AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<PartnerView> {
    let (caller, id, forget) = (caller.clone(), id.to_owned(), id.to_owned());
    let view = state.write(move |conn| revoke(conn, &caller, &id)).await?;
    state.identity.recent_partners.forget(&forget);
    Ok(view)
}

pub fn revoke(conn: &mut DbConnection, caller: &Caller, id: &str) -> ApiResult<PartnerView> {
    authorize(caller, Action::ManagePartners)?;
    by_id(conn, id)?;
    let now = ids::now();
    diesel::update(
        partners::table
            .find(id)
            .filter(partners::revoked_at.is_null()),
    )
    .set((partners::revoked_at.eq(now), partners::updated_at.eq(now)))
    .execute(conn)?;
    changes::audit(
        conn,
        &caller.actor(),
        "partner.revoke",
        &format!("partner:{id}"),
        serde_json::json!({}),
    )?;
    Ok(by_id(conn, id)?.into())
}

/// A short tag of the partner's current secret, carried in its tokens: after a rotation no
/// earlier token matches, on every node, without a list of revoked tokens. (Derived from
/// the stored hash, so a token reveals nothing of it.)
pub fn credential_tag(partner: &Partner) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!(
        "silkbridge token credential\0{}",
        partner.secret_hash
    ));
    hex::encode(&digest[..8])
}

/// A partner that may still act, for the caller extractor.
pub fn active_partner(conn: &mut DbConnection, id: &str) -> ApiResult<Partner> {
    let partner = by_id(conn, id)
        .map_err(|_| ApiError::new(ErrorCode::Unauthenticated, "unknown partner"))?;
    if partner.revoked_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::Unauthenticated,
            "this partner's access has been revoked",
        ));
    }
    Ok(partner)
}

/// Checks client credentials; the same answer for an unknown client and a wrong secret.
pub fn authenticate(conn: &mut DbConnection, client_id: &str, secret: &str) -> ApiResult<Partner> {
    let invalid = || ApiError::new(ErrorCode::InvalidClient, "unknown client or wrong secret");
    let partner = partners::table
        .filter(partners::client_id.eq(client_id))
        .select(Partner::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(invalid)?;
    let presented = hash_secret(secret);
    if !bool::from(presented.as_bytes().ct_eq(partner.secret_hash.as_bytes())) {
        return Err(invalid());
    }
    if partner.revoked_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::InvalidClient,
            "this client has been revoked",
        ));
    }
    Ok(partner)
}

/// The scopes a token request may get: all held ones if none are asked for; asking for one
/// not held is `invalid_scope`.
pub fn grant_scopes(partner: &Partner, requested: Option<&str>) -> ApiResult<String> {
    let held: BTreeSet<&str> = partner.scopes.split_whitespace().collect();
    let Some(requested) = requested.filter(|r| !r.trim().is_empty()) else {
        return Ok(held.into_iter().collect::<Vec<_>>().join(" "));
    };
    let asked: BTreeSet<&str> = requested.split_whitespace().collect();
    if let Some(missing) = asked.iter().find(|s| !held.contains(*s)) {
        return Err(ApiError::new(
            ErrorCode::InvalidGrant,
            format!("scope `{missing}` is not granted to this client"),
        )
        .oauth("invalid_scope"));
    }
    Ok(asked.into_iter().collect::<Vec<_>>().join(" "))
}

/// One budget per partner, sized by its configured rate: shared by every node on PostgreSQL
/// (`rate_limits`), a token bucket in this process's memory on SQLite.
#[derive(Default)]
pub struct PartnerLimiter {
    limiters: Mutex<HashMap<String, (i32, Arc<DefaultDirectRateLimiter>)>>,
}

impl PartnerLimiter {
    /// Takes `operations` (one request, or a GraphQL batch's further operations) from the
    /// partner's budget, or answers 429 with `Retry-After`.
    pub async fn charge(
        &self,
        db: &silkbridge_schema::Database,
        partner_id: &str,
        per_minute: i32,
        operations: u32,
    ) -> ApiResult<()> {
        if operations == 0 {
            return Ok(());
        }
        let wait = crate::rate_limits::charge_cluster_or_here(
            db,
            format!("partner:{partner_id}"),
            u32::try_from(per_minute).unwrap_or(0),
            operations,
            || self.check_here(partner_id, per_minute, operations).err(),
        )
        .await?;
        match wait {
            None => Ok(()),
            Some(wait) => Err(crate::rate_limits::refused(
                format!("at most {per_minute} operations a minute"),
                wait,
            )),
        }
    }

    /// The in-memory bucket: `Err(wait)` when refused.
    fn check_here(
        &self,
        partner_id: &str,
        per_minute: i32,
        operations: u32,
    ) -> Result<(), std::time::Duration> {
        let limiter = {
            let mut limiters = self.limiters.lock().unwrap_or_else(|p| p.into_inner());
            let entry = limiters
                .entry(partner_id.to_owned())
                .or_insert_with(|| (per_minute, new_limiter(per_minute)));
            if entry.0 != per_minute {
                *entry = (per_minute, new_limiter(per_minute));
            }
            entry.1.clone()
        };
        let Some(operations) = NonZeroU32::new(operations) else {
            return Ok(());
        };
        match limiter.check_n(operations) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(DefaultClock::default().now())),
            // More operations than the whole bucket holds: never allowed at once.
            Err(_) => Err(std::time::Duration::from_secs(60)),
        }
    }
}

fn new_limiter(per_minute: i32) -> Arc<DefaultDirectRateLimiter> {
    let rate =
        NonZeroU32::new(u32::try_from(per_minute.max(1)).unwrap_or(1)).unwrap_or(NonZeroU32::MIN);
    Arc::new(RateLimiter::direct(Quota::per_minute(rate)))
}
