//! `GET /api/v1/search` and GraphQL `search`.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use silkbridge::identity::input::NewOrganisationInput;
use silkbridge::identity::rules;

use crate::support::TestApp;

async fn seeded() -> TestApp {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.connection().unwrap();
        for (slug, name, lang) in [
            ("tadqiqot-markazi", "Тадқиқот маркази", "uz-Cyrl"),
            ("tadqiqot-instituti", "Tadqiqot instituti", "uz-Latn"),
        ] {
            rules::create_organisation(
                &mut conn,
                NewOrganisationInput {
                    slug: slug.into(),
                    name: name.into(),
                    names: [(lang.to_owned(), name.to_owned())].into(),
                    kind: "university".into(),
                    country: "UZ".into(),
                    website: None,
                },
            )
            .unwrap();
        }
    })
    .await
    .unwrap();
    app.reindex().await;
    app
}

fn titles(body: &Value) -> BTreeSet<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[actix_web::test]
async fn latin_and_cyrillic_find_each_other() {
    let app = seeded().await;
    let both = BTreeSet::from([
        "Тадқиқот маркази".to_owned(),
        "Tadqiqot instituti".to_owned(),
    ]);
    for query in ["tadqiqot", "тадқиқот", "Tadqiqot", "ТАДҚИҚОТ"] {
        let found = app
            .get(&format!(
                "/api/v1/search?q={}&kind=organisation",
                encode(query)
            ))
            .await;
        assert_eq!(found.status, 200, "{}", found.body);
        assert_eq!(titles(&found.json()), both, "{query}");
    }
    // Every spelling of oʻ finds the State Statistics Committee's Uzbek names.
    for query in ["qoʻmitasi", "qo'mitasi", "qo‘mitasi", "қўмитаси"] {
        let found = app
            .get(&format!(
                "/api/v1/search?q={}&kind=organisation",
                encode(query)
            ))
            .await
            .json();
        assert!(
            titles(&found).contains("State Statistics Committee of the Republic of Uzbekistan"),
            "{query}: {found}"
        );
        let snippet = found["items"][0]["snippet"].as_str().unwrap();
        assert!(snippet.contains("<mark>"), "{snippet}");
    }
}

#[actix_web::test]
async fn facets_filters_and_sorting() {
    let app = seeded().await;
    let everything = app.get("/api/v1/search?limit=100").await.json();
    let total = everything["total"].as_u64().unwrap();
    let by_kind: u64 = everything["facets"]["kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert_eq!(by_kind, total, "every document has one kind");
    let listings = everything["facets"]["kind"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["value"] == "listing")
        .unwrap()["count"]
        .as_u64()
        .unwrap();
    assert_eq!(listings, 8, "the eight published demo listings");

    let only_listings = app
        .get("/api/v1/search?kind=listing&limit=100")
        .await
        .json();
    assert_eq!(only_listings["total"], 8);
    assert!(
        only_listings["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["kind"] == "listing")
    );
    let azerbaijan = app
        .get("/api/v1/search?q=statistical&country=AZ")
        .await
        .json();
    assert!(
        titles(&azerbaijan).contains("State Statistical Committee of the Republic of Azerbaijan"),
        "{azerbaijan}"
    );
    assert!(
        azerbaijan["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["country"] == "AZ")
    );
    let of_org = app
        .get("/api/v1/search?organisation=silk-road-cloud")
        .await
        .json();
    // The organisation itself and its two published listings.
    assert_eq!(of_org["total"], 3, "{of_org}");
    assert_eq!(
        of_org["facets"]["kind"],
        json!([{"count": 2, "value": "listing"}, {"count": 1, "value": "organisation"}])
    );

    let newest = app.get("/api/v1/search?sort=newest&limit=100").await.json();
    let times: Vec<&str> = newest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["updated_at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);

    // Typo tolerance for longer words.
    let typo = app.get("/api/v1/search?q=statistcal").await.json();
    assert!(
        titles(&typo).contains("State Statistical Committee of the Republic of Azerbaijan"),
        "{typo}"
    );
}

#[actix_web::test]
async fn pages_cover_every_result_once() {
    let app = seeded().await;
    let total = app.get("/api/v1/search").await.json()["total"]
        .as_u64()
        .unwrap();
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(&format!("/api/v1/search?limit=4{cursor}"))
            .await
            .json();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len() as u64, total);
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        seen.len(),
        "no repeats"
    );
}

#[actix_web::test]
async fn rest_and_graphql_agree_and_bad_queries_are_400() {
    let app = seeded().await;
    let rest = app
        .get("/api/v1/search?q=open%20data&limit=10")
        .await
        .json();
    let graphql = app
        .graphql("query($q: String) { search(params: {q: $q, limit: 10}) { total items { id kind } facets { kind { value count } } } }", json!({"q": "open data"}))
        .await
        .json();
    assert_eq!(graphql["data"]["search"]["total"], rest["total"]);
    let ids = |items: &Value| {
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&graphql["data"]["search"]["items"]),
        ids(&rest["items"])
    );

    app.get(&format!("/api/v1/search?q={}", encode("\"unclosed phrase")))
        .await
        .problem(400, "invalid_query");
    app.get(&format!("/api/v1/search?q={}", "x".repeat(501)))
        .await
        .problem(400, "invalid_query");
    app.get("/api/v1/search?kind=spaceship")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/search?sort=random")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/search?country=FR")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/search?cursor=bm9wZQ")
        .await
        .problem(400, "invalid_cursor");
    let graphql_error = app
        .graphql(
            r#"{ search(params: {q: "\"unclosed"}) { total } }"#,
            json!({}),
        )
        .await
        .json();
    assert_eq!(
        graphql_error["errors"][0]["extensions"]["code"],
        "invalid_query"
    );
}
