//! Templates at rest: sealed (`crate::sealing`) with the record's identity (id, partner,
//! subject, format, dimension) as associated data, so a ciphertext altered on disk, or moved
//! to another row, fails authentication instead of matching. Earlier keys decrypt until
//! `silkbridge biometrics re-encrypt` has moved every record to the current one.

use crate::config::Config;
use crate::error::ErrorCode;
use crate::sealing::{KeySource, SealingKeys};
pub use crate::sealing::{Sealed, create_key_file};

/// The biometric template keys.
pub struct TemplateKeys(SealingKeys);

impl TemplateKeys {
    /// Loads the configured keys, creating the current one if its file is missing.
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        let key_file = config.biometric_key_file();
        Ok(Self(SealingKeys::load(KeySource {
            what: "biometric template",
            key: config.biometrics.key.as_ref().map(|s| s.0.as_str()),
            key_file: &key_file,
            previous_key_files: &config.biometrics.previous_key_files,
            unreadable: ErrorCode::TemplateUnreadable,
        })?))
    }
}

impl std::ops::Deref for TemplateKeys {
    type Target = SealingKeys;

    fn deref(&self) -> &SealingKeys {
        &self.0
    }
}
