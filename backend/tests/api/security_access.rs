//! Security II: who may see what, and what concurrent writes may undo. Each test reproduces
//! one finding of the review against a real server.

use reqwest::Method;
use serde_json::json;
use silkbridge::identity::domain::Role;

use super::identity_access::token_request;
use super::research::{create, publication};
use crate::support::TestApp;

#[actix_web::test]
async fn versions_kept_private_before_a_publication_opened_stay_private() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let editor = app
        .person("UZ", "Research editor", &[("stat-uz", Role::Editor)])
        .await;
    let member = app
        .person("UZ", "Research reader", &[("stat-uz", Role::Member)])
        .await;
    let draft = publication(json!({
        "access_level": "organisation",
        "abstract": "SECRET-DRAFT findings not yet cleared for publication.",
        "doi": null
    }));
    let created = create(&app, &editor, draft).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let mut opened = publication(json!({"access_level": "open", "doi": null}));
    opened.as_object_mut().unwrap().remove("organisation");
    let reply = app
        .send(
            app.authed(
                Method::PUT,
                &format!("/api/v1/research/publications/{id}"),
                &editor.access_token,
            )
            .json(&opened),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let path = format!("/api/v1/research/publications/{id}/versions");
    let public = app.get(&path).await;
    assert_eq!(public.status, 200, "{}", public.body);
    assert!(!public.body.contains("SECRET-DRAFT"), "{}", public.body);
    let shown: Vec<i64> = public
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(shown, [2], "the public sees the version that was open");
    let query = json!({"query": format!(
        "{{ publicationVersions(id: \"{id}\") {{ version content {{ abstract }} }} }}"
    )});
    let graphql = app
        .send(app.client.post(app.url("/graphql")).json(&query))
        .await;
    assert_eq!(graphql.status, 200, "{}", graphql.body);
    assert!(
        graphql.json()["data"]["publicationVersions"].is_array(),
        "{}",
        graphql.body
    );
    assert!(!graphql.body.contains("SECRET-DRAFT"), "{}", graphql.body);

    // The organisation's members see the whole history.
    let own = app
        .send(app.authed(Method::GET, &path, &member.access_token))
        .await;
    assert_eq!(own.json().as_array().unwrap().len(), 2, "{}", own.body);
    assert!(own.body.contains("SECRET-DRAFT"));
}

/// The number of audit entries of `action`.
async fn audit_entries(app: &TestApp, action: &'static str) -> i64 {
    use diesel::prelude::*;
    use silkbridge_schema::tables::audit_log;
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.connection().unwrap();
        audit_log::table
            .filter(audit_log::action.eq(action))
            .count()
            .get_result(&mut conn)
            .unwrap()
    })
    .await
    .unwrap()
}

#[actix_web::test]
async fn rotating_a_partner_secret_ends_its_issued_tokens_and_limits_come_before_audit() {
    let app = TestApp::start().await;
    let admin = app.platform_admin().await;
    let created = app
        .send(
            app.authed(Method::POST, "/api/v1/partners", &admin.access_token)
                .json(&json!({"name": "EIR", "scopes": ["imei:read"], "rate_limit_per_minute": 2})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let created = created.json();
    let id = created["partner"]["id"].as_str().unwrap().to_owned();
    let client_id = created["partner"]["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    let issued = token_request(&app, &client_id, &secret, None).await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    let token = issued.json()["access_token"].as_str().unwrap().to_owned();

    let rotated = app
        .send(app.authed(
            Method::POST,
            &format!("/api/v1/partners/{id}/secret"),
            &admin.access_token,
        ))
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    app.send(app.authed(Method::GET, "/api/v1/me", &token))
        .await
        .problem(401, "unauthenticated");

    // The new secret's token works and spends the second unit; the third request is over
    // the rate and leaves no audit entry behind.
    let new_secret = rotated.json()["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(
        token_request(&app, &client_id, &new_secret, None)
            .await
            .status,
        200
    );
    let issued_before = audit_entries(&app, "auth.token_issued").await;
    let over = token_request(&app, &client_id, &new_secret, None).await;
    assert_eq!(over.status, 429, "{}", over.body);
    assert_eq!(
        audit_entries(&app, "auth.token_issued").await,
        issued_before
    );
}

#[actix_web::test]
async fn two_tabs_refreshing_at_once_share_one_successor_and_stay_signed_in() {
    let app = TestApp::start().await;
    let person = app.person("UZ", "Two tabs", &[]).await;
    let refresh = |token: &str| {
        app.send(
            app.client
                .post(app.url("/auth/refresh"))
                .json(&json!({ "refresh_token": token })),
        )
    };
    let (first, second) = tokio::join!(
        refresh(&person.refresh_token),
        refresh(&person.refresh_token)
    );
    assert_eq!(
        (first.status, second.status),
        (200, 200),
        "{} / {}",
        first.body,
        second.body
    );
    let successor = first.json()["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        second.json()["refresh_token"],
        successor.as_str(),
        "the same successor"
    );
    let later = refresh(&successor).await;
    assert_eq!(later.status, 200, "the session lives on: {}", later.body);
    let me = app
        .send(app.authed(
            Method::GET,
            "/api/v1/me",
            later.json()["access_token"].as_str().unwrap(),
        ))
        .await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(audit_entries(&app, "auth.refresh_reuse").await, 0);
}

#[actix_web::test]
async fn a_grace_pass_working_from_a_stale_list_leaves_a_recovered_device_alone() {
    use diesel::prelude::*;
    use silkbridge::imei::domain::Imei;
    let app = TestApp::start().await;
    app.seed_demo().await;
    let officer = app
        .person(
            "AZ",
            "Customs officer",
            &[("demo-az-device-registry", Role::Editor)],
        )
        .await;
    let imei = silkbridge::imei::demo::imei_of(35_100_001, 900_777).to_string();
    let post = |path: String, body: serde_json::Value| {
        app.send(
            app.authed(Method::POST, &path, &officer.access_token)
                .json(&body),
        )
    };
    let listed = post(
        format!("/api/v1/imei/devices/{imei}/greylist"),
        json!({ "reason": "customs_unregistered", "graceDays": 14 }),
    )
    .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    // The pass reads the device as due…
    let key = Imei::parse(&imei).unwrap().imei;
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        use silkbridge_schema::tables::imei_devices::dsl;
        let mut conn = db.connection().unwrap();
        diesel::update(dsl::imei_devices.find(key.as_i64()))
            .set(dsl::grace_until.eq(chrono::Utc::now().naive_utc() - chrono::Duration::hours(1)))
            .execute(&mut conn)
            .unwrap();
    })
    .await
    .unwrap();
    // …the agency takes it off the list…
    let recovered = post(
        format!("/api/v1/imei/devices/{imei}/recovery"),
        json!({ "note": "registered at customs" }),
    )
    .await;
    assert_eq!(recovered.status, 200, "{}", recovered.body);
    // …and the pass writes from what it read.
    let state = app.state.clone();
    let ended = tokio::task::spawn_blocking(move || {
        let mut conn = state.db.connection().unwrap();
        silkbridge::imei::lifecycle::end_grace_periods(&mut conn, &state.imei.cache, &[key])
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(ended, 0);
    let record = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/imei/devices/{imei}"),
            &officer.access_token,
        ))
        .await;
    assert_eq!(record.status, 200, "{}", record.body);
    assert_ne!(record.json()["status"], "BLACKLISTED", "{}", record.body);
}

#[actix_web::test]
async fn an_item_made_private_during_a_rebuild_leaves_search_before_the_rebuild_ends() {
    use std::ops::ControlFlow;

    use diesel::prelude::*;
    use silkbridge::search;
    use silkbridge_schema::change_log::{self, Operation};
    use silkbridge_schema::tables::publications;

    let app = TestApp::start().await;
    let summary = app.seed_demo().await;
    let before_datasets = (summary.organisations + summary.listings + summary.publications) as u64;
    let state = app.state.clone();
    tokio::task::spawn_blocking(move || {
        // A rebuild that has indexed organisations, listings and publications, then stops
        // (as a long rebuild would still be running).
        let outcome = search::rebuild(&state.db, &state.index, 3, &mut |p| {
            if p.done >= before_datasets {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
        assert!(
            matches!(outcome, search::RebuildOutcome::Interrupted { .. }),
            "{outcome:?}"
        );
        let mut conn = state.db.connection().unwrap();
        let (id, title): (String, String) = publications::table
            .filter(publications::access_level.eq("open"))
            .select((publications::id, publications::title))
            .first(&mut conn)
            .unwrap();
        let public = vec!["public".to_owned()];
        let word: String = title
            .split(|c: char| !c.is_alphanumeric())
            .max_by_key(|w| w.chars().count())
            .unwrap()
            .to_owned();
        let found = |conn: &mut silkbridge_schema::DbConnection| {
            search::apply_pending(conn, &state.index).unwrap();
            state
                .index
                .simple_search(&word, &public, 500)
                .unwrap()
                .1
                .iter()
                .any(|hit| hit.entity_id == id)
        };
        assert!(found(&mut conn), "indexed by the rebuild so far");
        // An editor makes it organisation-only (the row and its change-log entry).
        silkbridge_schema::write_transaction(&mut conn, |conn| {
            diesel::update(publications::table.find(&id))
                .set(publications::access_level.eq("organisation"))
                .execute(conn)?;
            #[allow(clippy::disallowed_methods)] // a raw edit, as a second node would make it
            change_log::record(conn, "publication", &id, Operation::Upsert)?;
            Ok::<_, silkbridge_schema::DbError>(())
        })
        .unwrap();
        // (On PostgreSQL the entry is readable once no older transaction is still running.)
        crate::support::eventually("the change reaching search while the rebuild runs", || {
            (!found(&mut conn)).then_some(())
        });
        // The rebuild then finishes from where it stopped and the item stays hidden.
        let outcome = search::rebuild(&state.db, &state.index, 3, &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
        assert!(
            matches!(outcome, search::RebuildOutcome::Complete { .. }),
            "{outcome:?}"
        );
        assert!(!found(&mut conn), "back in search after the rebuild");
    })
    .await
    .unwrap();
}

#[actix_web::test]
async fn platform_administrators_run_the_platform_not_the_organisations() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let admin = app.platform_admin().await;
    let editor = app
        .person("UZ", "Statistics editor", &[("stat-uz", Role::Editor)])
        .await;
    let secret = publication(json!({
        "access_level": "organisation",
        "abstract": "ORG-ONLY working paper.",
        "doi": null
    }));
    let id = create(&app, &editor, secret).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // No way into an organisation's content, mail or keys.
    app.send(app.authed(
        Method::GET,
        &format!("/api/v1/research/publications/{id}"),
        &admin.access_token,
    ))
    .await
    .problem(404, "not_found");
    let join = app
        .send(
            app.authed(
                Method::PUT,
                &format!("/api/v1/organisations/stat-uz/members/{}", admin.user_id),
                &admin.access_token,
            )
            .json(&json!({"role": "editor"})),
        )
        .await;
    join.problem(403, "forbidden");
    let repoint = app
        .send(
            app.authed(
                Method::PUT,
                "/api/v1/organisations/stat-uz/webhook",
                &admin.access_token,
            )
            .json(&json!({"url": "https://attacker.example/hook"})),
        )
        .await;
    repoint.problem(403, "forbidden");
    app.send(app.authed(
        Method::POST,
        "/api/v1/organisations/stat-uz/signing-keys/rotate",
        &admin.access_token,
    ))
    .await
    .problem(403, "forbidden");
    let mut draft = publication(json!({"doi": null}));
    draft["organisation"] = json!("stat-uz");
    app.send(
        app.authed(
            Method::POST,
            "/api/v1/research/publications",
            &admin.access_token,
        )
        .json(&draft),
    )
    .await
    .problem(403, "forbidden");

    // A new organisation's first admin is theirs to appoint, once, audited; then its
    // admins decide.
    let created = app
        .send(
            app.authed(Method::POST, "/api/v1/organisations", &admin.access_token)
                .json(&json!({"slug": "new-agency", "name": "New agency", "kind": "agency", "country": "UZ"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let first = app.person("UZ", "First admin", &[]).await;
    let second = app.person("UZ", "Second person", &[]).await;
    let appoint = |user: &str, role: &str| {
        app.authed(
            Method::PUT,
            &format!("/api/v1/organisations/new-agency/members/{user}"),
            &admin.access_token,
        )
        .json(&json!({ "role": role }))
    };
    app.send(appoint(&first.user_id, "editor"))
        .await
        .problem(403, "forbidden");
    let appointed = app.send(appoint(&first.user_id, "admin")).await;
    assert_eq!(appointed.status, 204, "{}", appointed.body);
    assert_eq!(
        audit_entries(&app, "membership.appoint_first_admin").await,
        1
    );
    app.send(appoint(&second.user_id, "admin"))
        .await
        .problem(403, "forbidden");
    let members = app
        .send(app.authed(
            Method::GET,
            "/api/v1/organisations/new-agency/members",
            &admin.access_token,
        ))
        .await;
    assert_eq!(members.status, 200, "{}", members.body);
    assert_eq!(
        members.json().as_array().unwrap().len(),
        1,
        "{}",
        members.body
    );

    // GraphQL answers the same.
    let query = json!({"query": format!(
        "mutation {{ setMembership(slug: \"stat-uz\", userId: \"{}\", role: EDITOR) }}",
        admin.user_id
    )});
    let graphql = app
        .send(
            app.authed(Method::POST, "/graphql", &admin.access_token)
                .json(&query),
        )
        .await;
    assert_eq!(
        graphql.json()["errors"][0]["extensions"]["code"],
        "forbidden",
        "{}",
        graphql.body
    );
}
