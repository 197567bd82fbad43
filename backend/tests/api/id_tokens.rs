//! ID-token validation, on real tokens from a real provider, altered the way attackers would.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use silkbridge::error::ErrorCode;
use silkbridge::identity::config::{ClaimMapping, ProviderConfig, Secret};
use silkbridge::identity::domain::Country;
use silkbridge::identity::oidc::{IdTokenExpectation, Provider};

use crate::oidc_support::{OpenIdProvider, TEST_CLIENT_ID, TEST_CLIENT_SECRET, real_id_token};

fn relying_party(provider: &OpenIdProvider, client_id: &str) -> Provider {
    Provider::new(
        Country::Uz,
        ProviderConfig {
            country: "UZ".into(),
            issuer: provider.issuer.clone(),
            client_id: client_id.into(),
            client_secret: Some(Secret(TEST_CLIENT_SECRET.into())),
            client_secret_file: None,
            scopes: vec!["openid".into()],
            claims: ClaimMapping::default(),
        },
        "http://127.0.0.1:1",
        Duration::from_secs(60),
    )
    .unwrap()
}

fn expect(nonce: &str) -> IdTokenExpectation<'_> {
    IdTokenExpectation {
        nonce,
        now: chrono::Utc::now().timestamp(),
        clock_skew_secs: 60,
    }
}

fn parts(token: &str) -> (serde_json::Value, serde_json::Value, String) {
    let mut split = token.split('.');
    let decode = |p: &str| serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap();
    let header = decode(split.next().unwrap());
    let payload = decode(split.next().unwrap());
    (header, payload, split.next().unwrap().to_owned())
}

fn encode(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

async fn refused(rp: &Provider, http: &reqwest::Client, token: &str, nonce: &str) -> String {
    let error = rp
        .validate_id_token(http, token, &expect(nonce))
        .await
        .expect_err("must be refused");
    assert_eq!(error.code, ErrorCode::LoginFailed, "{error:?}");
    error.detail
}

#[actix_web::test]
async fn genuine_tokens_pass_and_every_kind_of_forgery_is_refused() {
    let provider = OpenIdProvider::start(0, "http://127.0.0.1:9/cb", "pinfl", "uz-real-key");
    let http = reqwest::Client::new();
    let rp = relying_party(&provider, TEST_CLIENT_ID);
    let token = real_id_token(&provider, "farrukh", "nonce-1").await;

    let claims = rp
        .validate_id_token(&http, &token, &expect("nonce-1"))
        .await
        .unwrap();
    assert_eq!(claims.sub, "farrukh");
    assert!(
        claims.text("pinfl").is_none(),
        "not requested by this client"
    );

    // Wrong nonce (a token from another login).
    assert!(
        refused(&rp, &http, &token, "nonce-2")
            .await
            .contains("nonce")
    );

    // Wrong audience: issued to the test client, presented to silkbridge's client.
    let silkbridge_rp = relying_party(&provider, "silkbridge");
    assert!(
        refused(&silkbridge_rp, &http, &token, "nonce-1")
            .await
            .contains("Audience")
    );

    // Expired: the same token an hour after it ran out.
    let (header, payload, signature) = parts(&token);
    let late = IdTokenExpectation {
        nonce: "nonce-1",
        now: payload["exp"].as_i64().unwrap() + 3600,
        clock_skew_secs: 60,
    };
    let error = rp
        .validate_id_token(&http, &token, &late)
        .await
        .unwrap_err();
    assert!(error.detail.contains("expired"), "{}", error.detail);

    // Bad signature: claims changed, signature kept.
    let mut forged_payload = payload.clone();
    forged_payload["sub"] = "someone-else".into();
    let tampered = format!(
        "{}.{}.{signature}",
        encode(&header),
        encode(&forged_payload)
    );
    refused(&rp, &http, &tampered, "nonce-1").await;

    // alg: none.
    let none = format!(
        "{}.{}.",
        encode(&serde_json::json!({"alg": "none", "kid": header["kid"]})),
        encode(&payload)
    );
    refused(&rp, &http, &none, "nonce-1").await;

    // HS256 signed with the provider's public key as the HMAC secret (key confusion).
    let jwks = http
        .get(format!("{}/jwks", provider.issuer))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut hs_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    hs_header.kid = header["kid"].as_str().map(str::to_owned);
    let confused = jsonwebtoken::encode(
        &hs_header,
        &payload,
        &jsonwebtoken::EncodingKey::from_secret(jwks.as_bytes()),
    )
    .unwrap();
    assert!(
        refused(&rp, &http, &confused, "nonce-1")
            .await
            .contains("not accepted")
    );

    // Another provider's token (another issuer, another key).
    let other = OpenIdProvider::start(0, "http://127.0.0.1:9/cb", "fin", "az-real-key");
    let foreign = real_id_token(&other, "farrukh", "nonce-1").await;
    refused(&rp, &http, &foreign, "nonce-1").await;
}

#[actix_web::test]
async fn forged_key_ids_cause_at_most_one_refetch_per_cooldown() {
    let provider = OpenIdProvider::start(0, "http://127.0.0.1:9/cb", "pinfl", "uz-cooldown-key");
    let http = reqwest::Client::new();
    let rp = relying_party(&provider, TEST_CLIENT_ID);
    let token = real_id_token(&provider, "kamola", "n").await;
    rp.validate_id_token(&http, &token, &expect("n"))
        .await
        .unwrap();
    assert!(
        rp.refetch_allowed().await,
        "no refetch yet: the key was known"
    );

    let (mut header, payload, signature) = parts(&token);
    header["kid"] = "forged-kid".into();
    let forged = format!("{}.{}.{signature}", encode(&header), encode(&payload));
    assert!(
        refused(&rp, &http, &forged, "n")
            .await
            .contains("unknown key")
    );
    assert!(
        !rp.refetch_allowed().await,
        "the unknown kid used the one refetch"
    );
    assert!(
        refused(&rp, &http, &forged, "n")
            .await
            .contains("unknown key")
    );
    // Genuine tokens keep working from the cache meanwhile.
    rp.validate_id_token(&http, &token, &expect("n"))
        .await
        .unwrap();
}
