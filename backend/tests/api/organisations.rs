//! Organisations over REST and GraphQL, on demo data.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use silkbridge::error::ErrorCode;
use silkbridge::identity::input::NewOrganisationInput;
use silkbridge::identity::rules;

use crate::support::TestApp;

/// Walks every page of a REST list; returns the slugs in order.
async fn all_slugs(app: &TestApp, query: &str) -> Vec<String> {
    let mut slugs = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/organisations?limit=3{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let body = reply.json();
        let items = body["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        slugs.extend(items.iter().map(|i| i["slug"].as_str().unwrap().to_owned()));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return slugs,
        }
    }
}

#[actix_web::test]
async fn pages_cover_every_organisation_once_in_order() {
    let app = TestApp::start().await;
    let seeded = app.seed_demo().await;
    assert!(seeded.organisations >= 10);
    let slugs = all_slugs(&app, "").await;
    assert_eq!(slugs.len(), seeded.organisations);
    let mut sorted = slugs.clone();
    sorted.sort();
    assert_eq!(slugs, sorted, "ordered by slug");
    assert_eq!(
        slugs.iter().collect::<BTreeSet<_>>().len(),
        slugs.len(),
        "no repeats"
    );
}

#[actix_web::test]
async fn filters_apply_on_every_page() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let azerbaijani = all_slugs(&app, "&country=AZ").await;
    let uzbek = all_slugs(&app, "&country=UZ").await;
    assert!(!azerbaijani.is_empty() && !uzbek.is_empty());
    assert_eq!(
        azerbaijani.len() + uzbek.len(),
        all_slugs(&app, "").await.len()
    );
    for slug in &azerbaijani {
        let body = app
            .get(&format!("/api/v1/organisations/{slug}"))
            .await
            .json();
        assert_eq!(body["country"], "AZ", "{body}");
    }
    let universities = all_slugs(&app, "&kind=university").await;
    assert!(universities.contains(&"khazar-university".to_owned()));
    assert!(!universities.contains(&"cbar".to_owned()));
}

#[actix_web::test]
async fn one_organisation_carries_its_names_in_both_uzbek_scripts() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let body = app.get("/api/v1/organisations/stat-uz").await.json();
    assert_eq!(body["kind"], "agency");
    let names: Vec<(String, String)> = body["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["lang"].as_str().unwrap().into(),
                n["text"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        names
            .iter()
            .any(|(l, t)| l == "uz-Cyrl" && t.contains("Ўзбекистон")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|(l, t)| l == "uz-Latn" && t.contains("Oʻzbekiston")),
        "{names:?}"
    );
}

#[actix_web::test]
async fn rest_and_graphql_return_the_same_organisations() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let rest = app
        .get("/api/v1/organisations?country=UZ&limit=100")
        .await
        .json();
    let graphql = app
        .graphql(
            "query($c: Country) { organisations(country: $c, first: 100) { items { slug name kind country } nextCursor } }",
            json!({ "c": "UZ" }),
        )
        .await;
    assert_eq!(graphql.status, 200, "{}", graphql.body);
    let data = graphql.json();
    let from_graphql: Vec<&Value> = data["data"]["organisations"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let from_rest: Vec<&Value> = rest["items"].as_array().unwrap().iter().collect();
    assert_eq!(from_graphql.len(), from_rest.len());
    for (g, r) in from_graphql.iter().zip(&from_rest) {
        assert_eq!(g["slug"], r["slug"]);
        assert_eq!(g["name"], r["name"]);
        assert_eq!(g["country"], r["country"]);
        assert_eq!(
            g["kind"].as_str().unwrap().to_lowercase(),
            r["kind"].as_str().unwrap()
        );
    }
}

#[actix_web::test]
async fn invalid_organisations_are_refused_with_every_reason_and_nothing_is_written() {
    let app = TestApp::start().await;
    let db = app.state.db.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let mut conn = db.connection().unwrap();
        let bad = rules::create_organisation(
            &mut conn,
            NewOrganisationInput {
                slug: "Not A Slug".into(),
                name: "  ".into(),
                kind: "ngo".into(),
                country: "FR".into(),
                website: Some("ftp://example.org".into()),
                names: [("klingon".to_owned(), "x".to_owned())].into(),
            },
        );
        let count = rules::count_organisations(&mut conn).unwrap();
        (bad, count)
    })
    .await
    .unwrap();
    let (bad, count) = outcome;
    let error = bad.unwrap_err();
    assert_eq!(error.code, ErrorCode::ValidationFailed);
    let fields: BTreeSet<&str> = error.errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        BTreeSet::from([
            "slug",
            "name",
            "kind",
            "country",
            "website",
            "names.klingon"
        ])
    );
    assert_eq!(count, 0);
}

#[actix_web::test]
async fn a_taken_slug_is_a_conflict() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let db = app.state.db.clone();
    let error = tokio::task::spawn_blocking(move || {
        let mut conn = db.connection().unwrap();
        rules::create_organisation(
            &mut conn,
            NewOrganisationInput {
                slug: "cbar".into(),
                name: "Another bank".into(),
                kind: "company".into(),
                country: "AZ".into(),
                ..NewOrganisationInput::default()
            },
        )
        .unwrap_err()
    })
    .await
    .unwrap();
    assert_eq!(error.code, ErrorCode::Conflict);
    assert_eq!(error.errors[0].code, "taken");
}

#[actix_web::test]
async fn seeding_twice_adds_nothing_the_second_time() {
    let app = TestApp::start().await;
    let first = app.seed_demo().await;
    let second = app.seed_demo().await;
    assert!(first.organisations > 0 && first.users > 0);
    assert_eq!(second, silkbridge::seed::SeedSummary::default());
}
