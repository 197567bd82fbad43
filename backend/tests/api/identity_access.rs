//! Who may do what: organisations, members, partners, and the audit trail of it all.

use reqwest::Method;
use serde_json::json;

use silkbridge::identity::domain::Role;

use crate::support::TestApp;

#[actix_web::test]
async fn anonymous_callers_get_401_with_a_bearer_challenge() {
    let app = TestApp::start().await;
    let reply = app.get("/api/v1/me").await;
    reply.problem(401, "unauthenticated");
    assert_eq!(reply.headers["www-authenticate"], "Bearer");
    let garbage = app
        .send(app.authed(Method::GET, "/api/v1/me", "not-a-token"))
        .await;
    garbage.problem(401, "unauthenticated");
    let graphql = app.graphql("{ me { id } }", json!({})).await.json();
    assert_eq!(
        graphql["errors"][0]["extensions"]["code"],
        "unauthenticated"
    );
}

#[actix_web::test]
async fn only_platform_administrators_create_organisations() {
    let app = TestApp::start_federated().await;
    let person = app.login("UZ", "ordinary").await;
    let body =
        json!({"slug": "new-agency", "name": "New agency", "kind": "agency", "country": "UZ"});
    let refused = app
        .send(
            app.authed(Method::POST, "/api/v1/organisations", &person.access_token)
                .json(&body),
        )
        .await;
    refused.problem(403, "forbidden");

    // Nor appoint moderators (themself included), over REST or GraphQL.
    let appoint = json!({"moderator": true});
    app.send(
        app.authed(
            Method::PUT,
            &format!("/api/v1/users/{}/moderator", person.user_id),
            &person.access_token,
        )
        .json(&appoint),
    )
    .await
    .problem(403, "forbidden");
    let graphql = app
        .send(
            app.authed(Method::POST, "/graphql", &person.access_token)
                .json(&json!({
                    "query": "mutation($u: String!) { setModerator(userId: $u, moderator: true) }",
                    "variables": { "u": person.user_id }
                })),
        )
        .await
        .json();
    assert_eq!(
        graphql["errors"][0]["extensions"]["code"], "forbidden",
        "{graphql}"
    );

    app.make_platform_admin(&person.user_id).await;
    let created = app
        .send(
            app.authed(Method::POST, "/api/v1/organisations", &person.access_token)
                .json(&body),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    // An administrator appoints; an unknown user is a 404, a malformed body a 400.
    let unknown = app
        .send(
            app.authed(
                Method::PUT,
                "/api/v1/users/nobody/moderator",
                &person.access_token,
            )
            .json(&appoint),
        )
        .await;
    unknown.problem(404, "not_found");
    app.send(
        app.authed(
            Method::PUT,
            &format!("/api/v1/users/{}/moderator", person.user_id),
            &person.access_token,
        )
        .json(&json!({"moderator": "yes"})),
    )
    .await
    .problem(400, "malformed_json");
    assert_eq!(created.json()["slug"], "new-agency");
    let invalid = app
        .send(
            app.authed(Method::POST, "/api/v1/organisations", &person.access_token)
                .json(&json!({"slug": "x y", "name": "", "kind": "ngo", "country": "UZ"})),
        )
        .await;
    let problem = invalid.problem(422, "validation_failed");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 3, "{problem}");
    let malformed = app
        .send(
            app.authed(Method::POST, "/api/v1/organisations", &person.access_token)
                .header("content-type", "application/json")
                .body("{"),
        )
        .await;
    malformed.problem(400, "malformed_json");

    let graphql = app
        .send(app.authed(Method::POST, "/graphql", &app.login("AZ", "other").await.access_token).json(&json!({
            "query": r#"mutation { createOrganisation(input: {slug: "gql-org", name: "G", kind: AGENCY, country: AZ}) { slug } }"#
        })))
        .await
        .json();
    assert_eq!(
        graphql["errors"][0]["extensions"]["code"], "forbidden",
        "{graphql}"
    );
}

#[actix_web::test]
async fn a_member_of_one_organisation_cannot_act_on_anothers() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let admin = app.platform_admin().await;
    let uz_admin = app.person("UZ", "stat-admin", &[]).await;
    let az_member = app
        .person("AZ", "azstat-member", &[("azstat", Role::Member)])
        .await;
    let put = |token: &str, slug: &str, user: &str, role: &str| {
        app.authed(
            Method::PUT,
            &format!("/api/v1/organisations/{slug}/members/{user}"),
            token,
        )
        .json(&json!({ "role": role }))
    };
    // The platform admin appoints stat-uz's first admin.
    assert_eq!(
        app.send(put(
            &admin.access_token,
            "stat-uz",
            &uz_admin.user_id,
            "admin"
        ))
        .await
        .status,
        204
    );

    // stat-uz's admin manages stat-uz…
    let own = app
        .send(app.authed(
            Method::GET,
            "/api/v1/organisations/stat-uz/members",
            &uz_admin.access_token,
        ))
        .await;
    assert_eq!(own.status, 200, "{}", own.body);
    let members = own.json();
    let listed = members.as_array().unwrap();
    assert!(
        listed
            .iter()
            .any(|m| m["user_id"] == uz_admin.user_id.as_str() && m["role"] == "admin"),
        "{members}"
    );
    assert!(
        listed
            .iter()
            .any(|m| m["display_name"] == "Dilnoza Karimova"),
        "the demo editor too: {members}"
    );
    // …but not azstat: neither its members list nor its memberships.
    app.send(app.authed(
        Method::GET,
        "/api/v1/organisations/azstat/members",
        &uz_admin.access_token,
    ))
    .await
    .problem(403, "forbidden");
    app.send(put(
        &uz_admin.access_token,
        "azstat",
        &uz_admin.user_id,
        "admin",
    ))
    .await
    .problem(403, "forbidden");
    app.send(app.authed(
        Method::DELETE,
        &format!("/api/v1/organisations/azstat/members/{}", az_member.user_id),
        &uz_admin.access_token,
    ))
    .await
    .problem(403, "forbidden");
    // A plain member cannot promote themself.
    app.send(put(
        &az_member.access_token,
        "azstat",
        &az_member.user_id,
        "admin",
    ))
    .await
    .problem(403, "forbidden");
    // GraphQL gives the same answer.
    let graphql = app
        .send(app.authed(Method::POST, "/graphql", &uz_admin.access_token).json(&json!({
            "query": "mutation($u: String!) { setMembership(slug: \"azstat\", userId: $u, role: ADMIN) }",
            "variables": { "u": uz_admin.user_id }
        })))
        .await
        .json();
    assert_eq!(
        graphql["errors"][0]["extensions"]["code"], "forbidden",
        "{graphql}"
    );

    let me = app
        .send(app.authed(Method::GET, "/api/v1/me", &uz_admin.access_token))
        .await
        .json();
    assert_eq!(me["memberships"][0]["organisation"]["slug"], "stat-uz");
    assert_eq!(me["memberships"][0]["role"], "admin");
}

pub async fn token_request(
    app: &TestApp,
    client_id: &str,
    secret: &str,
    scope: Option<&str>,
) -> crate::support::Reply {
    let mut form = vec![("grant_type", "client_credentials")];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    app.send(
        app.client
            .post(app.url("/oauth/token"))
            .basic_auth(client_id, Some(secret))
            .form(&form),
    )
    .await
}

#[actix_web::test]
async fn partners_get_scoped_tokens_until_rotated_or_revoked() {
    let app = TestApp::start_federated().await;
    app.seed_demo().await;
    let admin = app.login("AZ", "platform-admin").await;
    app.make_platform_admin(&admin.user_id).await;
    let created = app
        .send(app.authed(Method::POST, "/api/v1/partners", &admin.access_token).json(&json!({
            "name": "Azercell EIR", "organisation": "idda", "scopes": ["imei:read", "imei:observe"], "rate_limit_per_minute": 100
        })))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let id = created["partner"]["id"].as_str().unwrap().to_owned();
    let client_id = created["partner"]["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    let listed = app
        .send(app.authed(Method::GET, "/api/v1/partners", &admin.access_token))
        .await;
    assert!(!listed.body.contains(&secret), "secrets are never listed");

    let granted = token_request(&app, &client_id, &secret, Some("imei:read")).await;
    assert_eq!(granted.status, 200, "{}", granted.body);
    assert_eq!(granted.json()["scope"], "imei:read");
    let token = granted.json()["access_token"].as_str().unwrap().to_owned();
    let me = app
        .send(app.authed(Method::GET, "/api/v1/me", &token))
        .await
        .json();
    assert_eq!(
        (me["kind"].as_str(), me["scopes"].clone()),
        (Some("partner"), json!(["imei:read"]))
    );

    // Refusals, each with its OAuth2 error and problem code.
    let wrong_scope = token_request(&app, &client_id, &secret, Some("biometric:identify")).await;
    assert_eq!(
        (wrong_scope.status, wrong_scope.json()["error"].as_str()),
        (400, Some("invalid_scope"))
    );
    let wrong_secret = token_request(&app, &client_id, "nope", None).await;
    assert_eq!(
        (wrong_secret.status, wrong_secret.json()["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert_eq!(wrong_secret.json()["code"], "invalid_client");
    let bad_grant = app
        .send(
            app.client
                .post(app.url("/oauth/token"))
                .form(&[("grant_type", "password")]),
        )
        .await;
    assert_eq!(bad_grant.json()["error"], "unsupported_grant_type");

    // A partner may not administer anything.
    app.send(app.authed(Method::GET, "/api/v1/partners", &token))
        .await
        .problem(403, "forbidden");

    // Rotation: the old secret stops working.
    let rotated = app
        .send(app.authed(
            Method::POST,
            &format!("/api/v1/partners/{id}/secret"),
            &admin.access_token,
        ))
        .await
        .json();
    let new_secret = rotated["client_secret"].as_str().unwrap();
    assert_eq!(
        token_request(&app, &client_id, &secret, None).await.status,
        401
    );
    assert_eq!(
        token_request(&app, &client_id, new_secret, None)
            .await
            .status,
        200
    );

    // Revocation: no new tokens, and issued ones stop at once.
    let revoked = app
        .send(app.authed(
            Method::POST,
            &format!("/api/v1/partners/{id}/revoke"),
            &admin.access_token,
        ))
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(
        token_request(&app, &client_id, new_secret, None)
            .await
            .json()["error"],
        "invalid_client"
    );
    app.send(app.authed(Method::GET, "/api/v1/me", &token))
        .await
        .problem(401, "unauthenticated");
}

#[actix_web::test]
async fn partners_are_rate_limited_with_retry_after() {
    let app = TestApp::start_federated().await;
    let admin = app.login("UZ", "rate-admin").await;
    app.make_platform_admin(&admin.user_id).await;
    let created = app
        .send(
            app.authed(Method::POST, "/api/v1/partners", &admin.access_token)
                .json(&json!({
                    "name": "Busy partner", "scopes": ["imei:read"], "rate_limit_per_minute": 3
                })),
        )
        .await
        .json();
    let (client_id, secret) = (
        created["partner"]["client_id"].as_str().unwrap(),
        created["client_secret"].as_str().unwrap(),
    );
    let token = token_request(&app, client_id, secret, None).await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..4 {
        let reply = app
            .send(app.authed(Method::GET, "/api/v1/me", &token))
            .await;
        statuses.push(reply.status);
        last = Some(reply);
    }
    // One unit went to the token request; the budget of 3 is spent by the third call.
    assert_eq!(statuses, [200, 200, 429, 429]);
    let limited = last.unwrap();
    limited.problem(429, "rate_limited");
    assert!(
        limited.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
}

#[actix_web::test]
async fn bad_partner_input_is_refused_with_field_errors() {
    let app = TestApp::start_federated().await;
    let admin = app.login("UZ", "input-admin").await;
    app.make_platform_admin(&admin.user_id).await;
    let reply = app
        .send(
            app.authed(Method::POST, "/api/v1/partners", &admin.access_token)
                .json(&json!({
                    "name": "", "scopes": ["imei:everything"], "rate_limit_per_minute": 0
                })),
        )
        .await;
    let problem = reply.problem(422, "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "scopes", "rate_limit_per_minute"]);
}

#[actix_web::test]
async fn sign_ins_and_changes_are_audited_in_a_chain_that_shows_tampering() {
    let app = TestApp::start_federated().await;
    let admin = app.login("UZ", "auditor").await;
    app.make_platform_admin(&admin.user_id).await;
    app.send(
        app.authed(Method::POST, "/api/v1/partners", &admin.access_token)
            .json(&json!({"name": "P", "scopes": ["imei:read"]})),
    )
    .await;
    let db = app.state.db.clone();
    let user_id = admin.user_id.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use silkbridge::audit::{self, ChainCheck};
        use silkbridge_schema::tables::audit_log;
        let mut conn = db.connection().unwrap();
        let ChainCheck::Intact { entries } = audit::verify(&mut conn).unwrap() else {
            panic!("the chain must be intact");
        };
        assert_eq!(entries, 2, "the sign-in and the partner creation");
        let actions: Vec<String> = audit_log::table
            .select(audit_log::action)
            .load(&mut conn)
            .unwrap();
        assert!(actions.contains(&"auth.sign_in".to_owned()), "{actions:?}");
        assert!(
            actions.contains(&"partner.create".to_owned()),
            "{actions:?}"
        );
        let signed_in = audit::entries_for(&mut conn, &format!("user:{user_id}"), 10).unwrap();
        assert!(signed_in.iter().any(|e| e.action == "auth.sign_in"));

        // Someone edits an entry in the database: the chain names it.
        let second: i64 = audit_log::table
            .select(audit_log::seq)
            .order(audit_log::seq.asc())
            .offset(1)
            .first(&mut conn)
            .unwrap();
        diesel::update(audit_log::table.find(second))
            .set(audit_log::actor.eq("user:someone-else"))
            .execute(&mut conn)
            .unwrap();
        assert_eq!(
            audit::verify(&mut conn).unwrap(),
            ChainCheck::Broken {
                seq: second,
                reason: "its content does not match its hash".into()
            }
        );
    })
    .await
    .unwrap();
}

#[actix_web::test]
async fn sessions_end_after_their_idle_and_absolute_timeouts() {
    use diesel::prelude::*;
    use silkbridge_schema::tables::sessions;

    let app = TestApp::start().await;
    let idle = app.person("UZ", "idle", &[]).await;
    let long = app.person("AZ", "long", &[]).await;
    let db = app.state.db.clone();
    let (idle_id, long_id) = (idle.user_id.clone(), long.user_id.clone());
    tokio::task::spawn_blocking(move || {
        let mut conn = db.connection().unwrap();
        let now = silkbridge_schema::ids::now();
        diesel::update(sessions::table.filter(sessions::user_id.eq(&idle_id)))
            .set(sessions::last_refreshed_at.eq(now - chrono::Duration::hours(3)))
            .execute(&mut conn)
            .unwrap();
        diesel::update(sessions::table.filter(sessions::user_id.eq(&long_id)))
            .set(sessions::created_at.eq(now - chrono::Duration::hours(13)))
            .execute(&mut conn)
            .unwrap();
    })
    .await
    .unwrap();
    // Past the absolute timeout: refused on every call, not only at the next refresh.
    app.send(app.authed(Method::GET, "/api/v1/me", &long.access_token))
        .await
        .problem(401, "unauthenticated");
    // Idle for 3 h: the access token still works until it expires, but no refresh does.
    let refreshed = app
        .send(
            app.client
                .post(app.url("/auth/refresh"))
                .json(&json!({"refresh_token": idle.refresh_token})),
        )
        .await;
    refreshed.problem(401, "unauthenticated");
    assert!(
        refreshed.body.contains("idle timeout"),
        "{}",
        refreshed.body
    );
    app.send(app.authed(Method::GET, "/api/v1/me", &idle.access_token))
        .await
        .problem(401, "unauthenticated");
}
