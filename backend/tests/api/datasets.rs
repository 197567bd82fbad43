//! Open data: datasets and resources over REST and GraphQL, previews, bad input that stores
//! nothing, and a private dataset that outsiders cannot see on any path (REST, GraphQL, the
//! CKAN API, DCAT, search, download).

use reqwest::Method;
use serde_json::{Value, json};

use crate::cast::cast;
use crate::support::{SignedIn, TestApp};

const REGIONS_CSV: &str = "region,year,population,share,census_date\n\
Toshkent,2024,3040000,0.08,2024-01-01\n\
Samarqand,2024,4100000,0.11,2024-01-01\n\
Бухоро,2023,1990000,0.05,2023-01-01\n";

pub fn dataset(changes: Value) -> Value {
    let mut body = json!({
        "name": "aholi-soni-2024",
        "organisation": "stat-uz",
        "language": "uz-Latn",
        "title": "Aholi soni hududlar boʻyicha",
        "notes": "Hududlar kesimida doimiy aholi soni (statistika).",
        "translations": [{"lang": "ru", "title": "Численность населения по регионам", "notes": "Постоянное население по регионам."}],
        "licence": "CC-BY-4.0",
        "tags": ["aholi", "statistika"],
        "themes": ["soci"],
        "maintainer": "Open data team",
        "maintainer_email": "opendata@example.org",
        "temporal_start": "2024-01-01",
        "temporal_end": "2024-12-31",
        "frequency": "ANNUAL",
        "extras": [{"key": "unit", "value": "persons"}]
    });
    if let (Some(target), Some(changes)) = (body.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            target.insert(key.clone(), value.clone());
        }
    }
    body
}

pub async fn create(app: &TestApp, who: &SignedIn, body: Value) -> Value {
    let reply = app
        .send(
            app.authed(Method::POST, "/api/v1/datasets", &who.access_token)
                .json(&body),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

pub async fn upload(
    app: &TestApp,
    who: &SignedIn,
    dataset: &str,
    file_name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> crate::support::Reply {
    app.send(
        app.authed(
            Method::POST,
            &format!("/api/v1/datasets/{dataset}/resources/upload?file_name={file_name}"),
            &who.access_token,
        )
        .header("content-type", content_type)
        .body(bytes),
    )
    .await
}

/// Objects stored under `datasets/` in the test's object-store folder.
fn stored_objects(app: &TestApp) -> usize {
    let root = app.dir.path().join("objects").join("datasets");
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .flatten()
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() { count(&path) } else { 1 }
                })
                .sum()
        })
    }
    count(&root)
}

async fn dataset_count(app: &TestApp) -> i64 {
    let db = app.state.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.connection().unwrap();
        silkbridge::datasets::index::count(&mut conn).unwrap()
    })
    .await
    .unwrap()
}

#[actix_web::test]
async fn editors_publish_and_everyone_lists_filters_and_pages_over_rest_and_graphql() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let first = create(&app, &cast.uz, dataset(json!({}))).await;
    assert_eq!(first["licence"]["id"], "CC-BY-4.0");
    assert_eq!(first["organisation"]["slug"], "stat-uz");
    assert_eq!(first["themes"], json!(["soci"]));
    for (name, tag, theme) in [
        ("budget-2024", "budget", "econ"),
        ("roads-2024", "roads", "tran"),
    ] {
        create(
            &app,
            &cast.uz,
            dataset(json!({"name": name, "title": name, "tags": [tag], "themes": [theme]})),
        )
        .await;
    }
    let reply = upload(
        &app,
        &cast.uz,
        "budget-2024",
        "regions.csv",
        "text/csv",
        REGIONS_CSV.into(),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);

    // Filters, sort and cursor pagination.
    let names = |reply: &crate::support::Reply| -> Vec<String> {
        reply.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&app.get("/api/v1/datasets?tag=roads").await),
        vec!["roads-2024"]
    );
    assert_eq!(
        names(&app.get("/api/v1/datasets?theme=ECON").await),
        vec!["budget-2024"]
    );
    assert_eq!(
        names(&app.get("/api/v1/datasets?format=csv").await),
        vec!["budget-2024"]
    );
    assert_eq!(
        names(&app.get("/api/v1/datasets?organisation=azstat").await),
        Vec::<String>::new()
    );
    let page = app.get("/api/v1/datasets?limit=2").await;
    assert_eq!(names(&page), vec!["aholi-soni-2024", "budget-2024"]);
    let cursor = page.json()["next_cursor"].as_str().unwrap().to_owned();
    let rest = app
        .get(&format!("/api/v1/datasets?limit=2&cursor={cursor}"))
        .await;
    assert_eq!(names(&rest), vec!["roads-2024"]);
    assert!(rest.json()["next_cursor"].is_null());
    let newest = app.get("/api/v1/datasets?sort=-updated&limit=1").await;
    assert_eq!(
        names(&newest),
        vec!["budget-2024"],
        "the upload touched budget-2024 last"
    );
    let newest_cursor = newest.json()["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(&format!(
            "/api/v1/datasets?sort=-updated&limit=1&cursor={newest_cursor}"
        ))
        .await;
    assert_eq!(names(&second), vec!["roads-2024"]);
    app.get("/api/v1/datasets?sort=sideways")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/datasets?theme=weather")
        .await
        .problem(400, "invalid_parameter");

    // GraphQL sees the same.
    let reply = app
        .graphql(
            "query($f: DatasetFilter) { datasets(filter: $f) { items { name licence { id } resources { format preview { columns { name type } rowCount } } } } dataset(key: \"roads-2024\") { title themes } }",
            json!({"f": {"tag": "budget"}}),
        )
        .await;
    let data = reply.json()["data"].clone();
    assert_eq!(
        data["datasets"]["items"][0]["name"], "budget-2024",
        "{}",
        reply.body
    );
    let preview = &data["datasets"]["items"][0]["resources"][0]["preview"];
    assert_eq!(preview["rowCount"], 3);
    assert_eq!(
        preview["columns"][2],
        json!({"name": "population", "type": "INTEGER"})
    );
    assert_eq!(data["dataset"]["themes"], json!(["tran"]));

    // Patch changes only what it names; PUT replaces; GraphQL mutations go through the same rules.
    let patched = app
        .send(
            app.authed(
                Method::PATCH,
                "/api/v1/datasets/aholi-soni-2024",
                &cast.uz.access_token,
            )
            .json(&json!({"title": "Aholi soni (yangilangan)", "version": "2"})),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let patched = patched.json();
    assert_eq!(patched["title"], "Aholi soni (yangilangan)");
    assert_eq!(patched["tags"], json!(["aholi", "statistika"]));
    assert_eq!(patched["translations"][0]["lang"], "ru");
    let outsider_patch = app
        .send(
            app.authed(
                Method::PATCH,
                "/api/v1/datasets/aholi-soni-2024",
                &cast.outsider.access_token,
            )
            .json(&json!({"title": "Hijacked"})),
        )
        .await;
    outsider_patch.problem(403, "forbidden");
    let reply = app
        .send(
            app.authed(Method::POST, "/graphql", &cast.outsider.access_token).json(&json!({
                "query": "mutation($i: DatasetInput!) { createDataset(input: $i) { id } }",
                "variables": {"i": {"name": "outsider-try", "organisation": "stat-uz", "title": "Try"}}
            })),
        )
        .await;
    assert_eq!(
        reply.json()["errors"][0]["extensions"]["code"],
        "forbidden",
        "{}",
        reply.body
    );
    let reply = app
        .send(
            app.authed(Method::POST, "/graphql", &cast.uz.access_token)
                .json(&json!({
                    "query": "mutation { deleteDataset(key: \"roads-2024\") }"
                })),
        )
        .await;
    assert_eq!(
        reply.json()["data"]["deleteDataset"],
        true,
        "{}",
        reply.body
    );
    app.get("/api/v1/datasets/roads-2024")
        .await
        .problem(404, "not_found");
    let own = app
        .send(app.authed(
            Method::GET,
            "/api/v1/datasets/roads-2024",
            &cast.uz.access_token,
        ))
        .await;
    assert_eq!(
        own.json()["state"],
        "deleted",
        "members still see a deleted dataset"
    );
    assert_eq!(
        names(&app.get("/api/v1/datasets").await),
        vec!["aholi-soni-2024", "budget-2024"]
    );
}

#[actix_web::test]
async fn uploads_are_checked_to_the_end_previewed_and_downloaded_whole_or_by_range() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    create(&app, &cast.uz, dataset(json!({}))).await;
    let reply = upload(
        &app,
        &cast.uz,
        "aholi-soni-2024",
        "regions.csv",
        "text/csv",
        REGIONS_CSV.into(),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let resource = reply.json();
    assert_eq!(resource["format"], "CSV");
    assert_eq!(resource["size_bytes"], REGIONS_CSV.len());
    let types: Vec<&str> = resource["preview"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec!["string", "integer", "integer", "number", "date"]
    );
    assert_eq!(resource["preview"]["rows"][2][0], "Бухоро");
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(REGIONS_CSV.as_bytes()))
    };
    assert_eq!(resource["sha256"], sha);
    let download = app.get(resource["url"].as_str().unwrap()).await;
    assert_eq!(download.status, 200);
    assert_eq!(download.body, REGIONS_CSV);
    let range = app
        .send(
            app.client
                .get(app.url(resource["url"].as_str().unwrap()))
                .header("range", "bytes=0-5"),
        )
        .await;
    assert_eq!((range.status, range.body.as_str()), (206, "region"));

    // A JSON array of objects previews too; a link resource redirects.
    let json_body = r#"[{"code": "UZ", "name": "Oʻzbekiston", "area": 448978}, {"code": "AZ", "name": "Azərbaycan", "area": 86600}]"#;
    let reply = upload(
        &app,
        &cast.uz,
        "aholi-soni-2024",
        "countries.json",
        "application/json",
        json_body.into(),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    // Columns in key order.
    assert_eq!(
        reply.json()["preview"]["columns"][0],
        json!({"name": "area", "type": "integer"})
    );
    assert_eq!(
        reply.json()["preview"]["rows"][1],
        json!(["86600", "AZ", "Azərbaycan"])
    );
    let link = app
        .send(
            app.authed(Method::POST, "/api/v1/datasets/aholi-soni-2024/resources", &cast.uz.access_token)
                .json(&json!({"url": "https://stat.uz/uz/rasmiy-statistika/demography.xlsx", "name": "Source table"})),
        )
        .await;
    assert_eq!(link.status, 201, "{}", link.body);
    let link = link.json();
    assert_eq!(link["format"], "XLSX");
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let moved = no_redirects
        .get(app.url(&format!(
            "/api/v1/datasets/aholi-soni-2024/resources/{}/download",
            link["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 302);
    assert_eq!(
        moved.headers()["location"],
        "https://stat.uz/uz/rasmiy-statistika/demography.xlsx"
    );
    let shown = app.get("/api/v1/datasets/aholi-soni-2024").await.json();
    assert_eq!(shown["resources"].as_array().unwrap().len(), 3);

    // Removing a resource removes its file.
    let before = stored_objects(&app);
    let removed = app
        .send(app.authed(
            Method::DELETE,
            &format!(
                "/api/v1/datasets/aholi-soni-2024/resources/{}",
                resource["id"].as_str().unwrap()
            ),
            &cast.uz.access_token,
        ))
        .await;
    assert_eq!(removed.status, 204);
    assert_eq!(stored_objects(&app), before - 1);
    assert_eq!(app.get(resource["url"].as_str().unwrap()).await.status, 404);
}

#[actix_web::test]
async fn bad_input_gets_a_clear_error_and_stores_nothing() {
    let app =
        TestApp::start_with_config(|config| config.datasets.resource_max_bytes = 64 * 1024).await;
    let cast = cast(&app).await;
    create(&app, &cast.uz, dataset(json!({}))).await;
    let post = |body: Value| {
        app.send(
            app.authed(Method::POST, "/api/v1/datasets", &cast.uz.access_token)
                .json(&body),
        )
    };
    let duplicate = post(dataset(json!({"title": "Another"})))
        .await
        .problem(409, "conflict");
    assert_eq!(duplicate["errors"][0]["field"], "name");
    let unknown = post(dataset(
        json!({"name": "other-name", "organisation": "no-such-org"}),
    ))
    .await
    .problem(422, "validation_failed");
    assert_eq!(unknown["errors"][0]["field"], "organisation");
    let slug = post(dataset(json!({"name": "Not A Slug!"})))
        .await
        .problem(422, "validation_failed");
    assert_eq!(slug["errors"][0]["field"], "name");
    let several = post(dataset(json!({"name": "x", "licence": "GPL-9", "themes": ["weather"], "temporal_end": "2023-01-01"})))
        .await
        .problem(422, "validation_failed");
    let fields: Vec<&str> = several["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["name", "licence", "themes", "temporal_end"] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let anonymous = app
        .send(
            app.client
                .post(app.url("/api/v1/datasets"))
                .json(&dataset(json!({"name": "anon"}))),
        )
        .await;
    anonymous.problem(401, "unauthenticated");
    let outsider = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/datasets",
                &cast.outsider.access_token,
            )
            .json(&dataset(json!({"name": "other-org"}))),
        )
        .await;
    outsider.problem(403, "forbidden");
    assert_eq!(
        dataset_count(&app).await,
        1,
        "no refused dataset was stored"
    );

    // Files: too large, malformed CSV (the bad line is named, wherever it is), not text.
    let big = vec![b'a'; 65 * 1024];
    upload(
        &app,
        &cast.uz,
        "aholi-soni-2024",
        "big.txt",
        "text/plain",
        big,
    )
    .await
    .problem(413, "payload_too_large");
    let mut ragged = String::from("a,b,c\n");
    for i in 0..2000 {
        ragged.push_str(&format!("{i},{i},{i}\n"));
    }
    ragged.push_str("1,2\n");
    let refused = upload(
        &app,
        &cast.uz,
        "aholi-soni-2024",
        "ragged.csv",
        "text/csv",
        ragged.into(),
    )
    .await;
    let problem = refused.problem(422, "validation_failed");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 2002"),
        "{problem}"
    );
    let binary = upload(
        &app,
        &cast.uz,
        "aholi-soni-2024",
        "binary.csv",
        "text/csv",
        b"a,b\n\xff\xfe\x00\x01,2\n".to_vec(),
    )
    .await;
    let problem = binary.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["code"], "malformed_content");
    upload(
        &app,
        &cast.uz,
        "aholi-soni-2024",
        "../etc.csv",
        "text/csv",
        REGIONS_CSV.into(),
    )
    .await
    .problem(400, "invalid_parameter");
    upload(
        &app,
        &cast.outsider,
        "aholi-soni-2024",
        "regions.csv",
        "text/csv",
        REGIONS_CSV.into(),
    )
    .await
    .problem(403, "forbidden");

    // An upload that breaks off leaves no half resource behind.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
        Ok(b"region,year\n".to_vec()),
        Ok(b"Toshkent,2024\n".repeat(100)),
        Err(std::io::Error::other("client went away")),
    ];
    let broken = app
        .authed(
            Method::POST,
            "/api/v1/datasets/aholi-soni-2024/resources/upload?file_name=cut.csv",
            &cast.uz.access_token,
        )
        .header("content-type", "text/csv")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await;
    if let Ok(response) = broken {
        assert!(
            !response.status().is_success(),
            "a broken upload is never accepted"
        );
    }
    let shown = app.get("/api/v1/datasets/aholi-soni-2024").await.json();
    assert_eq!(
        shown["resources"],
        json!([]),
        "no resource from a refused or broken upload"
    );
    // The server notices the broken body asynchronously: give it a moment to abort the write.
    for _ in 0..100 {
        if stored_objects(&app) == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        stored_objects(&app),
        0,
        "no object from a refused or broken upload"
    );
}

#[actix_web::test]
async fn a_private_dataset_is_invisible_to_outsiders_on_every_path() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let private = create(
        &app,
        &cast.uz,
        dataset(
            json!({"name": "maxfiy-hisobot", "title": "Maxfiy ichki hisobot", "private": true}),
        ),
    )
    .await;
    let id = private["id"].as_str().unwrap().to_owned();
    let reply = upload(
        &app,
        &cast.uz,
        "maxfiy-hisobot",
        "regions.csv",
        "text/csv",
        REGIONS_CSV.into(),
    )
    .await;
    let resource = reply.json();
    let resource_id = resource["id"].as_str().unwrap().to_owned();
    let download = resource["url"].as_str().unwrap().to_owned();
    app.reindex().await;

    let as_who = |token: Option<&str>, method: Method, path: &str| match token {
        Some(token) => app.authed(method, path, token),
        None => app.client.request(method, app.url(path)),
    };
    let ckan = |token: Option<&str>, action: &str, params: Value| {
        let mut request = app
            .client
            .post(app.url(&format!("/api/3/action/{action}")))
            .json(&params);
        if let Some(token) = token {
            request = request.header("X-CKAN-API-Key", token);
        }
        app.send(request)
    };
    // The editor (a member) sees it everywhere: the checks below can fail.
    for (who, token, sees) in [
        ("editor", Some(cast.uz.access_token.as_str()), true),
        ("outsider", Some(cast.outsider.access_token.as_str()), false),
        ("anonymous", None, false),
    ] {
        let get = app
            .send(as_who(
                token,
                Method::GET,
                "/api/v1/datasets/maxfiy-hisobot",
            ))
            .await;
        assert_eq!(get.status == 200, sees, "{who}: REST get {}", get.status);
        let list = app
            .send(as_who(token, Method::GET, "/api/v1/datasets"))
            .await
            .body;
        assert_eq!(list.contains(&id), sees, "{who}: REST list");
        let file = app.send(as_who(token, Method::GET, &download)).await;
        assert_eq!(file.status == 200, sees, "{who}: download {}", file.status);
        let resource = app
            .send(as_who(
                token,
                Method::GET,
                &format!("/api/v1/datasets/{id}/resources/{resource_id}"),
            ))
            .await;
        assert_eq!(resource.status == 200, sees, "{who}: resource");
        let body = json!({"query": "{ dataset(key: \"maxfiy-hisobot\") { id } datasets { items { id } } }"});
        let graphql = app
            .send(as_who(token, Method::POST, "/graphql").json(&body))
            .await
            .json();
        assert_eq!(
            graphql["data"]["dataset"].is_object(),
            sees,
            "{who}: GraphQL dataset"
        );
        assert_eq!(
            graphql["data"]["datasets"].to_string().contains(&id),
            sees,
            "{who}: GraphQL list"
        );
        let show = ckan(token, "package_show", json!({"id": "maxfiy-hisobot"})).await;
        assert_eq!(
            show.status == 200,
            sees,
            "{who}: CKAN package_show {}",
            show.body
        );
        if !sees {
            assert_eq!(show.status, 404);
            assert_eq!(show.json()["error"]["__type"], "Not Found Error");
        }
        let search = ckan(
            token,
            "package_search",
            json!({"q": "maxfiy", "include_private": true}),
        )
        .await
        .json();
        assert_eq!(
            search["result"]["count"] == 1,
            sees,
            "{who}: CKAN package_search {search}"
        );
        let resource_show = ckan(token, "resource_show", json!({"id": resource_id})).await;
        assert_eq!(
            resource_show.status == 200,
            sees,
            "{who}: CKAN resource_show"
        );
        let found = app
            .send(as_who(token, Method::GET, "/api/v1/search?q=maxfiy"))
            .await
            .body;
        assert_eq!(found.contains(&id), sees, "{who}: search");
        let rdf = app
            .send(as_who(token, Method::GET, "/dataset/maxfiy-hisobot.ttl"))
            .await;
        assert_eq!(
            rdf.status == 200,
            sees,
            "{who}: DCAT dataset {}",
            rdf.status
        );
        // Public lists never carry it, whoever asks (CKAN's package_list and the catalogue).
        let list = ckan(token, "package_list", json!({})).await.body;
        assert!(!list.contains("maxfiy-hisobot"), "{who}: package_list");
        let catalogue = app
            .send(as_who(token, Method::GET, "/catalog.ttl"))
            .await
            .body;
        assert!(!catalogue.contains(&id), "{who}: catalogue");
        let tags = ckan(token, "package_search", json!({"q": "maxfiy"}))
            .await
            .json();
        assert_eq!(
            tags["result"]["count"], 0,
            "{who}: private datasets need include_private"
        );
    }
}

#[actix_web::test]
async fn the_demo_seeds_datasets_with_real_files_and_search_crosses_scripts() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let added = silkbridge::datasets::demo::seed(&app.state.db, app.state.objects.clone())
        .await
        .unwrap();
    assert!(added >= 15, "{added}");
    let again = silkbridge::datasets::demo::seed(&app.state.db, app.state.objects.clone())
        .await
        .unwrap();
    assert_eq!(again, 0, "seeding is idempotent");
    let cldr = app
        .get("/api/v1/datasets/cldr-territory-and-currency-names")
        .await
        .json();
    let territories = &cldr["resources"][0];
    assert_eq!(territories["format"], "CSV");
    assert_eq!(territories["preview"]["row_count"], 294);
    assert_eq!(territories["preview"]["columns"][4]["name"], "uz_Cyrl");
    let file = app.get(territories["url"].as_str().unwrap()).await;
    assert!(
        file.body.contains("Oʻzbekiston,Ўзбекистон"),
        "real CLDR names"
    );
    app.get("/api/v1/datasets/azstat-portal-review-draft")
        .await
        .problem(404, "not_found");
    app.reindex().await;
    // A Latin query finds the Cyrillic-titled portal of the statistics committee.
    let found = app
        .get("/api/v1/search?q=portal%20statistiki&kind=dataset")
        .await
        .json();
    let titles: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Портал статистики Республики Узбекистан"),
        "{titles:?}"
    );
}

#[actix_web::test]
async fn changes_and_resources_refuse_other_organisations_and_bad_input() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    create(&app, &cast.uz, dataset(json!({}))).await;
    let link = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/datasets/aholi-soni-2024/resources",
                &cast.uz.access_token,
            )
            .json(&json!({"url": "https://stat.uz/a.csv"})),
        )
        .await
        .json();
    let resource = format!(
        "/api/v1/datasets/aholi-soni-2024/resources/{}",
        link["id"].as_str().unwrap()
    );
    let outsider =
        |method: Method, path: &str| app.authed(method, path, &cast.outsider.access_token);
    app.send(
        outsider(Method::PUT, "/api/v1/datasets/aholi-soni-2024")
            .json(&dataset(json!({"title": "Taken"}))),
    )
    .await
    .problem(403, "forbidden");
    app.send(outsider(Method::DELETE, "/api/v1/datasets/aholi-soni-2024"))
        .await
        .problem(403, "forbidden");
    app.send(
        outsider(Method::POST, "/api/v1/datasets/aholi-soni-2024/resources")
            .json(&json!({"url": "https://x.example/a.csv"})),
    )
    .await
    .problem(403, "forbidden");
    app.send(outsider(Method::DELETE, &resource))
        .await
        .problem(403, "forbidden");
    app.send(app.client.delete(app.url(&resource)))
        .await
        .problem(401, "unauthenticated");
    let reply = app
        .send(outsider(Method::POST, "/graphql").json(&json!({
            "query": "mutation { addDatasetLink(key: \"aholi-soni-2024\", input: {url: \"https://x.example/a.csv\"}) { id } }"
        })))
        .await
        .json();
    assert_eq!(
        reply["errors"][0]["extensions"]["code"], "forbidden",
        "{reply}"
    );

    let editor = |method: Method, path: &str| app.authed(method, path, &cast.uz.access_token);
    let no_url = app
        .send(
            editor(Method::POST, "/api/v1/datasets/aholi-soni-2024/resources")
                .json(&json!({"name": "No link"})),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(no_url["errors"][0]["field"], "url");
    let ftp = app
        .send(
            editor(Method::POST, "/api/v1/datasets/aholi-soni-2024/resources")
                .json(&json!({"url": "ftp://stat.uz/a.csv"})),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(ftp["errors"][0]["field"], "url");
    app.send(editor(Method::PATCH, "/api/v1/datasets/aholi-soni-2024").json(&json!({"tags": 5})))
        .await
        .problem(400, "invalid_parameter");
    let renamed = app
        .send(
            editor(Method::PUT, "/api/v1/datasets/aholi-soni-2024")
                .json(&dataset(json!({"name": "Bad Name"}))),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(renamed["errors"][0]["field"], "name");
    let reply = app
        .send(editor(Method::POST, "/graphql").json(&json!({
            "query": "mutation { updateDataset(key: \"aholi-soni-2024\", input: {name: \"Bad Name\", organisation: \"stat-uz\", title: \"T\"}) { id } }"
        })))
        .await
        .json();
    assert_eq!(
        reply["errors"][0]["extensions"]["code"], "validation_failed",
        "{reply}"
    );
    // Nothing of the refused changes stuck.
    let shown = app.get("/api/v1/datasets/aholi-soni-2024").await.json();
    assert_eq!(shown["title"], "Aholi soni hududlar boʻyicha");
    assert_eq!(shown["tags"], json!(["aholi", "statistika"]));
    assert_eq!(shown["resources"].as_array().unwrap().len(), 1);
}

/// The audit entries of `action`s on `target`, as `(actor, action)`.
fn audited(app: &TestApp, target_prefix: &str) -> Vec<(String, String)> {
    use diesel::prelude::*;
    use silkbridge_schema::tables::audit_log::dsl;
    let mut conn = app.state.db.connection().unwrap();
    dsl::audit_log
        .filter(dsl::target.like(format!("{target_prefix}%")))
        .order(dsl::seq)
        .select((dsl::actor, dsl::action))
        .load(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn content_edits_are_audited_with_their_editor_and_refused_ones_are_not() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let actor = format!("user:{}", cast.uz.user_id);
    let created = create(&app, &cast.uz, dataset(json!({}))).await;
    let id = created["id"].as_str().unwrap().to_owned();
    let editor = |method, path: &str| app.authed(method, path, &cast.uz.access_token);
    let link = json!({"name": "Portal", "url": "https://stat.uz/en/open-data", "format": "HTML"});
    app.send(editor(Method::POST, "/api/v1/datasets/aholi-soni-2024/resources").json(&link))
        .await;
    // The outsider's edit is refused and leaves nothing in the trail.
    let refused = app
        .send(
            app.authed(
                Method::PUT,
                "/api/v1/datasets/aholi-soni-2024",
                &cast.outsider.access_token,
            )
            .json(&dataset(json!({"title": "Hijacked"}))),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    app.send(
        editor(Method::PUT, "/api/v1/datasets/aholi-soni-2024")
            .json(&dataset(json!({"title": "Aholi soni (yangilangan)"}))),
    )
    .await;
    app.send(editor(Method::DELETE, "/api/v1/datasets/aholi-soni-2024"))
        .await;
    let trail = audited(&app, &format!("dataset:{id}"));
    let actions: Vec<&str> = trail.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "dataset.create",
            "dataset.resource_add",
            "dataset.update",
            "dataset.delete"
        ]
    );
    assert!(trail.iter().all(|(who, _)| *who == actor), "{trail:?}");

    let publication = app
        .send(
            editor(Method::POST, "/api/v1/research/publications")
                .json(&super::research::publication(json!({}))),
        )
        .await
        .json();
    let publication_id = publication["id"].as_str().unwrap();
    app.send(editor(
        Method::DELETE,
        &format!("/api/v1/research/publications/{publication_id}"),
    ))
    .await;
    let trail = audited(&app, &format!("publication:{publication_id}"));
    assert_eq!(
        trail,
        [
            (actor.clone(), "publication.create".to_owned()),
            (actor, "publication.delete".to_owned())
        ]
    );
    let chain = silkbridge::audit::verify(&mut app.state.db.connection().unwrap()).unwrap();
    assert!(
        matches!(chain, silkbridge::audit::ChainCheck::Intact { .. }),
        "{chain:?}"
    );
}
