//! Records sealed at rest: AES-256-GCM with a fresh 96-bit nonce per record and the record's
//! identity as associated data, so a ciphertext altered on disk, or moved to another row,
//! fails authentication. Keys are 32 random bytes, base64, from the configuration or files it
//! names; earlier keys open records until they have been re-sealed with the current one.
//! Biometric templates and organisations' signing keys are sealed this way.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{ApiError, ApiResult, ErrorCode};

/// One key and its id (the first 8 bytes of SHA-256 of the key, hex: names it, reveals
/// nothing).
struct Key {
    id: String,
    cipher: Aes256Gcm,
}

/// The current key and the earlier ones.
pub struct SealingKeys {
    current: Key,
    previous: Vec<Key>,
    /// What the keys protect, for messages (`biometric template`, `signing key`).
    what: &'static str,
    /// The error a record that cannot be opened is reported as.
    unreadable: ErrorCode,
}

/// A record's encrypted form.
pub struct Sealed {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

fn read_key(path: &Path) -> anyhow::Result<Key> {
    let text = Zeroizing::new(
        std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the key {}: {e}", path.display()))?,
    );
    key_from_text(&text, &format!("the key {}", path.display()))
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

/// The id of the key a file holds; `None` if it is missing or not a key.
pub fn fingerprint_of_file(path: &Path) -> Option<String> {
    read_key(path).ok().map(|k| k.id)
}

/// The id of a key given as base64 text; `None` if it is not a key.
pub fn fingerprint_of_text(text: &str) -> Option<String> {
    key_from_text(text, "the key").ok().map(|k| k.id)
}

/// Creates a key file with 32 random bytes, readable by the owner only.
pub fn create_key_file(path: &Path) -> anyhow::Result<()> {
    let mut key = Zeroizing::new([0u8; 32]);
    getrandom::fill(key.as_mut_slice()).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let text = Zeroizing::new(STANDARD.encode(key.as_slice()));
    crate::identity::tokens::write_private_file(path, text.as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot write the key {}: {e}", path.display()))
}

/// Where a set of keys comes from.
pub struct KeySource<'a> {
    /// What the keys protect, for messages.
    pub what: &'static str,
    /// The current key itself (base64), e.g. from the environment; else `key_file` is read.
    pub key: Option<&'a str>,
    /// The current key's file, created (owner-only) when missing.
    pub key_file: &'a Path,
    /// Earlier keys, still accepted for opening.
    pub previous_key_files: &'a [std::path::PathBuf],
    /// The error a record that cannot be opened is reported as.
    pub unreadable: ErrorCode,
}

impl SealingKeys {
    /// Loads the keys, creating the current key's file if it is missing.
    pub fn load(source: KeySource<'_>) -> anyhow::Result<Self> {
        let current = match source.key {
            Some(secret) => key_from_text(secret, source.what)?,
            None => {
                let path = source.key_file;
                if !path.exists() {
                    match create_key_file(path) {
                        Ok(()) => {
                            tracing::info!(path = %path.display(), what = source.what, "created a new key")
                        }
                        // Another process sharing the folder created it a moment before.
                        Err(_) if path.exists() => {}
                        Err(error) => return Err(error),
                    }
                }
                read_key(path)?
            }
        };
        Ok(Self {
            current,
            previous: source
                .previous_key_files
                .iter()
                .map(|p| read_key(p))
                .collect::<anyhow::Result<_>>()?,
            what: source.what,
            unreadable: source.unreadable,
        })
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// The ids of the earlier keys, still accepted for opening.
    pub fn previous_ids(&self) -> Vec<String> {
        self.previous.iter().map(|k| k.id.clone()).collect()
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
            .map_err(|_| ApiError::internal(anyhow::anyhow!("{} encryption failed", self.what)))?;
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
                    self.unreadable,
                    format!("no configured key has id {key_id}"),
                )
            })?;
        if nonce.len() != 12 {
            return Err(ApiError::new(
                self.unreadable,
                format!("a stored {} has a malformed nonce", self.what),
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
                    self.unreadable,
                    format!(
                        "a stored {} failed authentication (altered or moved)",
                        self.what
                    ),
                )
            })
    }
}
