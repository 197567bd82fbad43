//! The successor of a used refresh token, sealed (AES-256-GCM) under a key derived from the
//! used token itself: the database, which keeps only hashes of refresh tokens, cannot reveal
//! it, and whoever presents the used token within the grace window gets the same successor
//! (`identity.refresh_grace_secs`).

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};

fn cipher(used: &str) -> Aes256Gcm {
    let key = Sha256::digest(format!("silkbridge refresh successor v1\0{used}"));
    Aes256Gcm::new(&key)
}

pub fn seal(used: &str, successor: &str) -> ApiResult<String> {
    // Each key seals exactly one successor, so a fixed nonce never repeats under a key.
    let sealed = cipher(used)
        .encrypt(&Nonce::default(), successor.as_bytes())
        .map_err(|_| ApiError::internal(anyhow::anyhow!("cannot seal a refresh token")))?;
    Ok(URL_SAFE_NO_PAD.encode(sealed))
}

pub fn open(used: &str, sealed: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
    let plain = cipher(used)
        .decrypt(&Nonce::default(), bytes.as_slice())
        .ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_used_token_opens_its_successor() {
        let sealed = seal("used-token", "successor").unwrap();
        assert_eq!(open("used-token", &sealed).as_deref(), Some("successor"));
        assert_eq!(open("another-token", &sealed), None);
        assert_eq!(open("used-token", "not base64!"), None);
        assert!(!sealed.contains("successor"));
    }
}
