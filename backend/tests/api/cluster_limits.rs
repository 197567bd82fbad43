//! Rate limits hold for the cluster, not per node: three nodes on one PostgreSQL database
//! let a partner's per-minute budget through once in total, and a citizen's address its
//! public checks once, however the requests are spread and however concurrently they come.
//! (On SQLite — one embedded node — budgets live in memory; the single-node limits are
//! tested with the identity and IMEI modules.)

use futures_util::future::join_all;
use reqwest::Method;
use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn a_budget_is_spent_once_across_three_nodes() {
    let first = TestApp::start().await;
    if first.state.db.backend() != silkbridge_schema::Backend::Postgres {
        eprintln!("skipped: budgets are shared through PostgreSQL only");
        return;
    }
    let nodes = [first.cluster_node().await, first.cluster_node().await];
    let nodes = [&first, &nodes[0], &nodes[1]];
    let admin = first.platform_admin().await;
    // Six a minute; getting the token took one.
    let partner = first
        .partner(
            &admin,
            json!({"name": "Cluster EIR", "scopes": ["imei:read"], "rate_limit_per_minute": 6}),
        )
        .await;
    let checks = (0..12).map(|i| {
        let node = nodes[i % nodes.len()];
        node.send(node.authed(
            Method::GET,
            "/api/v1/imei/devices/356938035643809",
            &partner.token,
        ))
    });
    let answers = join_all(checks).await;
    let refused: Vec<_> = answers.iter().filter(|a| a.status == 429).collect();
    assert_eq!(
        answers.len() - refused.len(),
        5,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
    let problem = refused[0].problem(429, "rate_limited");
    assert!(
        problem["detail"].as_str().unwrap().contains("6 operations"),
        "{problem}"
    );
    assert!(refused[0].headers.get("retry-after").is_some());

    // A citizen's address: 30 public checks a minute for the whole cluster.
    let public = (0..36).map(|i| {
        let node = nodes[i % nodes.len()];
        node.get("/api/v1/imei/public/356938035643809")
    });
    let answers = join_all(public).await;
    let passed = answers.iter().filter(|a| a.status != 429).count();
    assert_eq!(
        passed,
        30,
        "{:?}",
        answers.iter().map(|a| a.status).collect::<Vec<_>>()
    );
}
