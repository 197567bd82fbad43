//! People log in through their own country's real OpenID Provider.

use reqwest::Method;

use crate::oidc_support::browser;
use crate::support::TestApp;

#[actix_web::test]
async fn a_person_logs_in_through_each_countrys_provider_and_calls_the_api() {
    let app = TestApp::start_federated().await;
    for (country, claim_owner) in [("UZ", "dilnoza"), ("AZ", "rashad")] {
        let person = app.login(country, claim_owner).await;
        assert_eq!(person.me["kind"], "user");
        assert_eq!(
            person.me["display_name"],
            format!("Test person {claim_owner}")
        );
        assert_eq!(person.me["identities"][0]["country"], country);
        assert_eq!(
            person.me["identities"][0]["issuer"],
            app.provider(country).issuer
        );
        assert_eq!(
            person.me["identities"][0]["has_person_id"], true,
            "{}",
            person.me
        );

        // The bearer token they got works for the API, REST and GraphQL.
        let me = app
            .send(app.authed(Method::GET, "/api/v1/me", &person.access_token))
            .await;
        assert_eq!(me.status, 200, "{}", me.body);
        assert_eq!(me.json()["id"], person.user_id);
        let graphql = app
            .send(
                app.authed(Method::POST, "/graphql", &person.access_token)
                    .json(&serde_json::json!({"query": "{ me { id kind } }"})),
            )
            .await;
        assert_eq!(
            graphql.json()["data"]["me"]["id"],
            person.user_id,
            "{}",
            graphql.body
        );
    }
}

#[actix_web::test]
async fn the_same_subject_is_the_same_user_and_subjects_of_two_countries_are_not() {
    let app = TestApp::start_federated().await;
    let first = app.login("UZ", "aziz").await;
    let again = app.login("UZ", "aziz").await;
    assert_eq!(first.user_id, again.user_id, "keyed by (issuer, subject)");
    let namesake = app.login("AZ", "aziz").await;
    assert_ne!(
        first.user_id, namesake.user_id,
        "another issuer is another person"
    );
}

/// Runs a login up to the provider's redirect to silkbridge's callback, not following it.
async fn callback_url(app: &TestApp, client: &reqwest::Client, country: &str) -> reqwest::Url {
    let start = app.url(&format!("/auth/{country}/login?return_to=/api/v1/me"));
    let callback = app
        .provider(country)
        .complete_login(
            client,
            &start,
            "tester",
            &app.url(&format!("/auth/{country}/callback")),
        )
        .await;
    reqwest::Url::parse(&callback).unwrap()
}

fn with_param(url: &reqwest::Url, name: &str, value: Option<&str>) -> String {
    let mut changed = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    {
        let mut query = changed.query_pairs_mut();
        query.clear();
        for (k, v) in &pairs {
            query.append_pair(k, v);
        }
        if let Some(value) = value {
            query.append_pair(name, value);
        }
    }
    changed.to_string()
}

async fn get(client: &reqwest::Client, url: &str) -> (u16, serde_json::Value) {
    let response = client.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
    )
}

#[actix_web::test]
async fn callbacks_with_a_wrong_or_missing_issuer_are_refused() {
    let app = TestApp::start_federated().await;
    let client = browser();
    let url = callback_url(&app, &client, "UZ").await;
    assert_eq!(
        url.query_pairs()
            .find(|(k, _)| k == "iss")
            .map(|(_, v)| v.into_owned()),
        Some(app.provider("UZ").issuer.clone())
    );

    // The other country's provider cannot answer for this one (RFC 9207).
    let (status, body) = get(
        &client,
        &with_param(&url, "iss", Some(&app.provider("AZ").issuer)),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("login_failed")),
        "{body}"
    );
    assert!(
        body["detail"].as_str().unwrap().contains("issuer"),
        "{body}"
    );

    // A state is single-use: the refused callback consumed it.
    let (status, _) = get(&client, url.as_str()).await;
    assert_eq!(status, 401);

    let client = browser();
    let url = callback_url(&app, &client, "UZ").await;
    let (status, body) = get(&client, &with_param(&url, "iss", None)).await;
    assert_eq!(
        status, 401,
        "the provider announces iss, so it is required: {body}"
    );
}

#[actix_web::test]
async fn missing_replayed_and_foreign_states_are_refused() {
    let app = TestApp::start_federated().await;
    let client = browser();
    let url = callback_url(&app, &client, "UZ").await;
    let (status, body) = get(&client, &with_param(&url, "state", None)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("login_failed")),
        "{body}"
    );

    let client = browser();
    let url = callback_url(&app, &client, "UZ").await;
    let first = client.get(url.as_str()).send().await.unwrap();
    assert_eq!(
        first.status().as_u16(),
        303,
        "the genuine callback succeeds"
    );
    let (status, body) = get(&client, url.as_str()).await;
    assert_eq!(status, 401, "a replayed callback is refused: {body}");
    assert!(body["detail"].as_str().unwrap().contains("state"), "{body}");

    // A callback carried to another browser (login CSRF) is refused.
    let client = browser();
    let url = callback_url(&app, &client, "UZ").await;
    let (status, body) = get(&browser(), url.as_str()).await;
    assert_eq!(status, 401, "{body}");

    // And one country's login cannot finish at the other's callback.
    let client = browser();
    let url = callback_url(&app, &client, "UZ").await;
    let elsewhere = url
        .as_str()
        .replace("/auth/UZ/callback", "/auth/AZ/callback");
    let (status, _) = get(&client, &elsewhere).await;
    assert_eq!(status, 401);
}

#[actix_web::test]
async fn open_redirects_and_unknown_countries_are_refused() {
    let app = TestApp::start_federated().await;
    let client = browser();
    for bad in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let encoded: String = url::form_urlencoded::byte_serialize(bad.as_bytes()).collect();
        let (status, body) = get(
            &client,
            &app.url(&format!("/auth/UZ/login?return_to={encoded}")),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("invalid_parameter")),
            "{bad}: {body}"
        );
    }
    let (status, body) = get(&client, &app.url("/auth/KZ/login")).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("not_found")),
        "{body}"
    );
}

#[actix_web::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_session() {
    // No grace window: a second use is a reuse at once (the window is tested in
    // security_access).
    let app = TestApp::start_federated_with(|config| config.identity.refresh_grace_secs = 0).await;
    let person = app.login("UZ", "malika").await;
    let refresh = |token: &str| {
        app.client
            .post(app.url("/auth/refresh"))
            .json(&serde_json::json!({ "refresh_token": token }))
    };
    let rotated = app.send(refresh(&person.refresh_token)).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let next = rotated.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(next, person.refresh_token);

    // The old one again: theft or replay. Refused, and the whole session ends.
    let reused = app.send(refresh(&person.refresh_token)).await;
    reused.problem(401, "unauthenticated");
    let after = app.send(refresh(&next)).await;
    assert_eq!(after.status, 401, "the session's newer token dies too");
    let me = app
        .send(app.authed(Method::GET, "/api/v1/me", &person.access_token))
        .await;
    me.problem(401, "unauthenticated");
}

#[actix_web::test]
async fn logout_ends_the_session_at_once() {
    let app = TestApp::start_federated().await;
    let person = app.login("AZ", "nigar").await;
    let out = app
        .send(app.authed(Method::POST, "/auth/logout", &person.access_token))
        .await;
    assert_eq!(out.status, 204, "{}", out.body);
    let me = app
        .send(app.authed(Method::GET, "/api/v1/me", &person.access_token))
        .await;
    me.problem(401, "unauthenticated");
    let refresh = app
        .send(
            app.client
                .post(app.url("/auth/refresh"))
                .json(&serde_json::json!({ "refresh_token": person.refresh_token })),
        )
        .await;
    assert_eq!(refresh.status, 401);
}

#[actix_web::test]
async fn signing_out_in_the_portal_ends_the_session_at_the_provider_too() {
    let app = TestApp::start_federated().await;
    let person = app.login("UZ", "sevara").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = format!("sb_access={}", person.access_token);
    let page = client
        .get(app.url("/uz/workspace"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no sign-out form: {page}"))
        .to_owned();
    let out = client
        .post(app.url("/uz/sign-out"))
        .header("cookie", &cookie)
        .header("origin", app.url("").trim_end_matches('/'))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status().as_u16(), 303);
    let location = reqwest::Url::parse(out.headers()["location"].to_str().unwrap()).unwrap();
    let issuer = &app.provider("UZ").issuer;
    assert!(location.as_str().starts_with(issuer.as_str()), "{location}");
    let params: std::collections::HashMap<String, String> =
        location.query_pairs().into_owned().collect();
    assert_eq!(params["client_id"], crate::oidc_support::CLIENT_ID);
    assert_eq!(params["post_logout_redirect_uri"], app.url("/"));
    // The provider accepts the request (its confirmation page), and here the session is over.
    let at_provider = client.get(location).send().await.unwrap();
    assert_eq!(at_provider.status().as_u16(), 200);
    app.send(app.authed(Method::GET, "/api/v1/me", &person.access_token))
        .await
        .problem(401, "unauthenticated");
}

#[actix_web::test]
async fn logins_keep_working_after_the_provider_rotates_its_key() {
    let mut app = TestApp::start_federated().await;
    app.login("UZ", "before").await;
    app.provider_mut("UZ").rotate_key("UZ-key-2");
    let after = app.login("UZ", "after").await;
    assert_eq!(
        after.me["kind"], "user",
        "the new key was fetched on the unknown kid"
    );
}

#[actix_web::test]
async fn cookies_are_http_only_and_same_site() {
    let app = TestApp::start_federated().await;
    let client = browser();
    let url = callback_url(&app, &client, "AZ").await;
    let response = client.get(url.as_str()).send().await.unwrap();
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let access = cookies
        .iter()
        .find(|c| c.starts_with("sb_access="))
        .expect("access cookie");
    assert!(
        access.contains("HttpOnly") && access.contains("SameSite=Lax"),
        "{access}"
    );
    let refresh = cookies
        .iter()
        .find(|c| c.starts_with("sb_refresh="))
        .expect("refresh cookie");
    assert!(
        refresh.contains("Path=/auth") && refresh.contains("HttpOnly"),
        "{refresh}"
    );
}
