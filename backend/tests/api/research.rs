//! Research: publications, versions, filters, files, citations, and who may read what on
//! every path (REST, GraphQL, OAI-PMH, file download, citation export, search).

use reqwest::Method;
use serde_json::{Value, json};

pub use crate::cast::cast;
use crate::support::{SignedIn, TestApp};

/// A valid publication body for stat-uz; `changes` overrides fields.
pub fn publication(changes: Value) -> Value {
    let mut body = json!({
        "organisation": "stat-uz",
        "publication_type": "report",
        "language": "uz-Latn",
        "title": "Hududlarda tadqiqot natijalari",
        "abstract": "Ushbu tadqiqot hududlar boʻyicha statistik koʻrsatkichlarni tahlil qiladi.",
        "translations": [{
            "lang": "ru",
            "title": "Результаты исследования по регионам",
            "abstract": "Исследование анализирует статистические показатели по регионам."
        }],
        "authors": [{"name": "Dilnoza Karimova", "orcid": "0000-0002-1825-0097", "organisation": "stat-uz"}],
        "keywords": ["statistika", "hududlar"],
        "subjects": ["5.2 Economics and business"],
        "issued": "2025-04-12",
        "venue": "Statistika axborotnomasi",
        "doi": "https://doi.org/10.5555/SILK.2025.001",
        "licence": "cc-by-4.0",
        "access_level": "open"
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
            app.authed(
                Method::POST,
                "/api/v1/research/publications",
                &who.access_token,
            )
            .json(&body),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

/// What the database says is open now.
pub async fn open_publications(app: &TestApp) -> i64 {
    silkbridge::research::service::count_open(&app.state)
        .await
        .unwrap()
}

async fn graphql_as(app: &TestApp, who: Option<&SignedIn>, query: &str, variables: Value) -> Value {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(who) = who {
        request = request.bearer_auth(&who.access_token);
    }
    let reply = app.send(request).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn editors_publish_edit_with_history_and_anyone_reads_open_work() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let created = create(&app, &cast.uz, publication(json!({}))).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["doi"], "10.5555/silk.2025.001", "DOI normalised");
    assert_eq!(created["licence"], "CC-BY-4.0", "SPDX spelling");
    assert_eq!(created["year"], 2025);
    assert_eq!(created["version"], 1);
    assert_eq!(created["organisation"]["slug"], "stat-uz");

    // An outsider may read but not edit; anonymous readers see open work.
    let public = app
        .get(&format!("/api/v1/research/publications/{id}"))
        .await;
    assert_eq!(public.status, 200);
    assert_eq!(public.json()["abstract"], created["abstract"]);
    app.send(
        app.authed(
            Method::PUT,
            &format!("/api/v1/research/publications/{id}"),
            &cast.outsider.access_token,
        )
        .json(&publication(json!({}))),
    )
    .await
    .problem(403, "forbidden");

    let mut edit = publication(json!({"title": "Hududlarda tadqiqot natijalari (2-nashr)"}));
    edit.as_object_mut().unwrap().remove("organisation");
    let updated = app
        .send(
            app.authed(
                Method::PUT,
                &format!("/api/v1/research/publications/{id}"),
                &cast.uz.access_token,
            )
            .json(&edit),
        )
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(updated.json()["version"], 2);
    let versions = app
        .get(&format!("/api/v1/research/publications/{id}/versions"))
        .await
        .json();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(
        versions[1]["content"]["title"], "Hududlarda tadqiqot natijalari",
        "the previous version is kept"
    );

    // A second publication with the same DOI is a conflict.
    app.send(
        app.authed(
            Method::POST,
            "/api/v1/research/publications",
            &cast.uz.access_token,
        )
        .json(&publication(json!({"doi": "10.5555/silk.2025.001"}))),
    )
    .await
    .problem(409, "conflict");

    // Filters: organisation, type, year, language (uz = either script), licence.
    let filtered = app
        .get("/api/v1/research/publications?organisation=stat-uz&publication_type=report&year=2025&licence=CC-BY-4.0")
        .await
        .json();
    assert_eq!(
        titles(&filtered),
        vec!["Hududlarda tadqiqot natijalari (2-nashr)"]
    );
    let russian = app
        .get("/api/v1/research/publications?organisation=stat-uz&language=ru")
        .await
        .json();
    assert!(titles(&russian).contains(&"Hududlarda tadqiqot natijalari (2-nashr)".to_owned()));
    let cyrillic_uzbek = app
        .get("/api/v1/research/publications?language=uz&organisation=botany-uz")
        .await
        .json();
    assert_eq!(
        titles(&cyrillic_uzbek),
        vec!["Қорақалпоғистон чўл ўсимликларининг қурғоқчиликка чидамлилиги"],
        "`uz` finds Uzbek in Cyrillic too"
    );
    app.get("/api/v1/research/publications?language=xx")
        .await
        .problem(422, "validation_failed");
    app.get("/api/v1/research/publications?sort=random")
        .await
        .problem(422, "validation_failed");

    // Cursor pagination by title walks every open publication once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/research/publications?sort=title&limit=100&cursor={c}"),
            None => "/api/v1/research/publications?sort=title&limit=100".to_owned(),
        };
        let page = app.get(&path).await.json();
        seen.extend(titles(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "title order holds across pages");
    let open = open_publications(&app).await;
    assert_eq!(seen.len() as i64, open, "every open publication, once");

    // GraphQL gives the same publication.
    let data = graphql_as(
        &app,
        None,
        "query($id: String!) { publication(id: $id) { title version authors { name orcid } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        data["data"]["publication"]["title"],
        "Hududlarda tadqiqot natijalari (2-nashr)"
    );
    assert_eq!(
        data["data"]["publication"]["authors"][0]["orcid"],
        "0000-0002-1825-0097"
    );
}

#[actix_web::test]
async fn bad_input_gets_a_code_per_field_and_stores_nothing() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let before = app
        .get("/api/v1/research/publications?organisation=stat-uz&limit=100")
        .await
        .json();
    let cases = [
        (json!({"licence": "CC-BY-5.0"}), "licence", "unknown_value"),
        (json!({"doi": "10.12/short"}), "doi", "invalid_format"),
        (
            json!({"authors": [{"name": "A. Author", "orcid": "0000-0002-1825-0098"}]}),
            "authors[0].orcid",
            "invalid_format",
        ),
        (
            json!({"abstract": "x".repeat(10_001)}),
            "abstract",
            "too_long",
        ),
        (json!({"issued": "2023-02-30"}), "issued", "invalid_date"),
        (
            json!({"access_level": "embargoed"}),
            "embargo_until",
            "required",
        ),
        (json!({"language": "de"}), "language", "unknown_value"),
        (json!({"authors": []}), "authors", "required"),
    ];
    for (change, field, code) in cases {
        let reply = app
            .send(
                app.authed(
                    Method::POST,
                    "/api/v1/research/publications",
                    &cast.uz.access_token,
                )
                .json(&publication(change.clone())),
            )
            .await;
        let problem = reply.problem(422, "validation_failed");
        let errors = problem["errors"].as_array().unwrap();
        assert!(
            errors
                .iter()
                .any(|e| e["field"] == field && e["code"] == code),
            "{change}: expected {field}/{code} in {problem}"
        );
    }
    let after = app
        .get("/api/v1/research/publications?organisation=stat-uz&limit=100")
        .await
        .json();
    assert_eq!(titles(&before), titles(&after), "nothing was stored");
    let all = app
        .send(app.authed(
            Method::GET,
            "/api/v1/research/publications?organisation=stat-uz&limit=100",
            &cast.uz.access_token,
        ))
        .await
        .json();
    assert!(
        !titles(&all).contains(&"Hududlarda tadqiqot natijalari".to_owned()),
        "not even for its editors"
    );
}

/// Everything an outsider might try on one publication; true where it was visible.
async fn outsider_can_see(
    app: &TestApp,
    who: Option<&SignedIn>,
    id: &str,
    title: &str,
) -> Vec<(&'static str, bool)> {
    let token = who.map(|w| w.access_token.clone());
    let get = |path: String| {
        let mut request = app.client.get(app.url(&path));
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        app.send(request)
    };
    let rest = get(format!("/api/v1/research/publications/{id}")).await;
    let list = get("/api/v1/research/publications?organisation=stat-uz&limit=100".into()).await;
    let citation = get(format!(
        "/api/v1/research/publications/{id}/citation?format=bibtex"
    ))
    .await;
    let versions = get(format!("/api/v1/research/publications/{id}/versions")).await;
    let graphql = graphql_as(
        app,
        who,
        "query($id: String!) { publication(id: $id) { id } publications(filter: {organisation: \"stat-uz\"}, first: 100) { items { id } } }",
        json!({ "id": id }),
    )
    .await;
    let search = get(format!(
        "/api/v1/search?q={}&kind=publication",
        url::form_urlencoded::byte_serialize(title.as_bytes()).collect::<String>()
    ))
    .await
    .json();
    vec![
        ("rest", rest.status == 200),
        ("rest list", list.body.contains(id)),
        ("citation", citation.status == 200),
        ("versions", versions.status == 200),
        ("graphql", !graphql["data"]["publication"].is_null()),
        (
            "graphql list",
            graphql["data"]["publications"].to_string().contains(id),
        ),
        ("search", search["items"].to_string().contains(id)),
        (
            "search count",
            search["facets"]["kind"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k["value"] == "publication")),
        ),
    ]
}

#[actix_web::test]
async fn restricted_publications_are_refused_to_outsiders_on_every_path() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let members_only = create(
        &app,
        &cast.uz,
        publication(json!({"doi": null, "title": "Ichki hisobot zarafshon", "access_level": "organisation"})),
    )
    .await;
    let embargoed = create(
        &app,
        &cast.uz,
        publication(json!({"doi": null, "title": "Embargo ostidagi qashqadaryo", "access_level": "embargoed", "embargo_until": "2099-01-01"})),
    )
    .await;
    app.reindex().await;
    for item in [&members_only, &embargoed] {
        let id = item["id"].as_str().unwrap();
        let title = item["title"].as_str().unwrap();
        for who in [None, Some(&cast.outsider)] {
            let seen = outsider_can_see(&app, who, id, title).await;
            assert!(
                seen.iter().all(|(_, visible)| !visible),
                "{title} leaked to {}: {seen:?}",
                if who.is_some() {
                    "an outsider"
                } else {
                    "anonymous"
                }
            );
        }
        let seen = outsider_can_see(&app, Some(&cast.uz), id, title).await;
        assert!(
            seen.iter().all(|(_, visible)| *visible),
            "{title} hidden from its own organisation: {seen:?}"
        );
        // OAI-PMH never disseminates it.
        let record = app
            .get(&format!(
                "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:silkbridge.local:{id}"
            ))
            .await;
        assert_eq!(record.status, 200);
        assert!(
            record.body.contains("code=\"idDoesNotExist\""),
            "{}",
            record.body
        );
        let list = app
            .get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=org:stat-uz")
            .await;
        assert!(!list.body.contains(id), "listed in OAI-PMH");
    }
}

#[actix_web::test]
async fn an_embargo_opens_on_its_date_for_readers_harvesters_and_search() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let embargoed = create(
        &app,
        &cast.uz,
        publication(json!({"doi": null, "title": "Surxondaryo embargo", "access_level": "embargoed", "embargo_until": "2099-01-01"})),
    )
    .await;
    let id = embargoed["id"].as_str().unwrap().to_owned();
    // Move the embargo date into the past, as time would.
    let db = app.state.db.clone();
    let moved = id.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::prelude::*;
        use silkbridge_schema::tables::publications;
        let mut conn = db.connection().unwrap();
        diesel::update(publications::table.find(moved))
            .set(publications::embargo_until.eq(chrono::NaiveDate::from_ymd_opt(2020, 1, 1)))
            .execute(&mut conn)
            .unwrap();
    })
    .await
    .unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/research/publications/{id}"))
            .await
            .status,
        200,
        "readers see it as soon as the date passes"
    );
    let opened = silkbridge::research::service::release_embargoes(&app.state)
        .await
        .unwrap();
    assert_eq!(opened, 1);
    app.reindex().await;
    let record = app
        .get(&format!(
            "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:silkbridge.local:{id}"
        ))
        .await;
    assert!(
        record
            .body
            .contains("<dc:title xml:lang=\"uz-Latn\">Surxondaryo embargo</dc:title>"),
        "{}",
        record.body
    );
    let hits = app
        .get("/api/v1/search?q=Surxondaryo&kind=publication")
        .await
        .json();
    assert_eq!(hits["total"], 1, "{hits}");
}

const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

#[actix_web::test]
async fn files_stream_in_with_their_hash_and_out_by_byte_range() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let open = create(&app, &cast.uz, publication(json!({}))).await;
    let id = open["id"].as_str().unwrap();
    let upload = |token: &str, body: &'static [u8], content_type: &str| {
        app.authed(
            Method::POST,
            &format!("/api/v1/research/publications/{id}/files?file_name=full%20text.pdf"),
            token,
        )
        .header("content-type", content_type)
        .body(body)
    };
    let stored = app
        .send(upload(&cast.uz.access_token, PDF, "application/pdf"))
        .await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    let file = stored.json();
    use sha2::Digest;
    assert_eq!(file["sha256"], hex::encode(sha2::Sha256::digest(PDF)));
    assert_eq!(file["size_bytes"], PDF.len());
    let url = file["url"].as_str().unwrap();

    let whole = app.client.get(app.url(url)).send().await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.bytes().await.unwrap().as_ref(), PDF);
    let part = app
        .send(app.client.get(app.url(url)).header("range", "bytes=5-7"))
        .await;
    assert_eq!(part.status, 206);
    assert_eq!(part.body, "1.7");
    assert_eq!(
        part.headers["content-range"],
        format!("bytes 5-7/{}", PDF.len())
    );
    let tail = app
        .send(app.client.get(app.url(url)).header("range", "bytes=-6"))
        .await;
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, "%%EOF\n");
    let past = app
        .send(app.client.get(app.url(url)).header("range", "bytes=9999-"))
        .await;
    past.problem(416, "range_not_satisfiable");
    assert_eq!(
        past.headers["content-range"],
        format!("bytes */{}", PDF.len())
    );
    let stale = app
        .send(
            app.client
                .get(app.url(url))
                .header("range", "bytes=0-3")
                .header("if-range", "\"not-this-version\""),
        )
        .await;
    assert_eq!(stale.status, 200, "a stale If-Range gets the whole file");

    // A file that is not what it claims, and outsiders, are refused.
    app.send(upload(
        &cast.uz.access_token,
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
        "application/pdf",
    ))
    .await
    .problem(415, "unsupported_media_type");
    app.send(upload(&cast.outsider.access_token, PDF, "application/pdf"))
        .await
        .problem(403, "forbidden");

    // A members-only publication's file is not found for outsiders.
    let restricted = create(
        &app,
        &cast.uz,
        publication(json!({"doi": null, "access_level": "organisation"})),
    )
    .await;
    let rid = restricted["id"].as_str().unwrap();
    let hidden = app
        .send(
            app.authed(
                Method::POST,
                &format!("/api/v1/research/publications/{rid}/files?file_name=data.csv"),
                &cast.uz.access_token,
            )
            .header("content-type", "text/csv")
            .body("region,count\nToshkent,12\n"),
        )
        .await;
    assert_eq!(hidden.status, 201, "{}", hidden.body);
    let hidden_url = hidden.json()["url"].as_str().unwrap().to_owned();
    app.get(&hidden_url).await.problem(404, "not_found");
    app.send(app.authed(Method::GET, &hidden_url, &cast.outsider.access_token))
        .await
        .problem(404, "not_found");
    let own = app
        .send(app.authed(Method::GET, &hidden_url, &cast.uz.access_token))
        .await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body, "region,count\nToshkent,12\n");
}

#[actix_web::test]
async fn citations_export_as_bibtex_ris_and_csl_json() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let first = create(&app, &cast.uz, publication(json!({}))).await;
    let second = create(
        &app,
        &cast.uz,
        publication(
            json!({"doi": null, "publication_type": "article", "title": "Ikkinchi maqola"}),
        ),
    )
    .await;
    let (a, b) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );
    let bibtex = app
        .get(&format!(
            "/api/v1/research/publications/{a}/citation?format=bibtex"
        ))
        .await;
    assert_eq!(bibtex.status, 200);
    assert!(bibtex.content_type().starts_with("application/x-bibtex"));
    assert!(
        bibtex.body.starts_with("@techreport{karimova2025"),
        "{}",
        bibtex.body
    );
    assert!(
        bibtex.body.contains("doi = {10.5555/silk.2025.001}"),
        "{}",
        bibtex.body
    );
    let ris = app
        .get(&format!(
            "/api/v1/research/citations?ids={a},{b}&format=ris"
        ))
        .await;
    assert_eq!(ris.status, 200);
    assert_eq!(ris.body.matches("ER  - ").count(), 2);
    assert!(ris.body.contains("TY  - RPRT") && ris.body.contains("TY  - JOUR"));
    let csl = app
        .get(&format!(
            "/api/v1/research/citations?ids={b},{a}&format=csl-json"
        ))
        .await
        .json();
    assert_eq!(csl[0]["title"], "Ikkinchi maqola", "in the order asked");
    assert_eq!(csl[1]["issued"]["date-parts"], json!([[2025, 4, 12]]));
    app.get(&format!(
        "/api/v1/research/publications/{a}/citation?format=endnote"
    ))
    .await
    .problem(400, "invalid_parameter");
    let data = graphql_as(
        &app,
        None,
        "query($ids: [String!]!) { citations(ids: $ids, format: \"ris\") }",
        json!({ "ids": [a] }),
    )
    .await;
    assert!(
        data["data"]["citations"]
            .as_str()
            .unwrap()
            .contains("TY  - RPRT")
    );
}

#[actix_web::test]
async fn search_filters_publications_by_year_language_licence_and_tag() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    app.reindex().await;
    let found = |query: &'static str| {
        let app = &app;
        async move {
            let reply = app
                .get(&format!("/api/v1/search?kind=publication&{query}"))
                .await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            let body = reply.json();
            let mut titles: Vec<String> = body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["title"].as_str().unwrap().to_owned())
                .collect();
            titles.sort();
            (titles, body)
        }
    };
    // The one CC0 report readable in Russian, issued 2024.
    let (titles, _) = found("language=ru&licence=cc0-1.0&year_from=2024&year_to=2024").await;
    assert_eq!(
        titles,
        vec!["Xəzər dənizinin Azərbaycan sahillərində suyun keyfiyyətinin monitorinqi"]
    );
    // Tags match whatever script they were written in.
    let (latin, _) = found("tag=bandlik").await;
    let (cyrillic, _) = found("tag=бандлик").await;
    assert_eq!(
        latin,
        vec!["Oʻzbekiston viloyatlarida aholi bandligi tahlili, 2023-yil"]
    );
    assert_eq!(latin, cyrillic);
    // `uz` covers both scripts, and the language facet counts what matched.
    let (_, body) = found("q=tadqiqot&language=uz").await;
    let facets = body["facets"]["language"].as_array().unwrap();
    assert!(facets.iter().any(|f| f["value"] == "uz-Cyrl"), "{body}");
    app.get("/api/v1/search?language=fr")
        .await
        .problem(400, "invalid_parameter");
    app.get("/api/v1/search?year_from=2024&year_to=2020")
        .await
        .problem(400, "invalid_parameter");
}

#[actix_web::test]
async fn writes_by_outsiders_are_refused_on_rest_and_graphql() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let created = create(&app, &cast.uz, publication(json!({}))).await;
    let id = created["id"].as_str().unwrap();
    // Creating for another organisation: 401 without a token, 403 for its outsiders.
    app.send(
        app.client
            .post(app.url("/api/v1/research/publications"))
            .json(&publication(json!({"doi": null}))),
    )
    .await
    .problem(401, "unauthenticated");
    app.send(
        app.authed(
            Method::POST,
            "/api/v1/research/publications",
            &cast.outsider.access_token,
        )
        .json(&publication(json!({"doi": null}))),
    )
    .await
    .problem(403, "forbidden");
    app.send(app.authed(
        Method::DELETE,
        &format!("/api/v1/research/publications/{id}"),
        &cast.outsider.access_token,
    ))
    .await
    .problem(403, "forbidden");
    // A file can be removed by the organisation's editors only.
    let stored = app
        .send(
            app.authed(
                Method::POST,
                &format!("/api/v1/research/publications/{id}/files?file_name=paper.pdf"),
                &cast.uz.access_token,
            )
            .header("content-type", "application/pdf")
            .body(PDF),
        )
        .await;
    assert_eq!(stored.status, 201, "{}", stored.body);
    let file_url = stored.json()["url"].as_str().unwrap().to_owned();
    app.send(app.authed(Method::DELETE, &file_url, &cast.outsider.access_token))
        .await
        .problem(403, "forbidden");
    assert_eq!(
        app.get(&file_url).await.status,
        200,
        "the file is still there"
    );
    // GraphQL says the same, with codes.
    // GraphQL names the input's fields in camelCase.
    let mut input: serde_json::Map<String, Value> = publication(json!({"doi": null}))
        .as_object()
        .unwrap()
        .iter()
        .filter(|(key, _)| *key != "organisation")
        .map(|(key, value)| {
            let camel: String = key
                .split('_')
                .enumerate()
                .map(|(i, part)| {
                    if i == 0 {
                        part.to_owned()
                    } else {
                        part[..1].to_uppercase() + &part[1..]
                    }
                })
                .collect();
            (camel, value.clone())
        })
        .collect();
    let mutation = "mutation($input: PublicationInput!) { createPublication(organisation: \"stat-uz\", input: $input) { id } }";
    let refused = graphql_as(
        &app,
        Some(&cast.outsider),
        mutation,
        json!({ "input": input }),
    )
    .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "forbidden",
        "{refused}"
    );
    let deleted = graphql_as(
        &app,
        Some(&cast.outsider),
        "mutation($id: String!) { deletePublication(id: $id) }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        deleted["errors"][0]["extensions"]["code"], "forbidden",
        "{deleted}"
    );
    input.insert("licence".into(), json!("CC-BY-5.0"));
    let invalid = graphql_as(&app, Some(&cast.uz), mutation, json!({ "input": input })).await;
    assert_eq!(
        invalid["errors"][0]["extensions"]["code"], "validation_failed",
        "{invalid}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/research/publications/{id}"))
            .await
            .status,
        200,
        "still there after the refused deletions"
    );
}
