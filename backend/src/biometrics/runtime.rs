//! What biometrics keeps in memory: the template keys and the decrypted 1:N gallery, loaded at
//! start; and the re-encryption of every template under the current key.

use std::sync::Arc;

use silkbridge_schema::models::BiometricTemplate;
use silkbridge_schema::{Database, DbConnection};

use super::crypto::TemplateKeys;
use super::gallery::Gallery;
use super::store;
use super::templates::{Format, Template, TemplateData};
use crate::config::Config;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// Keys and the gallery, built at start.
pub struct BiometricsRuntime {
    pub keys: TemplateKeys,
    pub gallery: Gallery,
    /// How far the gallery has followed the change log (other instances' changes).
    position: std::sync::Mutex<silkbridge_schema::change_log::Position>,
}

/// What loading the gallery found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadStats {
    pub loaded: usize,
    /// Templates that failed authentication (altered, or their key is not configured): never
    /// matched, each logged by id.
    pub unreadable: usize,
}

impl BiometricsRuntime {
    /// Loads the keys and decrypts every stored template into the gallery.
    pub fn open(db: &Database, config: &Config) -> anyhow::Result<Arc<Self>> {
        let runtime = crate::key_ledger::checked(
            db,
            config,
            crate::key_ledger::PlatformKey::BiometricTemplates,
            || Self::new(config),
            |runtime| crate::key_ledger::sealing_ids(&runtime.keys),
        )?;
        let mut conn = db.connection()?;
        let stats = runtime
            .load(&mut conn)
            .map_err(|e| anyhow::anyhow!("loading the biometric gallery: {e}"))?;
        if stats.loaded + stats.unreadable > 0 {
            tracing::info!(
                loaded = stats.loaded,
                unreadable = stats.unreadable,
                "biometric gallery loaded"
            );
        }
        Ok(Arc::new(runtime))
    }

    /// The keys and an empty gallery.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            keys: TemplateKeys::load(config)?,
            gallery: Gallery::new(
                config.biometrics.float_dimension,
                config.biometrics.binary_bits,
            ),
            position: std::sync::Mutex::new(silkbridge_schema::change_log::Position::START),
        })
    }

    /// Decrypts every stored template into the gallery, page by page. The change-log head
    /// is taken first, so a change made meanwhile is applied again by `follow`, not missed.
    pub fn load(&self, conn: &mut DbConnection) -> ApiResult<LoadStats> {
        *self.position.lock().unwrap_or_else(|e| e.into_inner()) =
            silkbridge_schema::change_log::head(conn)?;
        let mut stats = LoadStats {
            loaded: 0,
            unreadable: 0,
        };
        let mut after = String::new();
        loop {
            let page = store::templates_after(conn, &after, 5_000)?;
            let Some(last) = page.last() else {
                return Ok(stats);
            };
            after = last.id.clone();
            for row in &page {
                match self.decrypt(row) {
                    Ok(data) => {
                        self.gallery
                            .insert(&row.id, &row.partner_id, &row.subject_ref, &data);
                        stats.loaded += 1;
                    }
                    Err(error) => {
                        tracing::error!(template = %row.id, %error, "stored template unreadable; not matched");
                        stats.unreadable += 1;
                    }
                }
            }
        }
    }

    /// Applies other instances' enrolments and erasures: each subject named in the change log
    /// since the last call is dropped from the gallery and reloaded from the database (so an
    /// erased subject is gone from every instance's memory). Returns the subjects refreshed.
    pub fn follow(&self, conn: &mut DbConnection) -> ApiResult<usize> {
        let mut refreshed = 0;
        loop {
            let after = *self.position.lock().unwrap_or_else(|e| e.into_inner());
            let entries = silkbridge_schema::change_log::read_after(conn, after, 500)?;
            let Some(last) = entries.last().map(|e| e.position()) else {
                return Ok(refreshed);
            };
            for entry in entries
                .iter()
                .filter(|e| e.entity_kind == super::service::SUBJECT_KIND)
            {
                let Some((partner, subject)) = entry.entity_id.split_once(':') else {
                    continue;
                };
                self.gallery.remove_subject(partner, subject);
                for row in store::subject_templates(conn, partner, subject)? {
                    match self.decrypt(&row) {
                        Ok(data) => self.gallery.insert(&row.id, partner, subject, &data),
                        Err(error) => {
                            tracing::error!(template = %row.id, %error, "stored template unreadable; not matched")
                        }
                    }
                }
                refreshed += 1;
            }
            *self.position.lock().unwrap_or_else(|e| e.into_inner()) = last;
        }
    }

    /// A stored row's values, after authenticating them.
    pub fn decrypt(&self, row: &BiometricTemplate) -> ApiResult<TemplateData> {
        let format = Format::parse(&row.format).ok_or_else(|| {
            ApiError::new(
                ErrorCode::TemplateUnreadable,
                "unknown stored template format",
            )
        })?;
        let plain = open_row(&self.keys, row, &associated(row))?;
        Template::data_from_bytes(format, row.dimension as u32, &plain).ok_or_else(|| {
            ApiError::new(
                ErrorCode::TemplateUnreadable,
                "a stored template has the wrong length",
            )
        })
    }
}

/// A stored row's plaintext bytes, authenticated against `aad` (its `associated` data).
pub(super) fn open_row(
    keys: &TemplateKeys,
    row: &BiometricTemplate,
    aad: &str,
) -> ApiResult<zeroize::Zeroizing<Vec<u8>>> {
    keys.open(&row.key_id, &row.nonce, &row.ciphertext, aad.as_bytes())
}

/// The associated data that binds a ciphertext to its row.
pub fn associated(row: &BiometricTemplate) -> String {
    format!(
        "silkbridge-template|{}|{}|{}|{}|{}",
        row.id, row.partner_id, row.subject_ref, row.format, row.dimension
    )
}

/// Re-encrypts every template with the current key; returns how many moved. Resumable: a
/// record already under the current key is skipped.
pub fn re_encrypt(
    conn: &mut DbConnection,
    keys: &TemplateKeys,
    progress: &mut dyn FnMut(usize),
) -> ApiResult<usize> {
    let mut after = String::new();
    let mut moved = 0;
    loop {
        let page = store::templates_after(conn, &after, 1_000)?;
        let Some(last) = page.last() else {
            return Ok(moved);
        };
        after = last.id.clone();
        silkbridge_schema::write_transaction(conn, |conn| {
            for row in page.iter().filter(|r| r.key_id != keys.current_id()) {
                let aad = associated(row);
                let plain = open_row(keys, row, &aad)?;
                let fresh = keys.seal(aad.as_bytes(), &plain)?;
                store::replace_ciphertext(
                    conn,
                    &row.id,
                    &fresh.key_id,
                    &fresh.nonce,
                    &fresh.ciphertext,
                )?;
                moved += 1;
            }
            Ok::<_, ApiError>(())
        })?;
        progress(moved);
    }
}
