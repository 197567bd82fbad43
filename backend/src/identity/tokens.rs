//! silkbridge's own access tokens: short-lived JWTs signed with an Ed25519 key. The key is
//! created on first start (mode 0600) and its public half is published at
//! `/.well-known/jwks.json`, so partners can verify tokens offline.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult, ErrorCode};

/// The audience of every silkbridge access token.
pub const AUDIENCE: &str = "silkbridge";

/// Who a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenSubject {
    User,
    Partner,
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The user id or partner id.
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub typ: TokenSubject,
    /// The session (users only): revoking it ends the token at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Granted scopes, space-separated (partners only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Which secret of the partner the token was issued against (partners only): rotating
    /// the secret ends every token issued before (`partners::credential_tag`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cred: Option<String>,
}

/// The signing key and what verification needs.
pub struct TokenKeys {
    /// The raw key, for the platform's other signatures (audit checkpoints).
    signing: SigningKey,
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    public_key: [u8; 32],
    issuer: String,
    /// A secret derived from the signing key for other signatures of the platform (file
    /// links), so that every node that shares the key shares it too.
    derived: [u8; 32],
}

impl TokenKeys {
    /// The key id (`kid`) of the key a PEM file holds; `None` if it is missing or not a key.
    pub fn fingerprint_of_file(path: &Path) -> Option<String> {
        let pem = std::fs::read_to_string(path).ok()?;
        let signing = SigningKey::from_pkcs8_pem(&pem).ok()?;
        Some(hex::encode(
            &Sha256::digest(signing.verifying_key().to_bytes())[..8],
        ))
    }

    /// An Ed25519 signature of `message` by the platform's key (audit checkpoints).
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer;
        self.signing.sign(message).to_bytes()
    }

    /// Whether `signature` is the platform key's over `message`.
    pub fn verify_bytes(&self, message: &[u8], signature: &[u8]) -> bool {
        use ed25519_dalek::Verifier;
        ed25519_dalek::Signature::from_slice(signature)
            .is_ok_and(|sig| self.signing.verifying_key().verify(message, &sig).is_ok())
    }

    /// The raw Ed25519 public key (a JWK's `x` once base64url-encoded).
    pub fn public_key(&self) -> [u8; 32] {
        self.public_key
    }

    /// The key id of tokens it signs (`kid`), also its fingerprint in the key ledger.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Loads the key from `path`, creating it first if the file does not exist.
    pub fn load_or_create(path: &Path, issuer: &str) -> anyhow::Result<Self> {
        let shown = path.display();
        let signing = if path.exists() {
            let pem = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read the token signing key {shown}: {e}"))?;
            SigningKey::from_pkcs8_pem(&pem).map_err(|e| {
                anyhow::anyhow!("the token signing key {shown} is not an Ed25519 PKCS#8 PEM: {e}")
            })?
        } else {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            let key = SigningKey::from_bytes(&seed);
            let pem = key
                .to_pkcs8_pem(Default::default())
                .map_err(|e| anyhow::anyhow!("cannot encode a new signing key: {e}"))?;
            match write_private_file(path, pem.as_bytes()) {
                Ok(()) => {
                    tracing::info!(path = %shown, "created a new token signing key");
                    key
                }
                // Another process sharing the folder created it a moment before: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Self::load_or_create(path, issuer);
                }
                Err(e) => anyhow::bail!("cannot write the token signing key {shown}: {e}"),
            }
        };
        let pem = signing
            .to_pkcs8_pem(Default::default())
            .map_err(|e| anyhow::anyhow!("cannot encode the signing key: {e}"))?;
        let public_key = signing.verifying_key().to_bytes();
        let derived: [u8; 32] = {
            let mut hasher = Sha256::new();
            hasher.update(b"silkbridge derived secret v1\0");
            hasher.update(signing.to_bytes());
            hasher.finalize().into()
        };
        let encoding = EncodingKey::from_ed_pem(pem.as_bytes())?;
        let decoding = DecodingKey::from_ed_der(&public_key);
        let kid = hex::encode(&Sha256::digest(public_key)[..8]);
        Ok(Self {
            signing,
            encoding,
            decoding,
            kid,
            public_key,
            issuer: issuer.trim_end_matches('/').to_owned(),
            derived,
        })
    }

    /// The secret that signs file links (`http::file_links`).
    pub fn derived_secret(&self) -> [u8; 32] {
        self.derived
    }

    /// Signs `claims` (with this key's id in the header).
    pub fn sign(&self, claims: &AccessClaims) -> ApiResult<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(ApiError::internal)
    }

    /// New claims for a subject, valid for `ttl_secs` from now.
    pub fn claims(&self, typ: TokenSubject, sub: &str, ttl_secs: u64) -> AccessClaims {
        let now = chrono::Utc::now().timestamp();
        AccessClaims {
            iss: self.issuer.clone(),
            sub: sub.to_owned(),
            aud: AUDIENCE.to_owned(),
            exp: now + i64::try_from(ttl_secs).unwrap_or(900),
            iat: now,
            jti: uuid::Uuid::now_v7().to_string(),
            typ,
            sid: None,
            scope: None,
            cred: None,
        }
    }

    /// Checks signature, issuer, audience and expiry; only EdDSA is accepted.
    pub fn verify(&self, token: &str) -> ApiResult<AccessClaims> {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.leeway = 30;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::Unauthenticated,
                    format!("invalid access token: {e}"),
                )
            })
    }

    /// The public key as a JWK Set.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": "EdDSA",
                "use": "sig",
                "kid": self.kid,
                "x": URL_SAFE_NO_PAD.encode(self.public_key),
            }]
        })
    }
}

/// Writes a new file only its owner can read, atomically and durably: the bytes go to a
/// temporary file beside it (mode 0600), are synced, then linked to `path` — which fails if
/// `path` exists, so a key is never overwritten — and the folder is synced, so a crash leaves
/// either no file or the whole one, never a truncated key.
pub(crate) fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(std::io::Error::other)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = parent.join(format!(".{name}.{}.tmp", hex::encode(suffix)));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&staging)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::hard_link(&staging, path)
    })();
    let _ = std::fs::remove_file(&staging);
    written?;
    std::fs::File::open(parent)?.sync_all()
}

/// A random token of 256 bits, URL-safe.
pub fn random_token() -> ApiResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// SHA-256 of a secret, hex: how refresh tokens and partner secrets are stored.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_tampering_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        let keys = TokenKeys::load_or_create(&path, "http://x").unwrap();
        let claims = keys.claims(TokenSubject::User, "u1", 60);
        let token = keys.sign(&claims).unwrap();
        assert_eq!(keys.verify(&token).unwrap(), claims);

        // The same key comes back from the file; a new file would be another key.
        let again = TokenKeys::load_or_create(&path, "http://x").unwrap();
        assert_eq!(again.verify(&token).unwrap().sub, "u1");
        let other = TokenKeys::load_or_create(&dir.path().join("other.pem"), "http://x").unwrap();
        assert!(other.verify(&token).is_err());

        let mut tampered = token.clone();
        tampered.push('A');
        assert!(keys.verify(&tampered).is_err());
        let expired = keys
            .sign(&AccessClaims {
                exp: 1,
                iat: 0,
                ..claims.clone()
            })
            .unwrap();
        assert!(keys.verify(&expired).is_err());
        let foreign = TokenKeys::load_or_create(&path, "http://elsewhere").unwrap();
        assert!(foreign.verify(&token).is_err(), "issuer is checked");

        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_key_file_is_written_whole_owner_only_and_never_over_another() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("a.key");
        write_private_file(&path, b"first").unwrap();
        let refused = write_private_file(&path, b"second").unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("a.key")],
            "no staging file stays"
        );
        let id = TokenKeys::load_or_create(&dir.path().join("t.pem"), "http://x").unwrap();
        assert_eq!(
            TokenKeys::fingerprint_of_file(&dir.path().join("t.pem")).as_deref(),
            Some(id.kid())
        );
    }
}
