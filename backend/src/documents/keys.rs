//! Organisations' signing keys: Ed25519, one current key per organisation. By default the
//! platform holds it (custody `platform`): created when the organisation first signs, its
//! private seed sealed at rest with `documents.key` (AES-256-GCM, the key id and organisation
//! as associated data). An organisation may instead register a key of its own (custody
//! `organisation`, see `organisation_keys`): the platform then never sees the private half
//! and cannot sign for it. Public keys are published with their validity periods and stay
//! published after rotation, so earlier signatures keep verifying. Signatures are compact JWS
//! (EdDSA) made and checked with `jsonwebtoken`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use silkbridge_schema::models::SigningKeyRow;
use silkbridge_schema::tables::signing_keys;
use silkbridge_schema::{DbConnection, ids};
use utoipa::ToSchema;
use zeroize::Zeroizing;

use crate::config::Config;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::sealing::{KeySource, SealingKeys};

/// The keys that seal organisations' signing keys and webhook secrets.
pub struct DocumentKeys(SealingKeys);

impl DocumentKeys {
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        let key_file = config.document_key_file();
        Ok(Self(SealingKeys::load(KeySource {
            what: "document signing secret",
            key: config.documents.key.as_ref().map(|s| s.0.as_str()),
            key_file: &key_file,
            previous_key_files: &config.documents.previous_key_files,
            unreadable: ErrorCode::Internal,
        })?))
    }
}

impl std::ops::Deref for DocumentKeys {
    type Target = SealingKeys;

    fn deref(&self) -> &SealingKeys {
        &self.0
    }
}

/// A public key as the platform publishes it.
#[derive(
    Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, async_graphql::SimpleObject,
)]
pub struct PublicKeyView {
    pub kid: String,
    pub organisation_id: String,
    /// Always `EdDSA` (Ed25519).
    pub algorithm: String,
    /// The raw 32-byte public key, base64url (a JWK's `x`).
    pub public_key: String,
    pub valid_from: NaiveDateTime,
    /// Absent while the key is current.
    pub valid_until: Option<NaiveDateTime>,
    /// Who holds the private key: `platform` (sealed by the platform, which signs for the
    /// organisation) or `organisation` (registered by it; the platform never had it).
    #[serde(default = "platform_custody")]
    pub custody: String,
    /// For an organisation-held key: its registration statement, a compact JWS signed with
    /// the key itself over the organisation's id and the key (see `organisation_keys`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

fn platform_custody() -> String {
    PLATFORM_HELD.into()
}

/// `custody` of a key the platform holds and signs with.
pub const PLATFORM_HELD: &str = "platform";
/// `custody` of a key only its organisation holds.
pub const ORGANISATION_HELD: &str = "organisation";

impl PublicKeyView {
    pub(super) fn of(row: &SigningKeyRow) -> Self {
        Self {
            kid: row.kid.clone(),
            organisation_id: row.organisation_id.clone(),
            algorithm: row.algorithm.clone(),
            public_key: row.public_key.clone(),
            valid_from: row.valid_from,
            valid_until: row.valid_until,
            custody: row.custody.clone(),
            statement: row.statement.clone(),
        }
    }

    pub fn organisation_held(&self) -> bool {
        self.custody == ORGANISATION_HELD
    }

    /// Whether the key was valid at `at`.
    pub fn valid_at(&self, at: NaiveDateTime) -> bool {
        self.valid_from <= at && self.valid_until.is_none_or(|until| at <= until)
    }

    /// The key as a JWK.
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
            "kid": self.kid, "x": self.public_key,
        })
    }
}

fn associated(kid: &str, organisation_id: &str) -> Vec<u8> {
    format!("silkbridge-signing-key|{kid}|{organisation_id}").into_bytes()
}

/// A key ready to sign.
pub struct ActiveKey {
    pub kid: String,
    encoding: EncodingKey,
}

fn create(
    conn: &mut DbConnection,
    keys: &DocumentKeys,
    organisation_id: &str,
) -> ApiResult<SigningKeyRow> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut_slice())
        .map_err(|e| ApiError::internal(anyhow::anyhow!("no randomness: {e}")))?;
    let signing = SigningKey::from_bytes(&seed);
    let public = signing.verifying_key().to_bytes();
    let kid = format!(
        "{}-{}",
        &organisation_id[..organisation_id.len().min(8)],
        hex::encode(&Sha256::digest(public)[..8])
    );
    let sealed = keys.seal(&associated(&kid, organisation_id), seed.as_slice())?;
    let row = SigningKeyRow {
        kid,
        organisation_id: organisation_id.to_owned(),
        algorithm: "EdDSA".into(),
        public_key: URL_SAFE_NO_PAD.encode(public),
        sealed_seed: Some(sealed.ciphertext),
        nonce: Some(sealed.nonce),
        sealing_key_id: Some(sealed.key_id),
        valid_from: ids::now(),
        valid_until: None,
        custody: PLATFORM_HELD.into(),
        statement: None,
    };
    diesel::insert_into(signing_keys::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

fn current_row(conn: &mut DbConnection, organisation_id: &str) -> ApiResult<Option<SigningKeyRow>> {
    Ok(signing_keys::table
        .filter(signing_keys::organisation_id.eq(organisation_id))
        .filter(signing_keys::valid_until.is_null())
        .order(signing_keys::valid_from.desc())
        .select(SigningKeyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Who signs an organisation's next step.
pub enum Signer {
    /// The platform, with the organisation's platform-held key.
    Platform(ActiveKey),
    /// The organisation itself, with this key (the platform only checks the signature).
    Organisation(PublicKeyView),
}

/// The organisation's current key: its own if it registered one, else the platform-held
/// key, created on first use.
pub fn signer(
    conn: &mut DbConnection,
    keys: &DocumentKeys,
    organisation_id: &str,
) -> ApiResult<Signer> {
    let row = match current_row(conn, organisation_id)? {
        Some(row) if row.custody == ORGANISATION_HELD => {
            return Ok(Signer::Organisation(PublicKeyView::of(&row)));
        }
        Some(row) => row,
        None => create(conn, keys, organisation_id)?,
    };
    let missing =
        || ApiError::internal(anyhow::anyhow!("platform-held key {} has no seed", row.kid));
    let (Some(sealing_key_id), Some(nonce), Some(sealed_seed)) =
        (&row.sealing_key_id, &row.nonce, &row.sealed_seed)
    else {
        return Err(missing());
    };
    let seed = keys.open(
        sealing_key_id,
        nonce,
        sealed_seed,
        &associated(&row.kid, &row.organisation_id),
    )?;
    let seed: [u8; 32] = seed
        .as_slice()
        .try_into()
        .map_err(|_| ApiError::internal(anyhow::anyhow!("a signing key seed is not 32 bytes")))?;
    let signing = SigningKey::from_bytes(&seed);
    let der = signing
        .to_pkcs8_der()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("cannot encode a signing key: {e}")))?;
    Ok(Signer::Platform(ActiveKey {
        kid: row.kid,
        encoding: EncodingKey::from_ed_der(der.as_bytes()),
    }))
}

/// Retires the organisation's current key, whoever holds it (it stays published, valid
/// until now).
pub(super) fn retire_current(conn: &mut DbConnection, organisation_id: &str) -> ApiResult<()> {
    diesel::update(
        signing_keys::table
            .filter(signing_keys::organisation_id.eq(organisation_id))
            .filter(signing_keys::valid_until.is_null()),
    )
    .set(signing_keys::valid_until.eq(ids::now()))
    .execute(conn)?;
    Ok(())
}

/// Retires the current key (it stays published, valid until now) and makes a new
/// platform-held one (also how an organisation returns its signing to the platform).
pub fn rotate(
    conn: &mut DbConnection,
    keys: &DocumentKeys,
    organisation_id: &str,
) -> ApiResult<PublicKeyView> {
    retire_current(conn, organisation_id)?;
    let row = create(conn, keys, organisation_id)?;
    Ok(PublicKeyView::of(&row))
}

/// The organisation `slug` names, if the caller administers it: its signing keys are its
/// admins' to rotate or register.
pub(super) fn administered(
    conn: &mut DbConnection,
    caller: &crate::identity::caller::Caller,
    slug: &str,
) -> ApiResult<crate::identity::views::OrganisationView> {
    use crate::identity::policy::{Action, authorize};
    let org = crate::identity::rules::organisation_by_slug(conn, slug)?;
    authorize(
        caller,
        Action::ManageMembers {
            organisation_id: &org.id,
        },
    )?;
    Ok(org)
}

/// Rotation as an organisation's admin asks for it (by slug): authorised and audited.
pub fn rotate_for(
    conn: &mut DbConnection,
    keys: &DocumentKeys,
    caller: &crate::identity::caller::Caller,
    slug: &str,
) -> ApiResult<PublicKeyView> {
    let org = administered(conn, caller, slug)?;
    let key = rotate(conn, keys, &org.id)?;
    crate::changes::audit(
        conn,
        &caller.actor(),
        "document.key_rotated",
        &format!("organisation:{}", org.id),
        serde_json::json!({"kid": key.kid}),
    )?;
    Ok(key)
}

/// Every key the organisation has had, newest first.
pub fn published(conn: &mut DbConnection, organisation_id: &str) -> ApiResult<Vec<PublicKeyView>> {
    let rows: Vec<SigningKeyRow> = signing_keys::table
        .filter(signing_keys::organisation_id.eq(organisation_id))
        .order(signing_keys::valid_from.desc())
        .select(SigningKeyRow::as_select())
        .load(conn)?;
    Ok(rows.iter().map(PublicKeyView::of).collect())
}

/// Public keys by id.
pub fn by_ids(conn: &mut DbConnection, kids: &[String]) -> ApiResult<Vec<PublicKeyView>> {
    let rows: Vec<SigningKeyRow> = signing_keys::table
        .filter(signing_keys::kid.eq_any(kids))
        .select(SigningKeyRow::as_select())
        .load(conn)?;
    Ok(rows.iter().map(PublicKeyView::of).collect())
}

/// Signs `payload` as a compact JWS.
pub fn sign(key: &ActiveKey, payload: &serde_json::Value) -> ApiResult<String> {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid.clone());
    header.typ = Some("silkbridge-step+jws".into());
    jsonwebtoken::encode(&header, payload, &key.encoding).map_err(ApiError::internal)
}

/// The key id a JWS names.
pub fn kid_of(jws: &str) -> Result<String, String> {
    jsonwebtoken::decode_header(jws)
        .map_err(|e| format!("not a JWS: {e}"))?
        .kid
        .ok_or_else(|| "the JWS names no key".into())
}

/// Checks a JWS against a public key; returns its payload.
pub fn verify(jws: &str, key: &PublicKeyView) -> Result<serde_json::Value, String> {
    let public = URL_SAFE_NO_PAD
        .decode(&key.public_key)
        .map_err(|_| format!("key {} is not base64url", key.kid))?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<serde_json::Value>(jws, &DecodingKey::from_ed_der(&public), &validation)
        .map(|data| data.claims)
        .map_err(|e| format!("the signature does not verify with key {}: {e}", key.kid))
}

/// SHA-256 of a JWS, hex: how the next step names this one.
pub fn step_hash(jws: &str) -> String {
    hex::encode(Sha256::digest(jws.as_bytes()))
}
