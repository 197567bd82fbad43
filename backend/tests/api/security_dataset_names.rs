//! Security II, item 10: a private dataset's name is not confirmed to anyone who may not see
//! the dataset. Names are unique within an organisation and among datasets that are not
//! private; another organisation's private dataset neither blocks a name nor answers to it.

use reqwest::Method;
use serde_json::{Value, json};
use silkbridge::identity::domain::Role;

use super::datasets::{create, dataset};
use crate::support::{SignedIn, TestApp};

async fn title_by_name(app: &TestApp, who: Option<&SignedIn>, name: &str) -> (u16, Value) {
    let path = format!("/api/v1/datasets/{name}");
    let reply = match who {
        Some(who) => {
            app.send(app.authed(Method::GET, &path, &who.access_token))
                .await
        }
        None => app.get(&path).await,
    };
    let title = if reply.status == 200 {
        reply.json()["title"].clone()
    } else {
        Value::Null
    };
    (reply.status, title)
}

#[actix_web::test]
async fn a_private_dataset_name_is_neither_confirmed_nor_reserved_for_outsiders() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let owner = app
        .person("UZ", "Stat editor", &[("stat-uz", Role::Editor)])
        .await;
    let outsider = app
        .person("AZ", "Azstat editor", &[("azstat", Role::Editor)])
        .await;
    let third = app
        .person("UZ", "Botany editor", &[("botany-uz", Role::Editor)])
        .await;
    create(
        &app,
        &owner,
        dataset(json!({"name": "maxfiy-reja", "title": "Maxfiy reja", "private": true})),
    )
    .await;
    assert_eq!(title_by_name(&app, None, "maxfiy-reja").await.0, 404);

    // Another organisation may take the name, privately over REST ...
    create(
        &app,
        &outsider,
        dataset(json!({"name": "maxfiy-reja", "organisation": "azstat", "title": "Azstat reja", "private": true})),
    )
    .await;
    // ... or publicly over CKAN: nothing says the name was in use.
    let ckan = app
        .send(
            app.client
                .post(app.url("/api/3/action/package_create"))
                .header("Authorization", third.access_token.clone())
                .json(&json!({"name": "maxfiy-reja", "title": "Ochiq reja", "owner_org": "botany-uz"})),
        )
        .await;
    assert_eq!(ckan.status, 200, "{}", ckan.body);

    // Each organisation finds its own by name; everyone else the public one.
    assert_eq!(
        title_by_name(&app, Some(&owner), "maxfiy-reja").await,
        (200, json!("Maxfiy reja"))
    );
    assert_eq!(
        title_by_name(&app, Some(&outsider), "maxfiy-reja").await,
        (200, json!("Azstat reja"))
    );
    assert_eq!(
        title_by_name(&app, None, "maxfiy-reja").await,
        (200, json!("Ochiq reja"))
    );
    let shown = app.get("/api/3/action/package_show?id=maxfiy-reja").await;
    assert_eq!(
        shown.json()["result"]["title"],
        "Ochiq reja",
        "{}",
        shown.body
    );

    // A name the caller can see stays taken: its own organisation's (REST and CKAN) ...
    let again = app
        .send(
            app.authed(Method::POST, "/api/v1/datasets", &owner.access_token)
                .json(&dataset(json!({"name": "maxfiy-reja", "title": "Again"}))),
        )
        .await
        .problem(409, "conflict");
    assert_eq!(again["errors"][0]["field"], "name");
    // ... and a public dataset's: opening the private one now would clash with it.
    let open = app
        .send(
            app.authed(
                Method::PATCH,
                "/api/v1/datasets/maxfiy-reja",
                &owner.access_token,
            )
            .json(&json!({"private": false})),
        )
        .await;
    open.problem(409, "conflict");

    // The owner's list pages through both datasets of that name it may see.
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/datasets?limit=1&cursor={c}"),
            None => "/api/v1/datasets?limit=1".to_owned(),
        };
        let page = app
            .send(app.authed(Method::GET, &path, &owner.access_token))
            .await
            .json();
        for item in page["items"].as_array().unwrap() {
            names.push((
                item["name"].as_str().unwrap().to_owned(),
                item["title"].as_str().unwrap().to_owned(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let same: Vec<&str> = names
        .iter()
        .filter(|(n, _)| n == "maxfiy-reja")
        .map(|(_, t)| t.as_str())
        .collect();
    assert_eq!(same.len(), 2, "{names:?}");
    assert!(
        same.contains(&"Maxfiy reja") && same.contains(&"Ochiq reja"),
        "{same:?}"
    );
}
