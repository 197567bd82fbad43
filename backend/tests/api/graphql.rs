use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn queries_answer_and_missing_records_are_null() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let reply = app
        .graphql(
            r#"{ apiVersion known: organisation(slug: "idda") { name country } unknown: organisation(slug: "nope") { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["data"]["apiVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["data"]["known"]["country"], "AZ");
    assert!(body["data"]["unknown"].is_null());
    assert!(body.get("errors").is_none(), "{body}");
}

#[actix_web::test]
async fn resolver_errors_carry_the_same_codes_as_rest() {
    let app = TestApp::start().await;
    let reply = app
        .graphql(
            r#"{ organisations(after: "garbage") { items { slug } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "invalid_cursor",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["status"], 400);
    let bad_limit = app
        .graphql(
            "{ organisations(first: 500) { items { slug } } }",
            json!({}),
        )
        .await
        .json();
    assert_eq!(
        bad_limit["errors"][0]["extensions"]["code"],
        "invalid_parameter"
    );
}

#[actix_web::test]
async fn invalid_documents_are_400_and_depth_is_bounded() {
    let app = TestApp::start().await;
    let syntax = app.graphql("{ organisations(", json!({})).await;
    assert_eq!(syntax.status, 400, "{}", syntax.body);
    assert!(syntax.json()["errors"][0]["message"].is_string());
    let unknown = app.graphql("{ noSuchField }", json!({})).await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    // Introspection's `ofType` nests as deep as a client likes: 20 levels pass the limit of 12,
    // 8 do not.
    let nested = |levels: usize| {
        format!(
            "{{ __schema {{ types {{ {}name{} }} }} }}",
            "ofType { ".repeat(levels),
            " }".repeat(levels)
        )
    };
    let shallow = app.graphql(&nested(8), json!({})).await;
    assert_eq!(shallow.status, 200, "{}", shallow.body);
    let deep = app.graphql(&nested(20), json!({})).await;
    assert_eq!(deep.status, 400, "{}", deep.body);
    assert!(
        deep.json()["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("nested too deep")),
        "{}",
        deep.body
    );
    // Rejected documents carry a code like every other error.
    for rejected in [&syntax, &unknown, &deep] {
        let extensions = &rejected.json()["errors"][0]["extensions"];
        assert_eq!(extensions["code"], "invalid_graphql", "{}", rejected.body);
        assert_eq!(extensions["status"], 400, "{}", rejected.body);
    }
}

#[actix_web::test]
async fn the_playground_page_is_self_contained() {
    let app = TestApp::start().await;
    let page = app.get("/graphql").await;
    assert_eq!(page.status, 200);
    assert!(page.content_type().starts_with("text/html"));
    assert!(page.body.contains("silkbridge GraphQL"));
    // Nothing is loaded from another host: the page must work on a closed network.
    assert!(
        !page.body.contains("https://"),
        "external asset in playground"
    );
    assert!(
        !page.body.contains("http://"),
        "external asset in playground"
    );
}
