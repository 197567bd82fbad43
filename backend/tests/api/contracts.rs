//! The checked-in API contracts in `schema/` must equal what the code generates. Run with
//! SILKBRIDGE_TEST_BLESS=1 to rewrite them after an intended change, then review the diff.

use std::path::PathBuf;

use crate::support::TestApp;

fn contract_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../schema")
        .join(name)
}

fn check_contract(name: &str, generated: &str) {
    let path = contract_path(name);
    if std::env::var_os("SILKBRIDGE_TEST_BLESS").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if checked_in != generated {
        let first_difference = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || "in length".to_owned(),
                |line| format!("at line {}", line + 1),
            );
        panic!(
            "schema/{name} differs from the code {first_difference}; if the change is intended, \
             run SILKBRIDGE_TEST_BLESS=1 cargo test -p silkbridge --test api contracts and review the diff"
        );
    }
}

#[test]
fn openapi_document_matches_schema_openapi_json() {
    let generated = silkbridge::app::openapi().to_pretty_json().unwrap() + "\n";
    check_contract("openapi.json", &generated);
}

#[test]
fn graphql_sdl_matches_schema_graphql() {
    check_contract("schema.graphql", &silkbridge::graphql::sdl());
}

#[actix_web::test]
async fn the_served_openapi_document_is_the_checked_in_one() {
    let app = TestApp::start().await;
    let served = app.get("/api/v1/openapi.json").await;
    assert_eq!(served.status, 200);
    let checked_in: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(contract_path("openapi.json")).unwrap())
            .unwrap();
    assert!(
        served.json() == checked_in,
        "the served /api/v1/openapi.json differs from schema/openapi.json"
    );
    assert!(checked_in["paths"]["/api/v1/organisations"]["get"].is_object());
    let docs = app.get("/api/v1/docs/").await;
    assert_eq!(docs.status, 200, "Swagger UI is served");
    let config = app.get("/api/v1/docs/swagger-initializer.js").await;
    assert!(
        config.body.contains("/api/v1/openapi.json"),
        "{}",
        config.body
    );
}

/// Workers register routes with actix alone (`app::served_routes`), the document with utoipa
/// (`app::documented_routes`): every documented operation must be served.
#[actix_web::test]
async fn every_documented_operation_is_served() {
    let app = TestApp::start().await;
    let doc: serde_json::Value = serde_json::from_str(silkbridge::app::openapi_json()).unwrap();
    let mut checked = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        let concrete: String = path
            .split('/')
            .map(|part| if part.starts_with('{') { "x" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        for method in operations.as_object().unwrap().keys() {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let reply = app
                .send(app.client.request(method.clone(), app.url(&concrete)))
                .await;
            let unrouted = reply.status == 404 && reply.body.contains("route_not_found");
            assert!(
                !unrouted && reply.status != 405,
                "{method} {path} is documented but not served: {} {}",
                reply.status,
                reply.body
            );
            checked += 1;
        }
    }
    assert!(checked >= 90, "{checked}");
}
