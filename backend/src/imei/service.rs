//! IMEI reads: status checks from the cache (partner, bulk, public) and records with their
//! history, each authorised through the one policy and audited. Changes are in
//! `lifecycle`. REST and GraphQL call these functions and nothing below them.

use std::sync::Arc;

use silkbridge_schema::models::ImeiEvent;
use silkbridge_schema::{Database, DbConnection};

use super::cache::{Lookup, StatusCache};
use super::cases::sightings::{Seen, SightingQueue};
use super::domain::{Imei, ImeiError, ListStatus, Reason};
use super::reads::{Channel, ReadLog};
use super::store;
use super::views::*;
use crate::config::Config;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::identity::caller::Caller;
use crate::identity::domain::OrganisationKind;
use crate::identity::policy::{Action, authorize, unauthenticated};
use crate::identity::rules::organisations_by_ids;
use crate::sealing::{KeySource, SealingKeys};
use crate::state::AppState;

/// Scopes of the partner API.
pub const SCOPE_READ: &str = "imei:read";
pub const SCOPE_REPORT: &str = "imei:report";
pub const SCOPE_OBSERVE: &str = "imei:observe";
pub const SCOPE_REGISTER: &str = "imei:register";

/// What the IMEI module keeps at run time.
pub struct ImeiRuntime {
    pub cache: StatusCache,
    pub reads: ReadLog,
    /// Citizen checks per client address.
    pub public_limiter: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
    /// Seals owners' contact details on cases.
    pub contacts: SealingKeys,
    /// Lost and stolen devices seen by operators, on their way into the cases.
    pub sightings: SightingQueue,
}

pub use crate::http::client::ClientAddress;

impl ImeiRuntime {
    /// Loads the status cache from the database and starts the read-audit writer.
    pub fn open(db: &Database, settings: &Config) -> anyhow::Result<Arc<Self>> {
        let config = &settings.imei;
        let contacts = crate::key_ledger::checked(
            db,
            settings,
            crate::key_ledger::PlatformKey::ImeiContacts,
            || {
                SealingKeys::load(KeySource {
                    what: "IMEI case contact",
                    key: config.contact_key.as_ref().map(|s| s.0.as_str()),
                    key_file: &settings.imei_contact_key_file(),
                    previous_key_files: &config.previous_contact_key_files,
                    unreadable: ErrorCode::Internal,
                })
            },
            crate::key_ledger::sealing_ids,
        )?;
        let cache = StatusCache::new(config.unknown_tac_status);
        let mut conn = db.connection()?;
        cache
            .load(&mut conn)
            .map_err(|e| anyhow::anyhow!("loading the IMEI status cache: {e}"))?;
        let per_minute = std::num::NonZeroU32::new(config.public_checks_per_minute.max(1))
            .unwrap_or(std::num::NonZeroU32::MIN);
        Ok(Arc::new(Self {
            cache,
            reads: ReadLog::start(db.clone(), config.read_audit_queue)?,
            public_limiter: governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute)),
            contacts,
            sightings: SightingQueue::start(db.clone(), config.case_sighting_quiet_hours)?,
        }))
    }
}

/// Parses an IMEI from user input: a 400 `invalid_imei` naming the problem otherwise.
pub fn parse_imei(text: &str) -> ApiResult<Imei> {
    Imei::parse(text)
        .map(|parsed| parsed.imei)
        .map_err(|error| invalid_imei("imei", error))
}

pub fn invalid_imei(field: &str, error: ImeiError) -> ApiError {
    ApiError::new(ErrorCode::InvalidImei, error.to_string()).with_errors(vec![FieldError::new(
        field,
        error.code(),
        error.to_string(),
    )])
}

fn status_view(imei: Imei, lookup: Lookup) -> DeviceStatus {
    DeviceStatus {
        imei: imei.to_string(),
        status: lookup.standing.status.into(),
        reason: lookup.standing.reason.map(|r| r.as_str().to_owned()),
        listed_by_country: lookup.country,
        known_tac: lookup.known_tac,
    }
}

/// A partner's status check (scope `imei:read`), answered from the cache and audited.
pub fn check(state: &AppState, caller: &Caller, imei: Imei) -> ApiResult<DeviceStatus> {
    authorize(caller, Action::UseScope(SCOPE_READ))?;
    let lookup = state.imei.cache.lookup(imei);
    state.imei.reads.record_now(
        &caller.actor(),
        imei,
        Channel::Check,
        lookup.standing.status,
    )?;
    offer_sighting(
        &state.imei.sightings,
        seen_by(caller),
        imei,
        &lookup,
        silkbridge_schema::ids::now(),
    );
    Ok(status_view(imei, lookup))
}

/// The organisation whose operator's client is checking, if the caller is one.
pub fn seen_by(caller: &Caller) -> Option<&str> {
    match caller {
        Caller::Partner(partner) => partner.organisation_id.as_deref(),
        _ => None,
    }
}

/// Hands a lost or stolen device an organisation's client just checked to the cases, where
/// a sighting by an operator of the other country tells the reporting agency. Never waits.
pub fn offer_sighting(
    sightings: &SightingQueue,
    seen_by: Option<&str>,
    imei: Imei,
    lookup: &Lookup,
    at: chrono::NaiveDateTime,
) {
    if let Some(operator) = seen_by
        && lookup.standing.status == ListStatus::Black
        && matches!(lookup.standing.reason, Some(Reason::Lost | Reason::Stolen))
    {
        sightings.offer(Seen {
            imei,
            operator_id: operator.to_owned(),
            at,
        });
    }
}

/// One IMEI of a bulk check; the caller was authorised once for the whole request.
pub async fn check_one_of_many(
    runtime: &ImeiRuntime,
    actor: &str,
    seen_by: Option<&str>,
    imei: Imei,
) -> ApiResult<DeviceStatus> {
    let lookup = runtime.cache.lookup(imei);
    runtime
        .reads
        .record_bulk(actor, imei, lookup.standing.status)
        .await?;
    offer_sighting(
        &runtime.sightings,
        seen_by,
        imei,
        &lookup,
        silkbridge_schema::ids::now(),
    );
    Ok(status_view(imei, lookup))
}

/// A citizen's check: anyone may ask, up to `imei.public_checks_per_minute` per client
/// address (429 with `Retry-After` past it); only the status is told.
pub async fn public_check(
    state: &AppState,
    caller: &Caller,
    client: ClientAddress,
    imei: Imei,
) -> ApiResult<PublicStatus> {
    let key = client.limit_key();
    let per_minute = state.config.imei.public_checks_per_minute;
    // One budget per address (IPv6: per /64) for the whole cluster on PostgreSQL; this
    // node's on SQLite.
    let wait = crate::rate_limits::charge_cluster_or_here(
        &state.db,
        format!("imei-public:{key}"),
        per_minute,
        1,
        || {
            state
                .imei
                .public_limiter
                .check_key(&key)
                .err()
                .map(|not_until| {
                    use governor::clock::{Clock, DefaultClock};
                    not_until.wait_time_from(DefaultClock::default().now())
                })
        },
    )
    .await?;
    if let Some(wait) = wait {
        return Err(crate::rate_limits::refused(
            format!("at most {per_minute} checks a minute from one address"),
            wait,
        ));
    }
    let lookup = state.imei.cache.lookup(imei);
    state.imei.reads.record_now(
        &caller.actor(),
        imei,
        Channel::Public,
        lookup.standing.status,
    )?;
    Ok(PublicStatus {
        imei: imei.to_string(),
        status: lookup.standing.status.into(),
    })
}

/// Whether the caller may see full records: administrators, members of agencies, and
/// agencies' partner systems (scope `imei:report`).
fn authorize_record_read(conn: &mut DbConnection, caller: &Caller) -> ApiResult<()> {
    match caller {
        Caller::Partner(_) => authorize(caller, Action::UseScope(SCOPE_REPORT)),
        Caller::User(user) if user.platform_admin => Ok(()),
        Caller::User(user) => {
            let orgs =
                organisations_by_ids(conn, user.memberships.iter().map(|(o, _)| o.as_str()))?;
            if orgs.values().any(|o| o.kind == OrganisationKind::Agency) {
                Ok(())
            } else {
                Err(ApiError::new(
                    ErrorCode::Forbidden,
                    "device records are for agencies and administrators",
                ))
            }
        }
        Caller::Anonymous => Err(unauthenticated()),
    }
}

/// A device's full record with its history.
pub async fn record(state: &AppState, caller: &Caller, imei: Imei) -> ApiResult<DeviceRecord> {
    let who = caller.clone();
    let (row, events, tac) = crate::db::run(&state.db, move |conn| {
        authorize_record_read(conn, &who)?;
        Ok((
            store::device(conn, imei)?,
            store::history(conn, imei)?,
            store::tac(conn, imei.tac())?,
        ))
    })
    .await?;
    let lookup = state.imei.cache.lookup(imei);
    state.imei.reads.record_now(
        &caller.actor(),
        imei,
        Channel::Record,
        lookup.standing.status,
    )?;
    Ok(DeviceRecord {
        imei: imei.to_string(),
        status: lookup.standing.status.into(),
        reason: lookup.standing.reason.map(|r| r.as_str().to_owned()),
        listed_by_country: lookup.country,
        listed_by_organisation_id: row.as_ref().and_then(|r| r.organisation_id.clone()),
        case_reference: row.as_ref().and_then(|r| r.case_reference.clone()),
        grace_until: row.as_ref().and_then(|r| r.grace_until),
        registered_by_organisation_id: row.as_ref().and_then(|r| r.registered_by.clone()),
        registered_at: row.as_ref().and_then(|r| r.registered_at),
        tac: tac.map(|t| TacInfo {
            tac: format!("{:08}", t.tac),
            brand: t.brand,
            model: t.model,
            device_type: t.device_type,
        }),
        history: events.into_iter().map(event_view).collect(),
    })
}

fn event_view(event: ImeiEvent) -> DeviceEvent {
    DeviceEvent {
        at: event.at,
        action: event.action,
        status: event.status,
        reason: event.reason,
        country: event.country,
        organisation_id: event.organisation_id,
        actor: event.actor,
        case_reference: event.case_reference,
        note: event.note,
    }
}
