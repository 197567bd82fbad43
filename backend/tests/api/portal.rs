//! The web portal: every page type renders in every locale from the same service calls as
//! the API (so it shows nothing the API would refuse), with the portal's security headers,
//! language negotiation and HTML error pages.

use reqwest::Method;

use crate::cast::cast;
use crate::support::{Reply, TestApp};

const LOCALES: [&str; 5] = ["uz", "uz-Cyrl", "az", "ru", "en"];

/// A page as a browser without credentials gets it.
async fn page(app: &TestApp, path: &str) -> Reply {
    let reply = app.get(path).await;
    if reply.status == 200 {
        assert_portal_page(&reply, path);
    }
    reply
}

/// What every portal page carries: HTML, the strict policy, no inline script or style.
fn assert_portal_page(reply: &Reply, path: &str) {
    assert!(reply.content_type().starts_with("text/html"), "{path}");
    let csp = reply.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
    let scripts = reply.body.matches("<script").count();
    let data_blocks = reply
        .body
        .matches("<script type=\"application/ld+json\">")
        .count();
    assert_eq!(scripts, data_blocks, "{path}: no script but JSON-LD data");
    assert!(!reply.body.contains("style=\""), "{path}: no inline style");
    assert!(
        reply
            .body
            .contains("rel=\"stylesheet\" href=\"/assets/portal."),
        "{path}"
    );
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[actix_web::test]
async fn the_root_sends_people_to_their_language_and_every_home_page_is_translated() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    app.reindex().await;
    let client = no_redirects();
    for (accept, expected) in [
        (None, "/uz/"),
        (Some("ru-RU,ru;q=0.9"), "/ru/"),
        (Some("uz-Cyrl"), "/uz-Cyrl/"),
        (Some("de, az;q=0.5"), "/az/"),
    ] {
        let mut request = client.get(app.url("/"));
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        let reply = request.send().await.unwrap();
        assert_eq!(reply.status().as_u16(), 303, "{accept:?}");
        assert_eq!(reply.headers()["location"], expected, "{accept:?}");
    }
    let headings = [
        ("uz", "Ikki mamlakatning ilmiy ishlari"),
        ("uz-Cyrl", "Икки мамлакатнинг илмий ишлари"),
        ("az", "İki ölkənin elmi işlərini"),
        ("ru", "Исследования и открытые данные двух стран"),
        ("en", "Find research and open data of two countries"),
    ];
    for (locale, heading) in headings {
        let home = page(&app, &format!("/{locale}/")).await;
        assert_eq!(home.status, 200, "{locale}: {}", home.body);
        assert!(
            home.body.contains(&format!("<html lang=\"{locale}\">")),
            "{locale}"
        );
        assert!(home.body.contains(heading), "{locale}: {}", home.body);
        for other in LOCALES {
            assert!(
                home.body
                    .contains(&format!("hreflang=\"{other}\" href=\"/{other}/\"")),
                "{locale} links {other}"
            );
        }
        // The latest open publications and the index's counts are listed (the demo's
        // datasets carry files and are seeded by the server, not here).
        assert!(
            home.body.contains(&format!("/{locale}/publications/")),
            "{locale}"
        );
        assert!(
            home.body
                .contains(&format!("/{locale}/search?kind=publication")),
            "{locale}"
        );
    }
    let stylesheet = home_stylesheet(&app).await;
    let css = app.get(&stylesheet).await;
    assert_eq!(css.status, 200);
    assert!(
        css.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert_eq!(app.get("/assets/portal.0000.css").await.status, 404);
}

async fn home_stylesheet(app: &TestApp) -> String {
    let home = app.get("/en/").await;
    let start = home.body.find("/assets/portal.").unwrap();
    let end = start + home.body[start..].find('"').unwrap();
    home.body[start..end].to_owned()
}

#[actix_web::test]
async fn search_finds_both_scripts_with_facets_and_stable_urls() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    app.reindex().await;
    // Latin finds what is written in Cyrillic and the other way round.
    let latin = page(&app, "/en/search?q=statistika").await;
    assert_eq!(latin.status, 200, "{}", latin.body);
    let cyrillic = page(&app, "/en/search?q=статистика").await;
    assert_eq!(cyrillic.status, 200, "{}", cyrillic.body);
    let count = |reply: &Reply| {
        let at = reply.body.find("role=\"status\">").unwrap() + "role=\"status\">".len();
        reply.body[at..].split('<').next().unwrap().to_owned()
    };
    assert_ne!(count(&latin), "0 results", "{}", latin.body);
    assert_eq!(count(&latin), count(&cyrillic));
    assert!(latin.body.contains("<mark>"), "matched words are marked");
    // A facet link is a stable URL that filters; its page lists only that kind.
    let organisations_href = "/en/search?q=statistika&#38;kind=organisation";
    assert!(latin.body.contains(organisations_href), "{}", latin.body);
    let filtered = page(&app, "/en/search?q=statistika&kind=organisation").await;
    assert_eq!(filtered.status, 200);
    assert!(
        filtered
            .body
            .contains(r#"aria-current="true">Organisation"#),
        "{}",
        filtered.body
    );
    assert!(
        filtered.body.contains("/en/organisations/"),
        "{}",
        filtered.body
    );
    assert!(
        !filtered.body.contains("/en/publications/"),
        "only organisations"
    );
    // Russian counts use Russian plurals.
    let russian = page(&app, "/ru/search?q=statistika").await;
    assert!(count(&russian).contains("результат"), "{}", count(&russian));
    // Facets beyond kind, country and language: organisation (by name), year, licence, tag;
    // the year facet selects one year.
    for facet in ["Organisation", "Year", "Licence", "Tag"] {
        assert!(
            latin.body.contains(&format!("<h3>{facet}</h3>")),
            "{facet}: {}",
            latin.body
        );
    }
    let everything = page(&app, "/en/search").await;
    let year_link = everything
        .body
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|href| href.contains("year_from="))
        .unwrap()
        .replace("&#38;", "&");
    let by_year = page(&app, &year_link).await;
    assert_eq!(by_year.status, 200);
    assert!(
        by_year.body.contains("aria-current=\"true\""),
        "{year_link}: {}",
        by_year.body
    );
    assert_ne!(count(&by_year), count(&everything), "{year_link}");
    // A cursor the search did not issue is the HTML not-found page, not a JSON error.
    let forged = page(&app, "/en/search?cursor=abc").await;
    assert_eq!(forged.status, 404);
    assert!(forged.body.contains("Page not found"), "{}", forged.body);
}

#[actix_web::test]
async fn pages_show_what_the_api_shows_and_refuse_what_it_refuses() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    // An open publication and an organisation-only one of stat-uz.
    let open = super::research::create(
        &app,
        &cast.uz,
        super::research::publication(serde_json::json!({})),
    )
    .await;
    let restricted = super::research::create(
        &app,
        &cast.uz,
        super::research::publication(serde_json::json!({
            "title": "Ichki hisobot loyihasi",
            "access_level": "organisation",
            "doi": null
        })),
    )
    .await;
    let open_id = open["id"].as_str().unwrap();
    let restricted_id = restricted["id"].as_str().unwrap();
    for locale in LOCALES {
        let shown = page(&app, &format!("/{locale}/publications/{open_id}")).await;
        assert_eq!(shown.status, 200, "{locale}: {}", shown.body);
        assert!(
            shown.body.contains("<meta name=\"citation_title\""),
            "{locale}"
        );
        assert!(shown.body.contains("citation?format=bibtex"), "{locale}");
        assert!(
            shown.body.contains(r#""@type":"ScholarlyArticle""#),
            "{locale}"
        );
        let links = shown.headers["link"].to_str().unwrap();
        assert!(links.contains(r#"rel="cite-as""#), "{links}");
        assert!(
            links.contains("https://orcid.org/0000-0002-1825-0097"),
            "{links}"
        );
        // The title in the page's language where a translation exists, marked with it.
        if locale == "ru" {
            assert!(
                shown
                    .body
                    .contains("lang=\"ru\">Результаты исследования по регионам"),
                "{}",
                shown.body
            );
        }
        let hidden = page(&app, &format!("/{locale}/publications/{restricted_id}")).await;
        assert_eq!(hidden.status, 404, "{locale}");
        assert!(
            !hidden.body.contains("Ichki hisobot"),
            "nothing of it leaks"
        );
    }
    // Its organisation's member sees it, as over the API.
    let member = app
        .send(app.authed(
            Method::GET,
            &format!("/en/publications/{restricted_id}"),
            &cast.uz.access_token,
        ))
        .await;
    assert_eq!(member.status, 200);
    assert!(member.body.contains("Ichki hisobot loyihasi"));
    // Datasets and organisations, by name, slug or id.
    let created = super::datasets::create(
        &app,
        &cast.uz,
        super::datasets::dataset(serde_json::json!({})),
    )
    .await;
    let name = created["name"].as_str().unwrap().to_owned();
    let dataset = page(&app, &format!("/az/datasets/{name}")).await;
    assert_eq!(dataset.status, 200, "{}", dataset.body);
    assert!(dataset.body.contains(&format!("/dataset/{name}.ttl")));
    let by_slug = page(&app, "/uz-Cyrl/organisations/stat-uz").await;
    assert_eq!(by_slug.status, 200, "{}", by_slug.body);
    assert!(by_slug.body.contains("Давлат идораси"), "kind translated");
    let id = app.get("/api/v1/organisations/stat-uz").await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        page(&app, &format!("/ru/organisations/{id}")).await.status,
        200
    );
    // Unknown records are the translated not-found page; locale-less links negotiate.
    let missing = page(&app, "/ru/datasets/no-such-dataset").await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Страница не найдена"),
        "{}",
        missing.body
    );
    let negotiated = no_redirects()
        .get(app.url(&format!("/publications/{open_id}")))
        .header("accept-language", "az")
        .send()
        .await
        .unwrap();
    assert_eq!(negotiated.status().as_u16(), 303);
    assert_eq!(
        negotiated.headers()["location"],
        format!("/az/publications/{open_id}").as_str()
    );
}

#[actix_web::test]
async fn citizens_check_a_phone_within_the_same_limit_as_the_api() {
    let app = TestApp::start_with(|config, _| config.imei.public_checks_per_minute = 3).await;
    app.seed_demo().await;
    let form = page(&app, "/ru/imei").await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("Проверка телефона по IMEI"),
        "{}",
        form.body
    );
    assert!(
        !form.body.contains("role=\"status\""),
        "no answer before a question"
    );
    // A mistyped number is the form again with the error tied to the field; no check spent.
    let bad = page(&app, "/en/imei?imei=12345").await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("aria-invalid=\"true\""), "{}", bad.body);
    // A blocked demo device and an ordinary one, as the API answers them.
    let blocked = app.get("/api/v1/imei/public/490154203237518").await.json();
    let expected = match blocked["status"].as_str().unwrap() {
        "BLACKLISTED" => "Reported stolen or lost",
        "GREYLISTED" => "Not confirmed",
        _ => "Not reported",
    };
    let shown = page(&app, "/en/imei?imei=490154203237518").await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains(expected), "{}", shown.body);
    // The API's checks and the page's draw from one bucket per address: the fourth is
    // refused with the friendly page.
    assert_eq!(
        app.get("/api/v1/imei/public/490154203237518").await.status,
        200
    );
    let refused = app.get("/az/imei?imei=490154203237518").await;
    assert_eq!(refused.status, 429);
    assert!(
        refused.body.contains("Həddindən çox sorğu"),
        "{}",
        refused.body
    );
}

#[actix_web::test]
async fn the_marketplace_lists_published_listings_with_filters_in_every_locale() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let api = app
        .get("/api/v1/marketplace/listings?kind=event")
        .await
        .json();
    let event = &api["items"][0];
    let id = event["id"].as_str().unwrap();
    for locale in LOCALES {
        let browse = page(&app, &format!("/{locale}/marketplace")).await;
        assert_eq!(browse.status, 200, "{locale}: {}", browse.body);
        assert!(
            browse
                .body
                .contains(&format!("/{locale}/marketplace?kind=event")),
            "{locale}"
        );
        let events = page(&app, &format!("/{locale}/marketplace?kind=event")).await;
        assert!(
            events.body.contains(&format!("/{locale}/marketplace/{id}")),
            "{locale}"
        );
        let shown = page(&app, &format!("/{locale}/marketplace/{id}")).await;
        assert_eq!(shown.status, 200, "{locale}");
        // An event shows its dates.
        let starts = event["starts_at"].as_str().unwrap();
        assert!(
            shown
                .body
                .contains(&format!("<time datetime=\"{}\">", &starts[..10])),
            "{locale}: {}",
            shown.body
        );
    }
    // A draft is not on the page, as it is not in the API.
    assert_eq!(
        page(&app, "/en/marketplace/no-such-listing").await.status,
        404
    );
}

#[actix_web::test]
async fn the_sitemap_lists_every_public_page_with_its_languages_and_nothing_hidden() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let hidden = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/research/publications",
                &cast.uz.access_token,
            )
            .json(&super::research::publication(serde_json::json!({
                "access_level": "organisation",
                "doi": null
            }))),
        )
        .await
        .json();
    let robots = app.get("/robots.txt").await;
    assert!(robots.body.contains("Sitemap: "), "{}", robots.body);
    let index = app.get("/sitemap.xml").await;
    assert_eq!(index.status, 200);
    assert!(
        index.body.contains("/sitemap-publications.xml"),
        "{}",
        index.body
    );
    let publications = app.get("/sitemap-publications.xml").await;
    assert_eq!(publications.status, 200);
    let open = super::research::open_publications(&app).await;
    assert_eq!(
        publications.body.matches("<url>").count() as i64,
        open,
        "every open publication, nothing else"
    );
    assert!(!publications.body.contains(hidden["id"].as_str().unwrap()));
    assert!(publications.body.contains(r#"hreflang="uz-Cyrl""#));
    let organisations = app.get("/sitemap-organisations.xml").await;
    assert!(
        organisations
            .body
            .contains("/uz/organisations/stat-uz</loc>")
    );
    assert_eq!(app.get("/sitemap-secrets.xml").await.status, 404);
    // Fewer than 50,000 of a kind: one file, and no numbered ones.
    assert!(!index.body.contains("/sitemap-publications-2.xml"));
    assert_eq!(app.get("/sitemap-publications-2.xml").await.status, 404);
    assert_eq!(app.get("/sitemap-pages-2.xml").await.status, 404);
}

#[actix_web::test]
async fn a_withdrawn_publication_is_gone_with_what_it_was_and_a_never_public_one_is_not_found() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let public = super::research::create(
        &app,
        &cast.uz,
        super::research::publication(serde_json::json!({})),
    )
    .await;
    let private = super::research::create(
        &app,
        &cast.uz,
        super::research::publication(serde_json::json!({
            "title": "Hech qachon ochilmagan",
            "access_level": "organisation",
            "doi": null
        })),
    )
    .await;
    for created in [&public, &private] {
        let id = created["id"].as_str().unwrap();
        let deleted = app
            .send(app.authed(
                Method::DELETE,
                &format!("/api/v1/research/publications/{id}"),
                &cast.uz.access_token,
            ))
            .await;
        assert_eq!(deleted.status, 204);
    }
    let gone = page(
        &app,
        &format!("/ru/publications/{}", public["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(gone.status, 410, "{}", gone.body);
    assert!(
        gone.body.contains("Эта публикация отозвана"),
        "{}",
        gone.body
    );
    assert!(
        gone.body.contains("Hududlarda tadqiqot natijalari"),
        "what it was"
    );
    let never = page(
        &app,
        &format!("/ru/publications/{}", private["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(never.status, 404);
    assert!(
        !never.body.contains("Hech qachon ochilmagan"),
        "nothing of it leaks"
    );
}

#[actix_web::test]
async fn facets_count_only_what_the_visitor_may_see() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    super::research::create(
        &app,
        &cast.uz,
        super::research::publication(serde_json::json!({
            "keywords": ["ochiqkalit"],
            "issued": "2019-03-01",
            "doi": null
        })),
    )
    .await;
    super::research::create(
        &app,
        &cast.uz,
        super::research::publication(serde_json::json!({
            "keywords": ["maxfiykalit"],
            "issued": "1999-03-01",
            "access_level": "organisation",
            "doi": null
        })),
    )
    .await;
    app.reindex().await;
    // Narrowed to the organisation, so both tags are among the facet's top values.
    let anyone = page(&app, "/en/search?organisation=stat-uz").await;
    assert!(anyone.body.contains("ochiqkalit"), "{}", anyone.body);
    assert!(
        !anyone.body.contains("maxfiykalit") && !anyone.body.contains("1999"),
        "a restricted record's tag or year must not show in the counts: {}",
        anyone.body
    );
    let api = app.get("/api/v1/search?organisation=stat-uz").await.json();
    let tags = api["facets"]["tag"].to_string();
    assert!(
        tags.contains("ochiqkalit") && !tags.contains("maxfiykalit"),
        "{tags}"
    );
    let organisations = &api["facets"]["organisation"];
    assert!(
        organisations
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["value"] == "stat-uz" && o["label"].is_string()),
        "{organisations}"
    );
    // The organisation's member counts its own restricted record.
    let member = app
        .send(app.authed(
            Method::GET,
            "/en/search?organisation=stat-uz",
            &cast.uz.access_token,
        ))
        .await;
    assert!(member.body.contains("maxfiykalit"), "{}", member.body);
    assert!(member.body.contains("1999"));
}

#[actix_web::test]
async fn publication_pages_cite_in_two_styles_and_dates_follow_the_locale() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let open = super::research::create(
        &app,
        &cast.uz,
        super::research::publication(serde_json::json!({})),
    )
    .await;
    let id = open["id"].as_str().unwrap();
    let english = page(&app, &format!("/en/publications/{id}")).await;
    assert_eq!(
        english.body.matches("<figure class=\"reference\">").count(),
        2
    );
    assert!(english.body.contains("<figcaption>APA</figcaption>"));
    assert!(
        english
            .body
            .contains("<figcaption>ГОСТ Р 7.0.5</figcaption>")
    );
    // Issued 2025-04-12: written as each language writes dates.
    assert!(english.body.contains("April 12, 2025"), "{}", english.body);
    let russian = page(&app, &format!("/ru/publications/{id}")).await;
    assert!(russian.body.contains("12 апреля 2025"), "{}", russian.body);
    assert!(!russian.body.contains("2025-04-12</dd>"));
}

#[actix_web::test]
async fn dataset_previews_chart_their_numeric_columns_as_svg() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    silkbridge::datasets::demo::seed(&app.state.db, app.state.objects.clone())
        .await
        .unwrap();
    // The portals-by-topic table counts portals per country; the territories table's numeric
    // column holds codes (`001`), which are not charted.
    let shown = page(&app, "/en/datasets/data-portals-uzbekistan-azerbaijan").await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("<svg role=\"img\""), "{}", shown.body);
    assert!(shown.body.contains("<rect class=\"bar\""));
    assert!(shown.body.contains("portals_uz"), "{}", shown.body);
    let codes = page(&app, "/en/datasets/cldr-territory-and-currency-names").await;
    assert_eq!(codes.status, 200);
    assert!(!codes.body.contains("<svg"), "{}", codes.body);
    // Each chart is labelled by its own title.
    let ids: Vec<&str> = shown
        .body
        .split("<title id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert!(!ids.is_empty());
    for id in &ids {
        assert!(shown.body.contains(&format!("aria-labelledby=\"{id}\"")));
    }
}

#[actix_web::test]
async fn browsers_get_an_html_not_found_page_and_programs_a_problem() {
    let app = TestApp::start().await;
    let client = reqwest::Client::new();
    let browser = |path: &str| {
        client
            .get(app.url(path))
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .header("accept-language", "ru")
            .send()
    };
    let lost = browser("/no/such/page").await.unwrap();
    assert_eq!(lost.status().as_u16(), 404);
    assert!(
        lost.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let body = lost.text().await.unwrap();
    assert!(body.contains("Страница не найдена"), "{body}");
    // The locale in the path wins over the header.
    let body = browser("/az/no-such-page")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("lang=\"az\""), "{body}");
    // Programs keep the problem document, and API paths are never HTML.
    let program = app.get("/no/such/page").await;
    assert_eq!(program.status, 404);
    assert_eq!(program.json()["code"], "route_not_found");
    let api = browser("/api/v1/no-such-endpoint").await.unwrap();
    assert!(
        api.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
    // A known page with the wrong method is still 405.
    let post = client.post(app.url("/en/search")).send().await.unwrap();
    assert_eq!(post.status().as_u16(), 405);
}

#[actix_web::test]
async fn pages_and_the_stylesheet_are_compressed_for_browsers_and_the_api_is_not() {
    let app = TestApp::start().await;
    let client = reqwest::Client::new();
    let gzip = |path: String| {
        client
            .get(app.url(&path))
            .header("accept-encoding", "gzip")
            .send()
    };
    let home = gzip("/en/".to_owned()).await.unwrap();
    assert_eq!(home.headers()["content-encoding"], "gzip");
    let stylesheet = home_stylesheet(&app).await;
    let css = gzip(stylesheet).await.unwrap();
    assert_eq!(css.headers()["content-encoding"], "gzip");
    let api = gzip("/api/v1/organisations".to_owned()).await.unwrap();
    assert!(api.headers().get("content-encoding").is_none());
}

#[actix_web::test]
async fn a_signed_in_visitor_enquires_through_the_form_and_forged_posts_change_nothing() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let listings = app
        .get("/api/v1/marketplace/listings?limit=100")
        .await
        .json();
    let id = listings["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["organisation"]["slug"] == "silk-road-cloud")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let listing = format!("/ru/marketplace/{id}");
    let action = format!("/ru/marketplace/{id}/enquiries");
    let cookie = format!("sb_access={}", cast.buyer.access_token);
    let client = no_redirects();
    // Anyone sees no form; the signed-in browser gets one with its session's token.
    assert!(
        !page(&app, &listing)
            .await
            .body
            .contains("<form method=\"post\"")
    );
    let shown = client
        .get(app.url(&listing))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = shown
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no form: {shown}"))
        .to_owned();
    assert_eq!(token.len(), 40);
    let inbox = || async {
        app.send(app.authed(
            Method::GET,
            "/api/v1/organisations/silk-road-cloud/enquiries",
            &cast.cloud_editor.access_token,
        ))
        .await
        .json()
        .as_array()
        .unwrap()
        .len()
    };
    let post = |origin: &'static str, csrf: String, message: &'static str| {
        client
            .post(app.url(&action))
            .header("cookie", &cookie)
            .header("origin", origin)
            .form(&[
                ("csrf", csrf.as_str()),
                ("message", message),
                ("reply_to", ""),
            ])
            .send()
    };
    let own_origin = app.url("");
    let own_origin: &'static str =
        Box::leak(own_origin.trim_end_matches('/').to_owned().into_boxed_str());
    // Forged: another site's page, or no token, or another session's token.
    for (origin, csrf) in [
        ("https://evil.example", token.clone()),
        (own_origin, String::new()),
        (own_origin, "0".repeat(40)),
    ] {
        let refused = post(origin, csrf, "Forged enquiry").await.unwrap();
        assert_eq!(refused.status().as_u16(), 403, "{origin}");
        assert!(refused.text().await.unwrap().contains("Доступ запрещён"));
    }
    assert_eq!(inbox().await, 0, "a refused form changes nothing");
    // Invalid input: the form again, in Russian, with what was typed kept.
    let empty = post(own_origin, token.clone(), "   ").await.unwrap();
    assert_eq!(empty.status().as_u16(), 422);
    let body = empty.text().await.unwrap();
    assert!(body.contains("aria-invalid=\"true\""), "{body}");
    assert!(body.contains("Напишите сообщение"), "{body}");
    assert_eq!(inbox().await, 0);
    // The real form: sent once, and the page says so.
    let sent = post(own_origin, token, "Do you host in Samarkand too?")
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 303);
    assert_eq!(
        sent.headers()["location"],
        format!("{listing}?sent=1").as_str()
    );
    assert_eq!(inbox().await, 1);
    let after = client
        .get(app.url(&format!("{listing}?sent=1")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(after.contains("Ваш запрос отправлен"), "{after}");
}
