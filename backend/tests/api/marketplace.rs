//! Marketplace: who sees, edits, publishes and receives what.

use reqwest::Method;
use serde_json::{Value, json};

use crate::cast::cast;
use crate::support::{SignedIn, TestApp};

fn service_listing(title: &str) -> Value {
    json!({
        "organisation": "silk-road-cloud",
        "kind": "service",
        "title": title,
        "description": "Managed PostgreSQL clusters in Tashkent and Baku data centres.",
        "translations": [{"lang": "ru", "title": "Управляемые кластеры PostgreSQL", "description": "Кластеры PostgreSQL в Ташкенте и Баку."}],
        "categories": ["cloud-hosting"],
        "countries": ["UZ", "AZ"],
        "price_model": "subscription",
        "price_min": 2500000,
        "currency": "UZS"
    })
}

async fn public_ids(app: &TestApp) -> Vec<String> {
    let page = app
        .get("/api/v1/marketplace/listings?limit=100")
        .await
        .json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn decide(app: &TestApp, who: &SignedIn, id: &str, body: Value) -> crate::support::Reply {
    app.send(
        app.authed(
            Method::POST,
            &format!("/api/v1/marketplace/listings/{id}/decision"),
            &who.access_token,
        )
        .json(&body),
    )
    .await
}

#[actix_web::test]
async fn only_published_listings_are_public_and_moderators_alone_publish() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let created = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/marketplace/listings",
                &cast.cloud_editor.access_token,
            )
            .json(&service_listing("Managed PostgreSQL")),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["state"], "draft");
    let path = format!("/api/v1/marketplace/listings/{id}");

    // A draft is invisible to the public and to other organisations, visible to its own.
    assert!(!public_ids(&app).await.contains(&id));
    app.get(&path).await.problem(404, "not_found");
    app.send(app.authed(Method::GET, &path, &cast.caspian_editor.access_token))
        .await
        .problem(404, "not_found");
    assert_eq!(
        app.send(app.authed(Method::GET, &path, &cast.cloud_member.access_token))
            .await
            .status,
        200
    );

    let submitted = app
        .send(app.authed(
            Method::POST,
            &format!("{path}/submit"),
            &cast.cloud_editor.access_token,
        ))
        .await;
    assert_eq!(
        submitted.json()["state"],
        "pending_review",
        "{}",
        submitted.body
    );
    app.get(&path).await.problem(404, "not_found");

    // Moderators alone publish.
    let approve = json!({"decision": "approve"});
    decide(&app, &cast.cloud_editor, &id, approve.clone())
        .await
        .problem(403, "forbidden");
    decide(&app, &cast.cloud_member, &id, approve.clone())
        .await
        .problem(403, "forbidden");
    app.send(
        app.client
            .post(app.url(&format!("{path}/decision")))
            .json(&approve),
    )
    .await
    .problem(401, "unauthenticated");
    let published = decide(&app, &cast.moderator, &id, approve.clone()).await;
    assert_eq!(published.json()["state"], "published", "{}", published.body);
    assert!(public_ids(&app).await.contains(&id));
    assert_eq!(app.get(&path).await.json()["title"], "Managed PostgreSQL");

    // Published listings reach the search index; drafts never did.
    let state = app.state.clone();
    let found = tokio::task::spawn_blocking(move || {
        let mut conn = state.db.connection().unwrap();
        silkbridge::search::rebuild(&state.db, &state.index, 100, &mut |_| {
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
        silkbridge::search::apply_pending(&mut conn, &state.index).unwrap();
        state
            .index
            .simple_search("PostgreSQL", &["public".to_owned()], 10)
            .unwrap()
            .1
    })
    .await
    .unwrap();
    assert!(
        found
            .iter()
            .any(|h| h.kind == "listing" && h.entity_id == id),
        "{found:?}"
    );

    // An edit of a published listing goes back through review; the public keeps the old one.
    let edited = app
        .send(
            app.authed(Method::PUT, &path, &cast.cloud_editor.access_token)
                .json(&service_listing("Managed PostgreSQL 17")),
        )
        .await;
    assert_eq!(edited.json()["has_pending_edit"], true, "{}", edited.body);
    assert_eq!(app.get(&path).await.json()["title"], "Managed PostgreSQL");
    let queue = app
        .send(app.authed(
            Method::GET,
            "/api/v1/marketplace/review-queue",
            &cast.moderator.access_token,
        ))
        .await
        .json();
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == id.as_str()),
        "{queue}"
    );
    app.send(app.authed(
        Method::GET,
        "/api/v1/marketplace/review-queue",
        &cast.cloud_editor.access_token,
    ))
    .await
    .problem(403, "forbidden");

    decide(&app, &cast.moderator, &id, json!({"decision": "reject"}))
        .await
        .problem(422, "validation_failed");
    let rejected = decide(
        &app,
        &cast.moderator,
        &id,
        json!({"decision": "reject", "reason": "name the PostgreSQL version policy"}),
    )
    .await;
    assert_eq!(rejected.json()["has_pending_edit"], false);
    assert_eq!(app.get(&path).await.json()["title"], "Managed PostgreSQL");
    decide(&app, &cast.moderator, &id, approve.clone())
        .await
        .problem(409, "conflict");

    app.send(
        app.authed(Method::PUT, &path, &cast.cloud_editor.access_token)
            .json(&service_listing("Managed PostgreSQL 17 (LTS policy)")),
    )
    .await;
    decide(&app, &cast.moderator, &id, approve).await;
    assert_eq!(
        app.get(&path).await.json()["title"],
        "Managed PostgreSQL 17 (LTS policy)"
    );

    // The history keeps every version and decision.
    let history = app
        .send(app.authed(
            Method::GET,
            &format!("{path}/history"),
            &cast.cloud_member.access_token,
        ))
        .await
        .json();
    let decisions: Vec<(&str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["title"].as_str().unwrap(),
                r["decision"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        decisions,
        [
            ("Managed PostgreSQL", "approved"),
            ("Managed PostgreSQL 17", "rejected"),
            ("Managed PostgreSQL 17 (LTS policy)", "approved")
        ]
    );
    assert_eq!(history[1]["reason"], "name the PostgreSQL version policy");
    app.get(&format!("{path}/history"))
        .await
        .problem(401, "unauthenticated");

    // GraphQL answers the same.
    let graphql = app
        .graphql(
            "query($id: String!) { listing(id: $id) { title state organisation { slug } } }",
            json!({"id": id}),
        )
        .await
        .json();
    assert_eq!(
        graphql["data"]["listing"]["title"],
        "Managed PostgreSQL 17 (LTS policy)"
    );
}

#[actix_web::test]
async fn only_the_owning_organisations_editors_edit() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let draft = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/marketplace/listings",
                &cast.cloud_editor.access_token,
            )
            .json(&service_listing("Draft offer")),
        )
        .await
        .json();
    let draft_path = format!(
        "/api/v1/marketplace/listings/{}",
        draft["id"].as_str().unwrap()
    );
    let body = service_listing("Hijacked");

    // A plain member, another organisation's editor, and a stranger cannot create for it…
    app.send(
        app.authed(
            Method::POST,
            "/api/v1/marketplace/listings",
            &cast.cloud_member.access_token,
        )
        .json(&body),
    )
    .await
    .problem(403, "forbidden");
    app.send(
        app.authed(
            Method::POST,
            "/api/v1/marketplace/listings",
            &cast.caspian_editor.access_token,
        )
        .json(&body),
    )
    .await
    .problem(403, "forbidden");
    app.send(
        app.client
            .post(app.url("/api/v1/marketplace/listings"))
            .json(&body),
    )
    .await
    .problem(401, "unauthenticated");
    // …nor edit its draft (which they cannot even see) …
    app.send(
        app.authed(Method::PUT, &draft_path, &cast.cloud_member.access_token)
            .json(&body),
    )
    .await
    .problem(403, "forbidden");
    app.send(
        app.authed(Method::PUT, &draft_path, &cast.caspian_editor.access_token)
            .json(&body),
    )
    .await
    .problem(404, "not_found");

    // …nor its published listings.
    let published = public_ids(&app).await;
    let caspian_listing = {
        let page = app
            .get("/api/v1/marketplace/listings?limit=100")
            .await
            .json();
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["organisation"]["slug"] == "silk-road-cloud")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(published.contains(&caspian_listing));
    let live = format!("/api/v1/marketplace/listings/{caspian_listing}");
    app.send(
        app.authed(Method::PUT, &live, &cast.caspian_editor.access_token)
            .json(&body),
    )
    .await
    .problem(403, "forbidden");
    app.send(app.client.put(app.url(&live)).json(&body))
        .await
        .problem(401, "unauthenticated");
    app.send(app.authed(
        Method::POST,
        &format!("{live}/archive"),
        &cast.buyer.access_token,
    ))
    .await
    .problem(403, "forbidden");

    // The editor archives; the public no longer sees it, and it cannot be edited again.
    let archived = app
        .send(app.authed(
            Method::POST,
            &format!("{live}/archive"),
            &cast.cloud_editor.access_token,
        ))
        .await;
    assert_eq!(archived.json()["state"], "archived", "{}", archived.body);
    app.get(&live).await.problem(404, "not_found");
    app.send(
        app.authed(Method::PUT, &live, &cast.cloud_editor.access_token)
            .json(&service_listing("Back")),
    )
    .await
    .problem(409, "conflict");

    // The organisation sees all its listings, in every state; others may not look.
    let own = app
        .send(app.authed(
            Method::GET,
            "/api/v1/organisations/silk-road-cloud/listings?limit=100",
            &cast.cloud_member.access_token,
        ))
        .await
        .json();
    let states: Vec<&str> = own["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["state"].as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"draft") && states.contains(&"archived") && states.contains(&"published"),
        "{states:?}"
    );
    app.send(app.authed(
        Method::GET,
        "/api/v1/organisations/silk-road-cloud/listings",
        &cast.caspian_editor.access_token,
    ))
    .await
    .problem(403, "forbidden");
}

#[actix_web::test]
async fn enquiries_reach_only_the_listings_organisation() {
    let app = TestApp::start_with_config(|config| config.marketplace.enquiries_per_hour = 2).await;
    let cast = cast(&app).await;
    let page = app
        .get("/api/v1/marketplace/listings?limit=100")
        .await
        .json();
    let target = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["organisation"]["slug"] == "silk-road-cloud")
        .unwrap();
    let enquiries = format!(
        "/api/v1/marketplace/listings/{}/enquiries",
        target["id"].as_str().unwrap()
    );
    let message =
        json!({"message": "Do you host in Samarkand too?", "reply_to": "buyer@example.org"});

    app.send(app.client.post(app.url(&enquiries)).json(&message))
        .await
        .problem(401, "unauthenticated");
    let sent = app
        .send(
            app.authed(Method::POST, &enquiries, &cast.buyer.access_token)
                .json(&message),
        )
        .await;
    assert_eq!(sent.status, 201, "{}", sent.body);

    let inbox = app
        .send(app.authed(
            Method::GET,
            "/api/v1/organisations/silk-road-cloud/enquiries",
            &cast.cloud_editor.access_token,
        ))
        .await
        .json();
    assert_eq!(inbox.as_array().unwrap().len(), 1, "{inbox}");
    assert_eq!(inbox[0]["message"], "Do you host in Samarkand too?");
    assert_eq!(inbox[0]["sender_name"], "buyer");
    let other_inbox = app
        .send(app.authed(
            Method::GET,
            "/api/v1/organisations/caspian-oss/enquiries",
            &cast.caspian_editor.access_token,
        ))
        .await
        .json();
    assert_eq!(other_inbox, json!([]));
    app.send(app.authed(
        Method::GET,
        "/api/v1/organisations/silk-road-cloud/enquiries",
        &cast.caspian_editor.access_token,
    ))
    .await
    .problem(403, "forbidden");
    app.send(app.authed(
        Method::GET,
        "/api/v1/organisations/silk-road-cloud/enquiries",
        &cast.buyer.access_token,
    ))
    .await
    .problem(403, "forbidden");

    // Drafts cannot be enquired about; bad input is refused; spam is limited.
    let draft = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/marketplace/listings",
                &cast.cloud_editor.access_token,
            )
            .json(&service_listing("Hidden")),
        )
        .await
        .json();
    app.send(
        app.authed(
            Method::POST,
            &format!(
                "/api/v1/marketplace/listings/{}/enquiries",
                draft["id"].as_str().unwrap()
            ),
            &cast.buyer.access_token,
        )
        .json(&message),
    )
    .await
    .problem(404, "not_found");
    app.send(
        app.authed(Method::POST, &enquiries, &cast.buyer.access_token)
            .json(&json!({"message": " "})),
    )
    .await
    .problem(422, "validation_failed");
    assert_eq!(
        app.send(
            app.authed(Method::POST, &enquiries, &cast.buyer.access_token)
                .json(&message)
        )
        .await
        .status,
        201
    );
    let limited = app
        .send(
            app.authed(Method::POST, &enquiries, &cast.buyer.access_token)
                .json(&message),
        )
        .await;
    limited.problem(429, "rate_limited");
    assert!(
        limited.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
}

#[actix_web::test]
async fn bad_listing_input_is_refused_with_field_codes_and_writes_nothing() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let cases = [
        (
            json!({"categories": ["quantum-basket-weaving"]}),
            "categories",
            "unknown_value",
        ),
        (json!({"price_min": -5}), "price_min", "out_of_range"),
        (json!({"currency": null}), "currency", "required"),
        (json!({"price_model": "free"}), "price_model", "conflict"),
        (json!({"kind": "event"}), "starts_at", "required"),
        (
            json!({"kind": "event", "starts_at": "2027-05-02T10:00:00", "ends_at": "2027-05-01T10:00:00"}),
            "ends_at",
            "invalid_range",
        ),
        (json!({"countries": ["KZ"]}), "countries", "unknown_value"),
        (
            json!({"translations": [{"lang": "tlh", "title": "x", "description": "y"}]}),
            "translations[0].lang",
            "unknown_value",
        ),
    ];
    for (change, field, code) in cases {
        let mut body = service_listing("Bad");
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let reply = app
            .send(
                app.authed(
                    Method::POST,
                    "/api/v1/marketplace/listings",
                    &cast.cloud_editor.access_token,
                )
                .json(&body),
            )
            .await;
        let problem = reply.problem(422, "validation_failed");
        assert!(
            problem["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field && e["code"] == code),
            "{field}/{code} expected in {problem}"
        );
    }
    let own = app
        .send(app.authed(
            Method::GET,
            "/api/v1/organisations/silk-road-cloud/listings?limit=100",
            &cast.cloud_editor.access_token,
        ))
        .await
        .json();
    assert_eq!(
        own["items"].as_array().unwrap().len(),
        2,
        "only the two demo listings: nothing was written"
    );

    for query in [
        "price_from=10",
        "sort=cheapest",
        "kind=boat",
        "from=2027-02-01T00:00:00&to=2027-01-01T00:00:00",
        "price_from=-1&currency=USD",
    ] {
        app.get(&format!("/api/v1/marketplace/listings?{query}"))
            .await
            .problem(400, "invalid_parameter");
    }
    app.get("/api/v1/marketplace/listings?from=yesterday")
        .await
        .problem(400, "invalid_parameter");
}

#[actix_web::test]
async fn filters_sort_and_pages_over_the_demo_listings() {
    let app = TestApp::start().await;
    let seeded = app.seed_demo().await;
    let titles = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let events = app
        .get("/api/v1/marketplace/listings?kind=event")
        .await
        .json();
    assert_eq!(
        titles(&events),
        ["Tashkent–Baku open data hackathon (demo event)"]
    );
    let hosting = app
        .get("/api/v1/marketplace/listings?category=cloud-hosting&sort=title")
        .await
        .json();
    assert_eq!(
        titles(&hosting),
        [
            "mariadb-server: MariaDB database server binaries",
            "nginx: small, powerful, scalable web/proxy server"
        ]
    );
    let pricey = app
        .get("/api/v1/marketplace/listings?currency=UZS&price_from=1000000")
        .await
        .json();
    assert_eq!(
        titles(&pricey),
        ["nginx: small, powerful, scalable web/proxy server"]
    );
    let usd_range = app
        .get("/api/v1/marketplace/listings?currency=USD&price_from=100000&price_to=300000")
        .await
        .json();
    assert_eq!(
        titles(&usd_range),
        ["Co-investment call: agritech analytics pilots (demo)"]
    );
    let during = app
        .get("/api/v1/marketplace/listings?from=2027-03-13T12:00:00&to=2027-03-20T00:00:00")
        .await
        .json();
    assert_eq!(titles(&during).len(), 1);
    let after = app
        .get("/api/v1/marketplace/listings?from=2027-04-01T00:00:00")
        .await
        .json();
    assert_eq!(titles(&after).len(), 0);
    for listing in app
        .get("/api/v1/marketplace/listings?country=AZ&limit=100")
        .await
        .json()["items"]
        .as_array()
        .unwrap()
    {
        assert!(
            listing["countries"]
                .as_array()
                .unwrap()
                .contains(&json!("AZ")),
            "{listing}"
        );
    }

    // Pages by title cover every listing once, in order.
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .get(&format!(
                "/api/v1/marketplace/listings?sort=title&limit=3{cursor}"
            ))
            .await
            .json();
        all.extend(titles(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(all.len(), seeded.listings);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted);

    let graphql = app
        .graphql(
            r#"{ listings(filter: {kind: "event"}) { items { title startsAt } } }"#,
            json!({}),
        )
        .await
        .json();
    assert_eq!(
        graphql["data"]["listings"]["items"][0]["title"],
        "Tashkent–Baku open data hackathon (demo event)"
    );
    let categories = app.get("/api/v1/marketplace/categories").await.json();
    let agritech = categories
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == "agritech")
        .unwrap();
    assert!(
        agritech["names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["lang"] == "uz-Cyrl"),
        "{agritech}"
    );
}

fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    bytes.extend((0..size).map(|i| (i % 251) as u8));
    bytes
}

#[actix_web::test]
async fn media_are_streamed_checked_and_served_under_the_listings_visibility() {
    let app =
        TestApp::start_with_config(|config| config.marketplace.media_max_bytes = 50_000).await;
    let cast = cast(&app).await;
    let draft = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/marketplace/listings",
                &cast.cloud_editor.access_token,
            )
            .json(&service_listing("With a picture")),
        )
        .await
        .json();
    let id = draft["id"].as_str().unwrap().to_owned();
    let upload = |who: &SignedIn, content_type: &str, body: Vec<u8>| {
        app.authed(
            Method::POST,
            &format!("/api/v1/marketplace/listings/{id}/media?file_name=diagram.png"),
            &who.access_token,
        )
        .header("content-type", content_type)
        .body(body)
    };
    let image = png(30_000);
    let stored = app
        .send(upload(&cast.cloud_editor, "image/png", image.clone()))
        .await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    let stored = stored.json();
    use sha2::Digest;
    assert_eq!(stored["sha256"], hex_digest(&sha2::Sha256::digest(&image)));
    assert_eq!(stored["size_bytes"], image.len());

    // The content decides, not the label; size is capped; only the organisation's editors add.
    app.send(upload(
        &cast.cloud_editor,
        "image/png",
        b"plain text, not an image".repeat(40),
    ))
    .await
    .problem(415, "unsupported_media_type");
    app.send(upload(&cast.cloud_editor, "image/jpeg", png(100)))
        .await
        .problem(415, "unsupported_media_type");
    app.send(upload(&cast.cloud_editor, "image/png", png(60_000)))
        .await
        .problem(413, "payload_too_large");
    app.send(upload(&cast.cloud_member, "image/png", png(100)))
        .await
        .problem(403, "forbidden");
    app.send(upload(&cast.caspian_editor, "image/png", png(100)))
        .await
        .problem(404, "not_found");
    let objects = std::fs::read_dir(app.dir.path().join("objects/marketplace").join(&id))
        .unwrap()
        .count();
    assert_eq!(objects, 1, "refused uploads leave nothing in the store");

    // Served under the listing's visibility: hidden while a draft, public once published.
    let url = stored["url"].as_str().unwrap().to_owned();
    app.get(&url).await.problem(404, "not_found");
    let seen = app
        .authed(Method::GET, &url, &cast.cloud_member.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(seen.bytes().await.unwrap().to_vec(), image);
    app.send(app.authed(
        Method::POST,
        &format!("/api/v1/marketplace/listings/{id}/submit"),
        &cast.cloud_editor.access_token,
    ))
    .await;
    decide(&app, &cast.moderator, &id, json!({"decision": "approve"})).await;
    let public = app.client.get(app.url(&url)).send().await.unwrap();
    assert_eq!(public.headers()["content-type"], "image/png");
    assert_eq!(
        public.headers()["etag"].to_str().unwrap(),
        format!("\"{}\"", stored["sha256"].as_str().unwrap())
    );
    assert_eq!(public.bytes().await.unwrap().to_vec(), image);
    let listing = app
        .get(&format!("/api/v1/marketplace/listings/{id}"))
        .await
        .json();
    assert_eq!(listing["media"][0]["file_name"], "diagram.png");

    // A live listing's media change only through a draft.
    app.send(upload(&cast.cloud_editor, "image/png", png(100)))
        .await
        .problem(409, "conflict");
}

fn hex_digest(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
