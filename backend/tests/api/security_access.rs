//! Security II: who may see what, and what concurrent writes may undo. Each test reproduces
//! one finding of the review against a real server.

use reqwest::Method;
use serde_json::json;
use silkbridge::identity::domain::Role;

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
