//! Keys an organisation holds itself. Its administrators register the public half with a
//! *registration statement*: a compact JWS signed with the new key over
//! `{"purpose": "silkbridge-document-signing-key", "organisation": ID, "key": JWK, "issuedAt":
//! RFC 3339}`, which proves the registrant holds the private half and binds the key to the
//! organisation. The key's id is its RFC 7638 JWK thumbprint, so anyone can compute it and a
//! key is never registered twice. From then on the platform cannot sign that organisation's
//! steps: they arrive signed (see `step_signing`), and the statement travels with the key in
//! every exported key list so a verifier can check it without trusting the platform's word.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration};
use diesel::prelude::*;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use silkbridge_schema::models::SigningKeyRow;
use silkbridge_schema::tables::signing_keys;
use silkbridge_schema::{DbConnection, ids};

use super::keys::{self, ORGANISATION_HELD, PublicKeyView};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::identity::caller::Caller;

/// What a registration statement's `purpose` must say.
pub const STATEMENT_PURPOSE: &str = "silkbridge-document-signing-key";
/// The longest statement accepted (a real one is about 400 characters).
const MAX_STATEMENT: usize = 4096;

/// An Ed25519 public key as a JWK (RFC 8037).
#[derive(Debug, Deserialize)]
struct OkpKey {
    kty: String,
    crv: String,
    x: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Statement {
    purpose: String,
    organisation: String,
    key: OkpKey,
    issued_at: String,
}

/// The RFC 7638 thumbprint of an Ed25519 key given by its `x`: base64url of the SHA-256 of
/// `{"crv":"Ed25519","kty":"OKP","x":"…"}`.
pub fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// A statement that checked out: the key it registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredKey {
    pub kid: String,
    pub x: String,
}

/// Checks a registration statement for `organisation_id`: shape, purpose, organisation, a
/// valid Ed25519 key, a signature by that key, and (if the header names one) the key id.
/// The reason is a sentence for the person who made it.
pub fn check_statement(statement: &str, organisation_id: &str) -> Result<RegisteredKey, String> {
    if statement.len() > MAX_STATEMENT {
        return Err(format!("at most {MAX_STATEMENT} characters"));
    }
    let body = statement
        .split('.')
        .nth(1)
        .ok_or("not a compact JWS (header.payload.signature)")?;
    let bytes = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| "its payload is not base64url")?;
    let claims: Statement = serde_json::from_slice(&bytes)
        .map_err(|e| format!("its payload is not a registration statement: {e}"))?;
    if claims.purpose != STATEMENT_PURPOSE {
        return Err(format!("its purpose must be `{STATEMENT_PURPOSE}`"));
    }
    if claims.organisation != organisation_id {
        return Err(format!(
            "it registers the key for organisation `{}`, not this one (`{organisation_id}`)",
            claims.organisation
        ));
    }
    if claims.key.kty != "OKP" || claims.key.crv != "Ed25519" {
        return Err("the key must be an Ed25519 JWK (kty OKP, crv Ed25519)".into());
    }
    let raw: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&claims.key.x)
        .ok()
        .and_then(|raw| raw.try_into().ok())
        .ok_or("the key's x is not 32 bytes of base64url")?;
    ed25519_dalek::VerifyingKey::from_bytes(&raw).map_err(|_| "x is not an Ed25519 point")?;
    let issued = DateTime::parse_from_rfc3339(&claims.issued_at)
        .map_err(|_| "issuedAt must be an RFC 3339 time")?;
    if issued.to_utc() > chrono::Utc::now() + Duration::minutes(5) {
        return Err("issuedAt is in the future".into());
    }
    let kid = thumbprint(&claims.key.x);
    let header = jsonwebtoken::decode_header(statement).map_err(|e| format!("not a JWS: {e}"))?;
    if header.kid.as_ref().is_some_and(|named| named != &kid) {
        return Err(format!(
            "its header names key `{}`, but the key's thumbprint is `{kid}`",
            header.kid.unwrap_or_default()
        ));
    }
    let key = PublicKeyView {
        kid: kid.clone(),
        organisation_id: organisation_id.to_owned(),
        algorithm: "EdDSA".into(),
        public_key: claims.key.x.clone(),
        valid_from: ids::now(),
        valid_until: None,
        custody: ORGANISATION_HELD.into(),
        statement: None,
    };
    keys::verify(statement, &key).map_err(|_| "it is not signed by the key it registers")?;
    Ok(RegisteredKey {
        kid,
        x: claims.key.x,
    })
}

/// Registers an organisation-held key as the organisation's current one (its admins): the
/// previous key is retired and stays published. Audited.
pub fn register_for(
    conn: &mut DbConnection,
    caller: &Caller,
    slug: &str,
    statement: &str,
) -> ApiResult<PublicKeyView> {
    let org = keys::administered(conn, caller, slug)?;
    let statement = statement.trim();
    let key = check_statement(statement, &org.id).map_err(|reason| {
        ApiError::validation(vec![FieldError::new("statement", "invalid", reason)])
    })?;
    let taken = signing_keys::table
        .find(&key.kid)
        .select(signing_keys::kid)
        .first::<String>(conn)
        .optional()?;
    if taken.is_some() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "key {} was registered before; a key is never used twice",
                key.kid
            ),
        ));
    }
    keys::retire_current(conn, &org.id)?;
    let row = SigningKeyRow {
        kid: key.kid.clone(),
        organisation_id: org.id.clone(),
        algorithm: "EdDSA".into(),
        public_key: key.x,
        sealed_seed: None,
        nonce: None,
        sealing_key_id: None,
        // A moment after the retired key's end, so one instant never has two current keys.
        valid_from: ids::now() + Duration::microseconds(1),
        valid_until: None,
        custody: ORGANISATION_HELD.into(),
        statement: Some(statement.to_owned()),
    };
    diesel::insert_into(signing_keys::table)
        .values(&row)
        .execute(conn)?;
    crate::changes::audit(
        conn,
        &caller.actor(),
        "document.key_registered",
        &format!("organisation:{}", org.id),
        serde_json::json!({"kid": row.kid, "custody": ORGANISATION_HELD}),
    )?;
    Ok(PublicKeyView::of(&row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thumbprint_is_rfc_7638s_example_for_ed25519() {
        // RFC 8037, appendix A.3.
        assert_eq!(
            thumbprint("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }

    #[test]
    fn malformed_statements_are_refused_with_a_reason() {
        for bad in ["", "a.b", "a.!!!.c", &format!("x.{}.y", "A".repeat(5000))] {
            assert!(check_statement(bad, "org").is_err(), "{bad:.20}");
        }
    }
}
