//! The open-data module against clients written by others: the unmodified PyPI `ckanapi`
//! drives the CKAN Action API, and PyPI `rdflib` parses the DCAT-AP catalogue. Also CKAN's
//! envelope, error types and status codes as raw HTTP.

use std::process::Command;

use reqwest::Method;
use serde_json::{Value, json};

use super::datasets::{create, dataset, upload};
use crate::cast::cast;
use crate::support::TestApp;

/// `python3` if it can import `module`; else the test is skipped, unless `required_by` (an
/// environment variable `.ci/run` sets) demands it.
fn python_with(module: &str, required_by: &str) -> Option<&'static str> {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os(required_by).is_none(),
            "{required_by} is set but the Python module {module} is missing (pip install {module})"
        );
        eprintln!("skipped: no {module} (pip install {module})");
    }
    ok.then_some("python3")
}

async fn run_script(python: &str, script: &str, args: Vec<String>) -> Value {
    let path = format!("{}/tests/opendata/{script}", env!("CARGO_MANIFEST_DIR"));
    let python = python.to_owned();
    let output =
        tokio::task::spawn_blocking(move || Command::new(python).arg(path).args(args).output())
            .await
            .unwrap()
            .unwrap();
    assert!(
        output.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{script} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[actix_web::test]
async fn ckanapi_lists_searches_shows_creates_patches_deletes_and_uploads() {
    let Some(python) = python_with("ckanapi", "SILKBRIDGE_TEST_REQUIRE_CKANAPI") else {
        return;
    };
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    create(&app, &cast.uz, dataset(json!({}))).await;
    let csv = app.dir.path().join("regions.csv");
    std::fs::write(
        &csv,
        "region,population\nToshkent,3040000\nXorazm,1990000\n",
    )
    .unwrap();
    // No indexer task runs in tests: the index is built once here, and CKAN's write actions
    // must make their own changes searchable before they answer (ckanapi searches at once).
    app.reindex().await;
    let seen = run_script(
        python,
        "ckanapi_client.py",
        vec![
            app.base.clone(),
            cast.uz.access_token.clone(),
            "stat-uz".into(),
            csv.display().to_string(),
        ],
    )
    .await;

    assert_eq!(seen["status"], "2.10.0");
    assert_eq!(seen["list_before"], json!(["aholi-soni-2024"]));
    assert_eq!(seen["created"]["name"], "ckanapi-made-dataset");
    assert_eq!(
        seen["created"]["license_id"], "CC-BY-4.0",
        "CKAN's cc-by is CC-BY-4.0"
    );
    assert_eq!(seen["created"]["state"], "active");
    assert_eq!(seen["created_tags"], json!(["ckanapi", "statistika"]));
    assert_eq!(seen["duplicate"], json!(["name"]));
    assert_eq!(seen["anonymous_create"], "NotAuthorized");
    assert_eq!(seen["resource"]["format"], "CSV");
    assert_eq!(seen["resource"]["size"], 50);
    assert_eq!(seen["resource"]["url_type"], "upload");
    assert!(
        seen["resource"]["hash"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(
        seen["resource"]["preview_columns"],
        json!(["region", "population"])
    );
    assert_eq!(seen["resource_show"], true);
    assert_eq!(seen["patched"]["title"], "Dataset patched by ckanapi");
    assert_eq!(seen["patched"]["version"], "2");
    assert_eq!(seen["patched"]["notes_kept"], true);
    assert_eq!(
        seen["patched"]["tags_kept"],
        json!(["ckanapi", "statistika"])
    );
    assert_eq!(seen["patched"]["resources"], 1);
    assert_eq!(seen["shown_title"], "Dataset patched by ckanapi");
    // Both stat-uz datasets mention "statistika"; the facets count them.
    assert_eq!(seen["search"]["count"], 2, "{}", seen["search"]);
    assert_eq!(seen["search"]["tag_facet"]["statistika"], 2);
    assert_eq!(seen["search"]["tag_facet"]["ckanapi"], 1);
    assert_eq!(seen["search"]["format_facet"], json!({"CSV": 1}));
    assert_eq!(
        seen["search"]["search_facets"],
        json!(["groups", "organization", "res_format", "tags"])
    );
    assert_eq!(seen["bad_query"], "SearchQueryError");
    assert!(
        seen["organizations"]
            .as_array()
            .unwrap()
            .contains(&json!("stat-uz"))
    );
    assert_eq!(seen["groups"].as_array().unwrap().len(), 13);
    assert!(
        seen["licenses"]
            .as_array()
            .unwrap()
            .contains(&json!("CC-BY-4.0"))
    );
    assert!(seen["tags"].as_array().unwrap().contains(&json!("aholi")));
    assert_eq!(seen["after_delete"], "NotFound");
    assert_eq!(seen["list_after"], json!(["aholi-soni-2024"]));

    // What ckanapi uploaded is the file, byte for byte, through the REST download too.
    let shown = app
        .send(app.authed(
            Method::GET,
            "/api/v1/datasets/ckanapi-made-dataset",
            &cast.uz.access_token,
        ))
        .await
        .json();
    assert_eq!(shown["state"], "deleted");
    let file = app
        .send(app.authed(
            Method::GET,
            shown["resources"][0]["url"].as_str().unwrap(),
            &cast.uz.access_token,
        ))
        .await;
    assert_eq!(
        file.body,
        "region,population\nToshkent,3040000\nXorazm,1990000\n"
    );
}

#[actix_web::test]
async fn rdflib_reads_one_dcat_dataset_per_public_dataset_in_turtle_and_json_ld() {
    let Some(python) = python_with("rdflib", "SILKBRIDGE_TEST_REQUIRE_RDFLIB") else {
        return;
    };
    let app = TestApp::start_with_config(|config| config.datasets.catalog_page_size = 2).await;
    let cast = cast(&app).await;
    let mut public = Vec::new();
    for (name, private) in [
        ("aholi-soni-2024", false),
        ("budget-2024", false),
        ("roads-2024", false),
        ("secret-2024", true),
    ] {
        let created = create(
            &app,
            &cast.uz,
            dataset(json!({"name": name, "private": private})),
        )
        .await;
        if !private {
            public.push(created["id"].as_str().unwrap().to_owned());
        }
    }
    let reply = upload(
        &app,
        &cast.uz,
        "budget-2024",
        "regions.csv",
        "text/csv",
        b"a,b\n1,2\n".to_vec(),
    )
    .await;
    assert_eq!(reply.status, 201);
    let deleted = app
        .send(app.authed(
            Method::DELETE,
            "/api/v1/datasets/roads-2024",
            &cast.uz.access_token,
        ))
        .await;
    assert_eq!(deleted.status, 204);
    public.pop(); // roads-2024, deleted
    public.sort();
    for format in ["ttl", "jsonld"] {
        let seen = run_script(
            python,
            "dcat_check.py",
            vec![app.base.clone(), format.into()],
        )
        .await;
        let mut found: Vec<String> = seen["datasets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap().to_owned())
            .collect();
        found.sort();
        assert_eq!(
            found, public,
            "{format}: one dcat:Dataset per public dataset"
        );
        assert_eq!(
            seen["pages"], 1,
            "{format}: two public datasets fit one page of two"
        );
        assert_eq!(seen["distributions"], 1);
        assert_eq!(
            seen["licences"],
            json!(["http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"])
        );
        assert_eq!(
            seen["themes"],
            json!(["http://publications.europa.eu/resource/authority/data-theme/SOCI"])
        );
        let titles = seen["titles"][&public[0]].to_string();
        assert!(
            titles.contains("uz-latn:Aholi soni") && titles.contains("ru:Численность"),
            "{titles}"
        );
    }
    // Paging: with a third public dataset the catalogue needs two pages.
    create(&app, &cast.uz, dataset(json!({"name": "third-2024"}))).await;
    let seen = run_script(
        python,
        "dcat_check.py",
        vec![app.base.clone(), "ttl".into()],
    )
    .await;
    assert_eq!(seen["pages"], 2);
    assert_eq!(seen["datasets"].as_array().unwrap().len(), 3);
    assert_eq!(seen["catalogs"], 2, "each page describes the catalogue");
}

#[actix_web::test]
async fn the_action_api_speaks_ckan_envelopes_errors_and_get_parameters() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    create(&app, &cast.uz, dataset(json!({}))).await;
    assert_eq!(app.get("/api/3").await.json(), json!({"version": 3}));
    for prefix in ["/api/3/action", "/api/action"] {
        let reply = app
            .get(&format!("{prefix}/package_show?id=aholi-soni-2024"))
            .await;
        let body = reply.json();
        assert_eq!(body["success"], true);
        assert!(
            body["help"]
                .as_str()
                .unwrap()
                .ends_with("help_show?name=package_show")
        );
        assert_eq!(body["result"]["organization"]["name"], "stat-uz");
        assert_eq!(
            body["result"]["title_translated"]["ru"],
            "Численность населения по регионам"
        );
    }
    let missing = app.get("/api/3/action/package_show?id=nothing-here").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["__type"], "Not Found Error");
    assert_eq!(missing.json()["success"], false);
    let unknown = app.get("/api/3/action/package_revise").await;
    assert_eq!(unknown.status, 400);
    let by_get = app
        .get("/api/3/action/package_delete?id=aholi-soni-2024")
        .await;
    assert_eq!(by_get.status, 400, "writes need POST");
    // Repeated query keys are lists: two facet fields.
    let faceted = app
        .get("/api/3/action/package_search?q=aholi&facet.field=tags&facet.field=groups&rows=0")
        .await
        .json();
    assert_eq!(faceted["result"]["count"], 0, "not indexed yet");
    app.reindex().await;
    let faceted = app
        .get("/api/3/action/package_search?q=aholi&facet.field=tags&facet.field=groups&rows=0")
        .await
        .json();
    assert_eq!(faceted["result"]["count"], 1);
    assert_eq!(faceted["result"]["results"], json!([]));
    assert_eq!(faceted["result"]["facets"]["groups"], json!({"soci": 1}));
    assert_eq!(
        faceted["result"]["search_facets"]["groups"]["items"][0]["display_name"],
        "Population and society"
    );
    // A Cyrillic query finds the Latin-titled dataset (and its Russian translation).
    let cyrillic = app
        .get("/api/3/action/package_search?q=%D0%B0%D2%B3%D0%BE%D0%BB%D0%B8")
        .await
        .json();
    assert_eq!(cyrillic["result"]["count"], 1, "{cyrillic}");
    let bad_sort = app
        .get("/api/3/action/package_search?sort=colour%20asc")
        .await;
    assert_eq!(bad_sort.status, 409);
    assert_eq!(bad_sort.json()["error"]["__type"], "Search Query Error");
    // Authorisation by X-CKAN-API-Key, by a bare Authorization token, or refused.
    let post = |headers: Vec<(&str, String)>, body: Value| {
        let mut request = app
            .client
            .post(app.url("/api/3/action/package_create"))
            .json(&body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        app.send(request)
    };
    let anonymous = post(
        vec![],
        json!({"name": "anon-made", "title": "x", "owner_org": "stat-uz"}),
    )
    .await;
    assert_eq!(anonymous.status, 403);
    assert_eq!(anonymous.json()["error"]["__type"], "Authorization Error");
    let forged = post(
        vec![("Authorization", "not-a-token".into())],
        json!({"name": "forged", "title": "x", "owner_org": "stat-uz"}),
    )
    .await;
    assert_eq!(forged.status, 403);
    let bare = post(
        vec![("Authorization", cast.uz.access_token.clone())],
        json!({"name": "bare-token", "title": "Bare", "owner_org": "stat-uz", "resources": [{"url": "https://stat.uz/a.csv", "name": "A"}]}),
    )
    .await;
    assert_eq!(bare.status, 200, "{}", bare.body);
    assert_eq!(bare.json()["result"]["resources"][0]["format"], "CSV");
    let invalid = post(
        vec![("X-CKAN-API-Key", cast.uz.access_token.clone())],
        json!({"name": "Bad Name", "title": "", "owner_org": "nowhere"}),
    )
    .await;
    assert_eq!(invalid.status, 409);
    let error = &invalid.json()["error"];
    assert_eq!(error["__type"], "Validation Error");
    assert!(
        error["name"].is_array() && error["title"].is_array(),
        "{error}"
    );
    let malformed = app
        .send(
            app.client
                .post(app.url("/api/3/action/package_show"))
                .header("content-type", "application/json")
                .body("{not json"),
        )
        .await;
    assert_eq!(malformed.status, 409);
    assert_eq!(malformed.json()["error"]["__type"], "Validation Error");
    assert_eq!(
        app.get("/api/3/action/package_list").await.json()["result"],
        json!(["aholi-soni-2024", "bare-token"])
    );
    // Writes by others are refused in CKAN's words, and change nothing.
    let as_outsider = |action: &str, body: Value| {
        app.send(
            app.client
                .post(app.url(&format!("/api/3/action/{action}")))
                .header("Authorization", cast.outsider.access_token.clone())
                .json(&body),
        )
    };
    for (action, body) in [
        (
            "package_patch",
            json!({"id": "aholi-soni-2024", "title": "Hijacked"}),
        ),
        (
            "package_update",
            json!({"id": "aholi-soni-2024", "title": "Hijacked"}),
        ),
        ("package_delete", json!({"id": "aholi-soni-2024"})),
        (
            "resource_create",
            json!({"package_id": "aholi-soni-2024", "url": "https://x.example/a.csv"}),
        ),
    ] {
        let refused = as_outsider(action, body).await;
        assert_eq!(refused.status, 403, "{action}: {}", refused.body);
        assert_eq!(refused.json()["error"]["__type"], "Authorization Error");
    }
    let no_url = app
        .send(
            app.client
                .post(app.url("/api/3/action/resource_create"))
                .header("X-CKAN-API-Key", cast.uz.access_token.clone())
                .json(&json!({"package_id": "aholi-soni-2024", "name": "No link"})),
        )
        .await;
    assert_eq!(no_url.status, 409);
    assert!(no_url.json()["error"]["url"].is_array(), "{}", no_url.body);
    let unchanged = app
        .get("/api/3/action/package_show?id=aholi-soni-2024")
        .await
        .json();
    assert_eq!(unchanged["result"]["title"], "Aholi soni hududlar boʻyicha");
    assert_eq!(unchanged["result"]["num_resources"], 0);
    let organisation = app
        .get("/api/3/action/organization_show?id=stat-uz")
        .await
        .json();
    assert_eq!(organisation["result"]["package_count"], 2);
    assert_eq!(organisation["result"]["name"], "stat-uz");
}
