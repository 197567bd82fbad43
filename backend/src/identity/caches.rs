//! Two small caches that keep machine-to-machine calls cheap: a partner checking a device
//! tens of thousands of times a second presents the same token each time, and its record
//! changes rarely.
//!
//! - Verified tokens: an access token whose signature, issuer and audience were checked is
//!   remembered until it expires, so the Ed25519 check (tens of microseconds) runs once per
//!   token, not once per request. A token is immutable, so nothing can go stale but time,
//!   which is checked on every hit.
//! - Recent partners: a partner's record is reused for at most `PARTNER_TTL`. Revocation
//!   through this process forgets it at once; another server instance sees a revocation
//!   within `PARTNER_TTL` (see docs/security.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use silkbridge_schema::models::Partner;

use super::tokens::{AccessClaims, TokenKeys};
use crate::error::ApiResult;

/// How long a partner's record is reused.
pub const PARTNER_TTL: Duration = Duration::from_secs(1);

/// Entries kept before a cache starts over (bounds memory against many distinct tokens).
const CAPACITY: usize = 10_000;

/// See the module docs.
#[derive(Default)]
pub struct VerifiedTokens {
    entries: Mutex<HashMap<String, AccessClaims>>,
}

impl VerifiedTokens {
    /// The token's claims: from the cache while it has not expired, else verified by `keys`.
    pub fn verify(&self, keys: &TokenKeys, token: &str) -> ApiResult<AccessClaims> {
        let now = chrono::Utc::now().timestamp();
        if let Some(claims) = self.lock().get(token).filter(|c| c.exp > now) {
            return Ok(claims.clone());
        }
        let claims = keys.verify(token)?;
        if claims.exp > now {
            let mut entries = self.lock();
            if entries.len() >= CAPACITY {
                entries.retain(|_, c| c.exp > now);
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
            }
            entries.insert(token.to_owned(), claims.clone());
        }
        Ok(claims)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, AccessClaims>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// See the module docs.
#[derive(Default)]
pub struct RecentPartners {
    entries: Mutex<HashMap<String, (Partner, Instant)>>,
}

impl RecentPartners {
    /// The partner's record if it was read less than `PARTNER_TTL` ago.
    pub fn get(&self, id: &str) -> Option<Partner> {
        self.lock()
            .get(id)
            .filter(|(_, at)| at.elapsed() < PARTNER_TTL)
            .map(|(partner, _)| partner.clone())
    }

    pub fn remember(&self, partner: &Partner) {
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(partner.id.clone(), (partner.clone(), Instant::now()));
    }

    /// Forgets a partner at once (after it is revoked or changed).
    pub fn forget(&self, id: &str) {
        self.lock().remove(id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Partner, Instant)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
