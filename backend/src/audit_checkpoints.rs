//! Signed checkpoints of the audit chain. The hash chain alone catches an entry altered or
//! removed in the middle, but not the newest entries deleted, nor the whole chain rewritten
//! with fresh hashes: both leave a chain that is consistent with itself. A checkpoint is the
//! platform's Ed25519 signature (its token-signing key, published in `/.well-known/jwks.json`)
//! over the chain's length, its head hash and the time; one is taken every few minutes when
//! the chain has grown, and on demand (`silkbridge audit checkpoint --out FILE`,
//! `GET /api/v1/audit/checkpoints/latest`). `audit verify` checks the chain against the
//! newest checkpoint in the database and against any exported copy it is given: a copy kept by
//! the other country's node or an auditor means a rewrite needs both parties.
//!
//! The signed bytes (any Ed25519 library can check them):
//! `silkbridge audit checkpoint v1\n{length}\n{head}\n{signedAt RFC 3339, UTC, seconds}\n{kid}\n`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use silkbridge_schema::DbConnection;
use silkbridge_schema::tables::{audit_checkpoints, audit_log};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::identity::policy::{Action, authorize};
use crate::identity::tokens::TokenKeys;
use crate::state::AppState;

/// How often the server takes a checkpoint when the chain has grown.
pub const PERIOD: std::time::Duration = std::time::Duration::from_secs(300);

/// A signed statement: the audit chain had `length` entries ending in `head` at `signedAt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Checkpoint {
    /// The number of the newest entry covered (entries are numbered from 1).
    pub length: i64,
    /// That entry's hash.
    pub head: String,
    /// When it was signed (RFC 3339, UTC).
    pub signed_at: String,
    /// The signing key's id, as in `/.well-known/jwks.json`.
    pub kid: String,
    /// The Ed25519 signature of the signed bytes, base64url without padding.
    pub signature: String,
}

/// The bytes a checkpoint's signature covers.
pub fn signed_bytes(length: i64, head: &str, signed_at: &str, kid: &str) -> Vec<u8> {
    format!("silkbridge audit checkpoint v1\n{length}\n{head}\n{signed_at}\n{kid}\n").into_bytes()
}

fn rfc3339(at: chrono::NaiveDateTime) -> String {
    at.and_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

type Row = (i64, String, chrono::NaiveDateTime, String, String);

fn from_row((length, head, signed_at, kid, signature): Row) -> Checkpoint {
    Checkpoint {
        length,
        head,
        signed_at: rfc3339(signed_at),
        kid,
        signature,
    }
}

/// The newest stored checkpoint.
pub fn latest(conn: &mut DbConnection) -> ApiResult<Option<Checkpoint>> {
    Ok(audit_checkpoints::table
        .order(audit_checkpoints::length.desc())
        .select((
            audit_checkpoints::length,
            audit_checkpoints::head,
            audit_checkpoints::signed_at,
            audit_checkpoints::kid,
            audit_checkpoints::signature,
        ))
        .first::<Row>(conn)
        .optional()?
        .map(from_row))
}

/// Signs the chain as it stands, unless the newest checkpoint covers it already; `None` while
/// the chain is empty.
pub fn take(conn: &mut DbConnection, keys: &TokenKeys) -> ApiResult<Option<Checkpoint>> {
    let Some((length, head)) = audit_log::table
        .order(audit_log::seq.desc())
        .select((audit_log::seq, audit_log::hash))
        .first::<(i64, String)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    if let Some(newest) = latest(conn)?.filter(|c| c.length >= length) {
        return Ok(Some(newest));
    }
    // Seconds: the text form is exactly what is signed and stored.
    let now = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0)
        .unwrap_or_default()
        .naive_utc();
    let signed_at = rfc3339(now);
    let kid = keys.kid().to_owned();
    let signature =
        URL_SAFE_NO_PAD.encode(keys.sign_bytes(&signed_bytes(length, &head, &signed_at, &kid)));
    let inserted = diesel::insert_into(audit_checkpoints::table)
        .values((
            audit_checkpoints::length.eq(length),
            audit_checkpoints::head.eq(&head),
            audit_checkpoints::signed_at.eq(now),
            audit_checkpoints::kid.eq(&kid),
            audit_checkpoints::signature.eq(&signature),
        ))
        .execute(conn);
    match inserted {
        // Another node signed the same length a moment before: its checkpoint stands.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => latest(conn),
        Err(error) => Err(error.into()),
        Ok(_) => Ok(Some(Checkpoint {
            length,
            head,
            signed_at,
            kid,
            signature,
        })),
    }
}

/// What a checkpoint says about the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The chain holds the entry it covers, with its hash.
    Holds,
    /// Not the platform key's signature (or another key's): the checkpoint proves nothing.
    BadSignature,
    /// Entries up to `length` are gone: `first_missing` to `length`.
    Truncated { first_missing: i64, length: i64 },
    /// Entry `length` is there with another hash: the chain was rewritten up to it.
    Rewritten { length: i64 },
}

impl Finding {
    pub fn describe(&self) -> String {
        match self {
            Self::Holds => "holds".into(),
            Self::BadSignature => "its signature is not the platform key's".into(),
            Self::Truncated {
                first_missing,
                length,
            } => {
                format!("the chain was truncated: entries {first_missing} to {length} are missing")
            }
            Self::Rewritten { length } => format!(
                "the chain was rewritten: entry {length} is not the one the checkpoint signed"
            ),
        }
    }
}

/// Checks one checkpoint against the chain.
pub fn check(
    conn: &mut DbConnection,
    keys: &TokenKeys,
    checkpoint: &Checkpoint,
) -> ApiResult<Finding> {
    let signature = URL_SAFE_NO_PAD
        .decode(checkpoint.signature.as_bytes())
        .unwrap_or_default();
    let message = signed_bytes(
        checkpoint.length,
        &checkpoint.head,
        &checkpoint.signed_at,
        &checkpoint.kid,
    );
    if checkpoint.kid != keys.kid() || !keys.verify_bytes(&message, &signature) {
        return Ok(Finding::BadSignature);
    }
    let entry = audit_log::table
        .filter(audit_log::seq.eq(checkpoint.length))
        .select(audit_log::hash)
        .first::<String>(conn)
        .optional()?;
    Ok(match entry {
        Some(hash) if hash == checkpoint.head => Finding::Holds,
        Some(_) => Finding::Rewritten {
            length: checkpoint.length,
        },
        None => {
            let newest: Option<i64> = audit_log::table
                .select(diesel::dsl::max(audit_log::seq))
                .first(conn)?;
            match newest {
                Some(newest) if newest > checkpoint.length => Finding::Rewritten {
                    length: checkpoint.length,
                },
                newest => Finding::Truncated {
                    first_missing: newest.unwrap_or(0) + 1,
                    length: checkpoint.length,
                },
            }
        }
    })
}

/// The newest checkpoint, taken now if the chain has grown since: for platform
/// administrators and partner systems with `audit:read`, who keep copies.
pub async fn current(state: &AppState, caller: &Caller) -> ApiResult<Checkpoint> {
    authorize(caller, Action::ReadAuditTrail)?;
    let identity = state.identity.clone();
    state
        .write(move |conn| take(conn, &identity.keys))
        .await?
        .ok_or_else(|| ApiError::not_found("a checkpoint of an empty audit trail"))
}

/// Takes a checkpoint every `PERIOD` while the server runs (only when the chain has grown).
pub fn spawn(
    state: AppState,
    stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(crate::periodic::run_until_stopped(
        PERIOD,
        stop,
        move || {
            let state = state.clone();
            async move {
                let identity = state.identity.clone();
                if let Err(error) = state.write(move |conn| take(conn, &identity.keys)).await {
                    error.log(None);
                }
            }
        },
    ))
}

/// `GET /api/v1/audit/checkpoints/latest`.
pub mod rest {
    use actix_web::{get, web};

    use super::Checkpoint;
    use crate::error::{ApiResult, Problem};
    use crate::identity::caller::Caller;
    use crate::state::AppState;

    pub fn routes(config: &mut impl crate::http::routes::Routes) {
        config.service(latest_checkpoint);
    }

    /// The audit trail's newest signed checkpoint (taken now if the chain has grown): keep
    /// copies outside the platform; `silkbridge audit verify --checkpoint FILE` checks the
    /// chain against them. Platform administrators, and partner systems with `audit:read`.
    #[utoipa::path(
        tag = "audit",
        security(("bearer" = ["audit:read"])),
        responses(
            (status = 200, body = Checkpoint),
            (status = 401, body = Problem, content_type = "application/problem+json"),
            (status = 403, body = Problem, content_type = "application/problem+json")
        )
    )]
    #[get("/audit/checkpoints/latest")]
    pub async fn latest_checkpoint(
        state: web::Data<AppState>,
        caller: Caller,
    ) -> ApiResult<web::Json<Checkpoint>> {
        Ok(web::Json(super::current(&state, &caller).await?))
    }
}
