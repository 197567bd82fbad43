//! Every error leaves as RFC 9457 problem+json with a stable code.

use crate::support::TestApp;

#[actix_web::test]
async fn unknown_route_is_a_404_problem() {
    let app = TestApp::start().await;
    let reply = app.get("/api/v1/no-such-thing").await;
    let body = reply.problem(404, "route_not_found");
    assert_eq!(body["instance"], "/api/v1/no-such-thing");
}

#[actix_web::test]
async fn missing_record_is_a_404_problem() {
    let app = TestApp::start().await;
    let reply = app.get("/api/v1/organisations/nobody").await;
    let body = reply.problem(404, "not_found");
    assert!(
        body["detail"].as_str().unwrap().contains("nobody"),
        "{body}"
    );
}

#[actix_web::test]
async fn wrong_method_is_a_405_problem() {
    let app = TestApp::start().await;
    let reply = app.send(app.client.delete(app.url("/healthz"))).await;
    reply.problem(405, "method_not_allowed");
}

#[actix_web::test]
async fn malformed_json_body_is_a_400_problem() {
    let app = TestApp::start().await;
    let reply = app
        .send(
            app.client
                .post(app.url("/graphql"))
                .header("content-type", "application/json")
                .body(r#"{"query": "{ apiVersion }""#),
        )
        .await;
    let body = reply.problem(400, "malformed_json");
    assert!(body["detail"].as_str().unwrap().contains("EOF"), "{body}");
}

#[actix_web::test]
async fn oversized_body_is_a_413_problem_and_the_limit_is_configurable() {
    let app = TestApp::start_with(|config, _| config.limits.json_body_bytes = 2_000).await;
    let padding = "x".repeat(3_000);
    let query = format!(r#"{{"query": "{{ apiVersion }}", "operationName": "{padding}"}}"#);
    let reply = app
        .send(
            app.client
                .post(app.url("/graphql"))
                .header("content-type", "application/json")
                .body(query),
        )
        .await;
    reply.problem(413, "payload_too_large");

    // The same limit guards every REST JSON body (of a caller who may send one: anonymous
    // callers are refused before their body is read).
    let admin = app.platform_admin().await;
    let oversized_rest = app
        .send(
            app.authed(
                reqwest::Method::POST,
                "/api/v1/organisations",
                &admin.access_token,
            )
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"slug": "x", "name": "{padding}", "kind": "agency", "country": "UZ"}}"#
            )),
        )
        .await;
    oversized_rest.problem(413, "payload_too_large");

    // Just under the limit is accepted.
    let small = app.graphql("{ apiVersion }", serde_json::json!({})).await;
    assert_eq!(small.status, 200, "{}", small.body);
}

#[actix_web::test]
async fn bad_query_parameters_are_400_problems_with_precise_codes() {
    let app = TestApp::start().await;
    app.get("/api/v1/organisations?limit=0")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/organisations?limit=many")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/organisations?country=FR")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/organisations?cursor=bm90LW91cnM")
        .await
        .problem(400, "invalid_cursor");
}
