//! Read-your-writes across nodes: a write on one node answers with its change-log position,
//! and a search carrying it on another node — whose index would not have the write yet —
//! finds it. A position that is malformed or past the log is refused, never waited for.

use reqwest::Method;
use serde_json::json;

use super::datasets::dataset;
use crate::cast::cast;
use crate::support::TestApp;

const HEADER: &str = "silkbridge-position";

#[actix_web::test]
async fn a_write_on_one_node_is_found_on_another_with_its_position() {
    let writer = TestApp::start().await;
    let reader = writer.cluster_node().await;
    // A test node runs no indexer of its own: the reader's index stays where it is put.
    reader.reindex().await;
    let cast = cast(&writer).await;
    let created = writer
        .send(
            writer
                .authed(Method::POST, "/api/v1/datasets", &cast.uz.access_token)
                .json(&dataset(
                    json!({"name": "read-your-writes", "title": "Qaytadan oʻqish"}),
                )),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let position = created
        .headers
        .get(HEADER)
        .expect("a write answers with its position")
        .to_str()
        .unwrap()
        .to_owned();
    let search = |with: Option<&str>| {
        let mut request = reader.authed(
            Method::GET,
            "/api/v1/search?q=Qaytadan",
            &cast.uz.access_token,
        );
        if let Some(position) = with {
            request = request.header(HEADER, position);
        }
        reader.send(request)
    };
    let stale = search(None).await.json();
    assert_eq!(stale["total"], 0, "the reader had not applied it: {stale}");
    let fresh = search(Some(&position)).await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert_eq!(fresh.json()["total"], 1, "{}", fresh.body);
    // Reads answer no position; a malformed one, or one past the log, is refused at once.
    assert!(fresh.headers.get(HEADER).is_none());
    search(Some("not-a-position"))
        .await
        .problem(400, "invalid_parameter");
    let started = std::time::Instant::now();
    search(Some("9223372036854775807:1"))
        .await
        .problem(400, "invalid_parameter");
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
}
