//! The exported key list: every organisation's document-signing keys (current and retired,
//! with who holds each and, for organisation-held keys, their self-signed registration
//! statements) and the platform's own key, as one compact JWS signed by the platform key.
//! A verifier who keeps this file — fetched once over a channel it trusts, or handed over by
//! the other country's node — checks receipts against it alone (`silkbridge verify-receipt
//! --keys FILE`): a key the platform adds later, or a statement it forges, is not in it.
//! The JWS is checked byte for byte (no re-serialisation), so lists stay verifiable across
//! versions.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::SigningKeyRow;
use silkbridge_schema::tables::signing_keys;
use utoipa::ToSchema;

use super::keys::PublicKeyView;
use super::organisation_keys;
use crate::error::ApiResult;
use crate::identity::tokens::TokenKeys;

/// The key list format's name and version.
pub const FORMAT: &str = "silkbridge-keys/1";

/// The platform's Ed25519 key: it signs key lists, countersignatures and audit checkpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformKey {
    /// As in `/.well-known/jwks.json`.
    pub kid: String,
    /// The raw 32-byte public key, base64url (a JWK's `x`).
    pub x: String,
}

impl PlatformKey {
    pub fn of(keys: &TokenKeys) -> Self {
        Self {
            kid: keys.kid().to_owned(),
            x: URL_SAFE_NO_PAD.encode(keys.public_key()),
        }
    }

    /// Whether `signature` (base64url) is this key's Ed25519 signature of `message`.
    pub fn verifies(&self, message: &[u8], signature: &str) -> bool {
        use ed25519_dalek::Verifier;
        let key = URL_SAFE_NO_PAD
            .decode(&self.x)
            .ok()
            .and_then(|raw| <[u8; 32]>::try_from(raw).ok())
            .and_then(|raw| ed25519_dalek::VerifyingKey::from_bytes(&raw).ok());
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .ok()
            .and_then(|raw| ed25519_dalek::Signature::from_slice(&raw).ok());
        match (key, signature) {
            (Some(key), Some(signature)) => key.verify(message, &signature).is_ok(),
            _ => false,
        }
    }
}

/// The exported file.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, async_graphql::SimpleObject,
)]
#[serde(deny_unknown_fields)]
pub struct SignedKeyList {
    /// Always `silkbridge-keys/1`.
    pub format: String,
    /// A compact JWS (EdDSA, by `platform_key`) whose payload is the `KeyList`.
    pub jws: String,
}

/// What the JWS carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyList {
    /// When it was exported (RFC 3339, UTC).
    pub issued_at: String,
    pub platform_key: PlatformKey,
    /// Every organisation's keys, oldest first.
    pub keys: Vec<PublicKeyView>,
}

/// Signs the list as the platform key.
pub fn export(conn: &mut DbConnection, platform: &TokenKeys) -> ApiResult<SignedKeyList> {
    let rows: Vec<SigningKeyRow> = signing_keys::table
        .order((signing_keys::valid_from.asc(), signing_keys::kid.asc()))
        .select(SigningKeyRow::as_select())
        .load(conn)?;
    let list = KeyList {
        issued_at: super::steps::rfc3339(silkbridge_schema::ids::now()),
        platform_key: PlatformKey::of(platform),
        keys: rows.iter().map(PublicKeyView::of).collect(),
    };
    let header =
        serde_json::json!({"alg": "EdDSA", "kid": platform.kid(), "typ": "silkbridge-keys+jws"});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&list).map_err(crate::error::ApiError::internal)?)
    );
    let signature = URL_SAFE_NO_PAD.encode(platform.sign_bytes(signing_input.as_bytes()));
    Ok(SignedKeyList {
        format: FORMAT.into(),
        jws: format!("{signing_input}.{signature}"),
    })
}

/// Opens an exported list: the platform signature (by the key the list names, which must be
/// `pinned` when given), then every organisation-held key's registration statement. The
/// reason is a sentence.
pub fn open(file: &SignedKeyList, pinned: Option<&str>) -> Result<KeyList, String> {
    if file.format != FORMAT {
        return Err(format!("not a {FORMAT} file"));
    }
    let mut parts = file.jws.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("its jws is not a compact JWS".into());
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| "its payload is not base64url")?;
    let list: KeyList = serde_json::from_slice(&bytes)
        .map_err(|e| format!("its payload is not a key list: {e}"))?;
    if pinned.is_some_and(|kid| kid != list.platform_key.kid) {
        return Err(format!(
            "it is signed by platform key {}, not the pinned {}",
            list.platform_key.kid,
            pinned.unwrap_or_default()
        ));
    }
    if !list
        .platform_key
        .verifies(format!("{header}.{payload}").as_bytes(), signature)
    {
        return Err("its signature is not the platform key's: the list was altered".into());
    }
    for key in list.keys.iter().filter(|k| k.organisation_held()) {
        let registered = key
            .statement
            .as_deref()
            .ok_or_else(|| format!("organisation-held key {} has no statement", key.kid))
            .and_then(|s| organisation_keys::check_statement(s, &key.organisation_id))
            .map_err(|e| format!("key {}: its registration statement fails: {e}", key.kid))?;
        if registered.kid != key.kid || registered.x != key.public_key {
            return Err(format!(
                "key {}: its registration statement registers another key",
                key.kid
            ));
        }
    }
    Ok(list)
}
