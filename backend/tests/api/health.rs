use crate::support::TestApp;

#[actix_web::test]
async fn healthz_answers_and_readyz_checks_every_dependency() {
    let app = TestApp::start().await;
    // A node whose index was never built is alive but not ready (see `readiness`).
    app.reindex().await;
    let alive = app.get("/healthz").await;
    assert_eq!(alive.status, 200);
    assert_eq!(alive.json()["status"], "ok");

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    let body = ready.json();
    assert_eq!(body["status"], "ready");
    for dependency in ["database", "search_index", "object_store"] {
        assert_eq!(body[dependency]["ok"], true, "{dependency}: {body}");
    }
}

#[actix_web::test]
async fn readyz_is_503_when_the_object_store_cannot_be_written() {
    let app = TestApp::start().await;
    let objects = app.dir.path().join("objects");
    std::fs::remove_dir_all(&objects).unwrap();
    std::fs::write(&objects, b"a file where the folder was").unwrap();

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 503, "{}", ready.body);
    let body = ready.json();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["object_store"]["ok"], false);
    assert_eq!(body["database"]["ok"], true);
    assert!(ready.headers.contains_key("retry-after"));
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = TestApp::start().await;
    app.get("/healthz").await;
    app.get("/api/v1/organisations/some-slug").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.content_type().starts_with("text/plain"),
        "{}",
        metrics.content_type()
    );
    let text = metrics.body;
    assert!(
        text.contains(
            r#"silkbridge_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
        ),
        "{text}"
    );
    // The pattern, not the raw path, so ids cannot explode the number of series.
    assert!(
        text.contains(r#"route="/api/v1/organisations/{slug}",status="404""#),
        "{text}"
    );
    assert!(!text.contains("some-slug"), "{text}");
    assert!(text.contains("silkbridge_search_index_documents"), "{text}");
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::start().await;
    let given = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("x-request-id", "abc-123"),
        )
        .await;
    assert_eq!(given.headers["x-request-id"], "abc-123");
    let hostile = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("x-request-id", "a\tb c"),
        )
        .await;
    let generated = hostile.headers["x-request-id"].to_str().unwrap();
    assert_ne!(generated, "a\tb c");
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
}
