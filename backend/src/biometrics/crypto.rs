//! Templates at rest: AES-256-GCM with a fresh 96-bit nonce per record and the record's
//! identity (id, partner, subject, format, dimension) as associated data, so a ciphertext
//! altered on disk, or moved to another row, fails authentication instead of matching. Keys
//! are 32 random bytes, base64, in files named by the configuration; earlier keys decrypt
//! until `silkbridge biometrics re-encrypt` has moved every record to the current one.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::config::Config;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// One key and its id (the first 8 bytes of SHA-256 of the key, hex: names it, reveals
/// nothing).
struct Key {
    id: String,
    cipher: Aes256Gcm,
}

/// The current key and the earlier ones.
pub struct TemplateKeys {
    current: Key,
    previous: Vec<Key>,
}

/// A record's encrypted form.
pub struct Sealed {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

fn read_key(path: &Path) -> anyhow::Result<Key> {
    let text =
        Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!("cannot read the biometric key {}: {e}", path.display())
        })?);
    key_from_text(&text, &format!("the biometric key {}", path.display()))
}

fn key_from_text(text: &str, shown: &str) -> anyhow::Result<Key> {
    let bytes = Zeroizing::new(
        STANDARD
            .decode(text.trim())
            .map_err(|_| anyhow::anyhow!("{shown} is not base64"))?,
    );
    if bytes.len() != 32 {
        anyhow::bail!("{shown} must hold 32 bytes (AES-256)");
    }
    Ok(Key {
        id: hex::encode(&Sha256::digest(bytes.as_slice())[..8]),
        cipher: Aes256Gcm::new_from_slice(&bytes).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?,
    })
}

/// Creates a key file with 32 random bytes, readable by the owner only.
pub fn create_key_file(path: &Path) -> anyhow::Result<()> {
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::fill(key.as_mut_slice()).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let text = Zeroizing::new(STANDARD.encode(key.as_slice()));
    crate::identity::tokens::write_private_file(path, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot write the biometric key {}: {e}", path.display()))
}

impl TemplateKeys {
    /// Loads the configured keys, creating the current one if its file is missing.
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        let current = match &config.biometrics.key {
            Some(secret) => key_from_text(&secret.0, "biometrics.key")?,
            None => {
                let path = config.biometric_key_file();
                if !path.exists() {
                    create_key_file(&path)?;
                    tracing::info!(path = %path.display(), "created a new biometric template key");
                }
                read_key(&path)?
            }
        };
        Ok(Self {
            current,
            previous: config
                .biometrics
                .previous_key_files
                .iter()
                .map(|p| read_key(p))
                .collect::<anyhow::Result<_>>()?,
        })
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Encrypts with the current key and a fresh nonce.
    pub fn seal(&self, associated: &[u8], plaintext: &[u8]) -> ApiResult<Sealed> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
        let ciphertext = self
            .current
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: associated,
                },
            )
            .map_err(|_| ApiError::internal(anyhow::anyhow!("template encryption failed")))?;
        Ok(Sealed {
            key_id: self.current.id.clone(),
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Decrypts a stored record in place (borrowed: loading a million templates copies no
    /// ciphertext); a record altered in any byte, or bound to other associated data, fails.
    pub fn open(
        &self,
        key_id: &str,
        nonce: &[u8],
        ciphertext: &[u8],
        associated: &[u8],
    ) -> ApiResult<Zeroizing<Vec<u8>>> {
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::TemplateUnreadable,
                    format!("no configured key has id {}", key_id),
                )
            })?;
        if nonce.len() != 12 {
            return Err(ApiError::new(
                ErrorCode::TemplateUnreadable,
                "a stored template has a malformed nonce",
            ));
        }
        key.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: associated,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| {
                ApiError::new(
                    ErrorCode::TemplateUnreadable,
                    "a stored template failed authentication (altered or moved)",
                )
            })
    }
}
