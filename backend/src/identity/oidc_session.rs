//! The two provider calls around a session that are not part of the code exchange: reading
//! profile claims from the UserInfo endpoint (OIDC Core 5.3) after login, and building the
//! RP-initiated logout URL (OIDC RP-Initiated Logout 1.0) when a person signs out.

use reqwest::header;

use super::oidc::{IdTokenClaims, Provider, login_failed};
use crate::error::ApiResult;
use crate::state::AppState;

/// A UserInfo answer larger than this is refused: it is a few hundred bytes from any real
/// provider, and a compromised or broken one must not make silkbridge buffer without end.
const USERINFO_MAX_BYTES: usize = 64 * 1024;

/// Claims of the ID token that UserInfo may never replace.
const PROTECTED: &[&str] = &[
    "iss",
    "sub",
    "aud",
    "exp",
    "iat",
    "nonce",
    "azp",
    "auth_time",
];

impl Provider {
    /// Adds the UserInfo claims to the ID token's: national providers put only `sub` in the ID
    /// token and hand out name, e-mail and person id here. The answer must be about the same
    /// subject (OIDC Core 5.3.2: otherwise it must not be used; here the login fails, since a
    /// provider mixing up people is not one to sign anybody in with). A provider without a
    /// UserInfo endpoint, or one answering with a signed JWT (not requested), leaves the ID
    /// token's claims as they are.
    pub async fn merge_userinfo(
        &self,
        http: &reqwest::Client,
        access_token: &str,
        claims: &mut IdTokenClaims,
    ) -> ApiResult<()> {
        let metadata = self.metadata(http).await?;
        let Some(endpoint) = metadata.userinfo_endpoint.as_deref() else {
            return Ok(());
        };
        let fail = |e: &dyn std::fmt::Display| {
            login_failed(format!("the provider's UserInfo endpoint failed: {e}"))
        };
        let response = http
            .get(endpoint)
            .bearer_auth(access_token)
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| fail(&e))?;
        let json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !json {
            tracing::warn!(
                country = %self.country,
                "UserInfo answered with something other than JSON; using the ID token's claims"
            );
            return Ok(());
        }
        let mut response = response;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| fail(&e))? {
            if body.len() + chunk.len() > USERINFO_MAX_BYTES {
                return Err(fail(&"the answer is too large"));
            }
            body.extend_from_slice(&chunk);
        }
        let info: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&body).map_err(|e| fail(&e))?;
        merge(claims, info)
    }

    /// Where to send a signing-out browser so the provider ends its session too, if it offers
    /// RP-initiated logout. Identified by `client_id` (no ID token is kept after login); the
    /// provider returns the browser to `post_logout_redirect_uri`, which must be registered
    /// with it.
    pub async fn end_session_url(
        &self,
        http: &reqwest::Client,
        post_logout_redirect_uri: &str,
    ) -> ApiResult<Option<String>> {
        let metadata = self.metadata(http).await?;
        let Some(endpoint) = metadata.end_session_endpoint.as_deref() else {
            return Ok(None);
        };
        let Ok(mut url) = url::Url::parse(endpoint) else {
            tracing::warn!(country = %self.country, endpoint, "unusable end_session_endpoint");
            return Ok(None);
        };
        url.query_pairs_mut()
            .append_pair("client_id", &self.config.client_id)
            .append_pair("post_logout_redirect_uri", post_logout_redirect_uri);
        Ok(Some(url.into()))
    }
}

/// Where to send the browser of `user_id` after a local sign-out so that the provider they
/// last signed in through ends its session too (`None`: it offers no RP-initiated logout, or
/// the person never signed in through one). The provider is asked only after the local
/// session has ended, so an unreachable provider never keeps anyone signed in here.
pub async fn provider_logout_url(
    state: &AppState,
    user_id: &str,
    post_logout_redirect_uri: &str,
) -> ApiResult<Option<String>> {
    let user_id = user_id.to_owned();
    let identities = crate::db::run(&state.db, move |conn| {
        Ok(super::store::identities_of_user(conn, &user_id)?)
    })
    .await?;
    let Some(latest) = identities.iter().max_by_key(|i| i.last_login_at) else {
        return Ok(None);
    };
    let Ok(provider) = state.identity.federation.provider(&latest.country) else {
        return Ok(None);
    };
    match provider
        .end_session_url(&state.identity.federation.http, post_logout_redirect_uri)
        .await
    {
        Ok(url) => Ok(url),
        Err(error) => {
            tracing::warn!(country = %latest.country, detail = %error.detail, "no provider logout");
            Ok(None)
        }
    }
}

/// UserInfo's claims over the ID token's, after checking they are about the same subject.
fn merge(
    claims: &mut IdTokenClaims,
    info: serde_json::Map<String, serde_json::Value>,
) -> ApiResult<()> {
    match info.get("sub").and_then(|s| s.as_str()) {
        Some(sub) if sub == claims.sub => {}
        Some(_) => {
            return Err(login_failed(
                "the provider's UserInfo is about another subject than its ID token",
            ));
        }
        None => return Err(login_failed("the provider's UserInfo has no subject")),
    }
    for (name, value) in info {
        if !PROTECTED.contains(&name.as_str()) && !value.is_null() {
            claims.other.insert(name, value);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> IdTokenClaims {
        serde_json::from_value(serde_json::json!({
            "iss": "https://op.example", "sub": "alice", "exp": 2, "iat": 1,
            "nonce": "n", "name": "from the ID token"
        }))
        .unwrap()
    }

    fn info(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn userinfo_of_the_same_subject_adds_and_replaces_profile_claims_only() {
        let mut merged = claims();
        merge(
            &mut merged,
            info(serde_json::json!({
                "sub": "alice", "name": "Alice", "email": "a@example.org",
                "nonce": "forged", "iss": "https://evil.example", "pinfl": "12345678901234"
            })),
        )
        .unwrap();
        assert_eq!(merged.text("name").as_deref(), Some("Alice"));
        assert_eq!(merged.text("email").as_deref(), Some("a@example.org"));
        assert_eq!(merged.text("pinfl").as_deref(), Some("12345678901234"));
        assert_eq!(merged.nonce.as_deref(), Some("n"));
        assert_eq!(merged.iss, "https://op.example");
        assert!(!merged.other.contains_key("iss"));
    }

    #[test]
    fn userinfo_about_another_subject_or_none_fails_the_login() {
        for other in [
            serde_json::json!({"sub": "mallory", "name": "Mallory"}),
            serde_json::json!({"name": "nobody"}),
        ] {
            let mut merged = claims();
            let error = merge(&mut merged, info(other)).unwrap_err();
            assert_eq!(error.code, crate::error::ErrorCode::LoginFailed);
            assert_eq!(merged.text("name").as_deref(), Some("from the ID token"));
        }
    }
}
