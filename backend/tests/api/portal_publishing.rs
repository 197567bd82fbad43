//! Editors and administrators in the workspace over HTTP: publications, datasets and
//! listings through their forms (field errors from the API's codes, files, review), and the
//! administration pages (members, invitations, keys, partner systems).

use reqwest::Method;

use super::portal_workspace::{Browser, pdf};
use crate::cast::cast;
use crate::support::TestApp;

#[actix_web::test]
async fn editors_publish_in_the_browser_and_the_public_finds_it_in_both_scripts() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let uz = Browser::of(&app, &cast.uz);
    let token = uz.token("/en/workspace/publications/new").await;
    let fields = |orcid: &'static str| {
        vec![
            ("csrf", token.clone()),
            ("organisation", "stat-uz".to_owned()),
            ("publication_type", "report".to_owned()),
            ("language", "uz-Latn".to_owned()),
            (
                "title",
                "Qoraqalpogʻiston suv resurslari hisoboti".to_owned(),
            ),
            (
                "abstract",
                "Orol dengizi havzasidagi suv resurslari boʻyicha yillik hisobot.".to_owned(),
            ),
            (
                "title-ru",
                "Доклад о водных ресурсах Каракалпакстана".to_owned(),
            ),
            (
                "abstract-ru",
                "Ежегодный доклад о водных ресурсах бассейна Аральского моря.".to_owned(),
            ),
            ("author-0-name", "Dilnoza Karimova".to_owned()),
            ("author-0-orcid", orcid.to_owned()),
            ("keywords", "suv, Orol".to_owned()),
            ("issued", "2025-04-12".to_owned()),
            ("licence", "CC-BY-4.0".to_owned()),
            ("access_level", "open".to_owned()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let uz = &uz;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            uz.post("/en/workspace/publications", &uz.origin(), &pairs)
                .await
        }
    };
    let bad = post(fields("0000-0002-1825-0000")).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("id=\"authors-error\""), "{}", bad.body);
    assert!(
        bad.body.contains("Доклад о водных ресурсах"),
        "what was typed is kept"
    );
    let saved = post(fields("0000-0002-1825-0097")).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let edit = saved.location.split('?').next().unwrap().to_owned();
    let id = edit.rsplit('/').next().unwrap().to_owned();
    let form = uz.get(&saved.location).await.body;
    assert!(form.contains("Saved."), "{form}");
    assert!(form.contains("0000-0002-1825-0097"));

    // A file, through the upload form.
    let token = uz.token(&edit).await;
    let uploaded = uz
        .upload(&format!("{edit}/files"), &token, "report.pdf", pdf())
        .await;
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    assert!(uz.get(&edit).await.body.contains("report.pdf"));

    // The public finds it, in Latin and in Cyrillic script.
    app.search_until("/en/search?q=Qoraqalpog%CA%BBiston", &id)
        .await;
    app.search_until("/en/search?q=%D2%9A%D0%BE%D1%80%D0%B0%D2%9B%D0%B0%D0%BB%D0%BF%D0%BE%D2%93%D0%B8%D1%81%D1%82%D0%BE%D0%BD", &id).await;

    // Another organisation's editor gets no form, and no save.
    let other = Browser::of(&app, &cast.az);
    assert_eq!(other.get(&edit).await.status, 403);
    let token = other.token("/en/workspace").await;
    let meddling = other
        .post(
            &edit,
            &other.origin(),
            &[("csrf", &token), ("title", "Hijacked")],
        )
        .await;
    assert!(matches!(meddling.status, 403 | 404), "{}", meddling.status);
    let public = app.get(&format!("/en/publications/{id}")).await.body;
    assert!(!public.contains("Hijacked"));
}

#[actix_web::test]
async fn administrators_manage_members_invitations_keys_and_partners_in_the_browser() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let page = "/en/workspace/organisations/stat-uz";
    // An editor of the organisation is no administrator of it.
    assert_eq!(Browser::of(&app, &cast.uz).get(page).await.status, 403);

    let admin = Browser::of(&app, &cast.org_admin);
    let shown = admin.get(page).await.body;
    assert!(shown.contains("uz-clerk"), "{shown}");
    let token = admin.token(page).await;
    let act = |fields: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            admin.post(page, &admin.origin(), &pairs).await
        }
    };
    let csrf = || ("csrf", token.clone());

    // Change a member's role: the API sees it.
    let changed = act(vec![
        csrf(),
        ("action", "set-role".into()),
        ("user", cast.uz.user_id.clone()),
        ("role", "member".into()),
    ])
    .await;
    assert_eq!(changed.status, 303, "{}", changed.body);
    let me = app
        .send(app.authed(Method::GET, "/api/v1/me", &cast.uz.access_token))
        .await
        .json();
    assert_eq!(me["memberships"][0]["role"], "member", "{me}");

    // An invitation link, shown once, that works.
    let invited = act(vec![
        csrf(),
        ("action", "invite".into()),
        ("role", "editor".into()),
        ("days", "3".into()),
    ])
    .await;
    assert_eq!(invited.status, 200, "{}", invited.body);
    let link = invited
        .body
        .split("/invite/")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get(&format!("/en/invitations/{link}")).await.status,
        200
    );
    assert!(
        !admin.get(page).await.body.contains(&link),
        "the link is shown only once"
    );
    let bad_days = act(vec![
        csrf(),
        ("action", "invite".into()),
        ("role", "editor".into()),
        ("days", "99".into()),
    ])
    .await;
    assert_eq!(bad_days.status, 422, "{}", bad_days.body);

    // Rotate the signing key: the old one is kept, with an end.
    let keys_before = admin
        .get(page)
        .await
        .body
        .matches("<code class=\"hash\">")
        .count();
    let rotated = act(vec![csrf(), ("action", "rotate-key".into())]).await;
    assert_eq!(rotated.status, 303, "{}", rotated.body);
    let keys_after = admin
        .get(page)
        .await
        .body
        .matches("<code class=\"hash\">")
        .count();
    assert_eq!(keys_after, keys_before + 1);

    // A webhook to a private address is refused with a message; nothing is set.
    let refused = act(vec![
        csrf(),
        ("action", "set-webhook".into()),
        ("url", "http://127.0.0.1:9/hook".into()),
    ])
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("role=\"alert\""));

    // Partner systems: platform administrators only; the secret is shown once.
    assert_eq!(admin.get("/en/workspace/partners").await.status, 403);
    let platform = Browser::of(&app, &cast.admin);
    let token = platform.token("/en/workspace/partners").await;
    let created = platform
        .post(
            "/en/workspace/partners",
            &platform.origin(),
            &[
                ("csrf", &token),
                ("action", "create"),
                ("name", "Ucell EIR"),
                ("scopes", "imei:read"),
                ("rate", "600"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.body.contains("Client secret"), "{}", created.body);
    let listed = platform.get("/en/workspace/partners").await.body;
    assert!(listed.contains("Ucell EIR") && listed.contains("imei:read"));
}

#[actix_web::test]
async fn editors_publish_a_dataset_with_a_previewed_upload_and_a_link() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let uz = Browser::of(&app, &cast.uz);
    let token = uz.token("/en/workspace/datasets/new").await;
    let post = |name: &'static str| {
        let (uz, token) = (&uz, token.clone());
        async move {
            uz.post(
                "/en/workspace/datasets",
                &uz.origin(),
                &[
                    ("csrf", token.as_str()),
                    ("organisation", "stat-uz"),
                    ("name", name),
                    ("language", "uz-Latn"),
                    ("title", "Viloyatlar boʻyicha aholi soni"),
                    ("title-ru", "Численность населения по областям"),
                    ("licence", "CC-BY-4.0"),
                    ("tags", "aholi, demografiya"),
                    ("temporal_start", "2020-01-01"),
                    ("temporal_end", "2024-12-31"),
                ],
            )
            .await
        }
    };
    let bad = post("Not A Slug!").await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("id=\"name-error\""), "{}", bad.body);
    let saved = post("population-by-region").await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        saved.location,
        "/en/workspace/datasets/population-by-region?done=saved"
    );
    let edit = "/en/workspace/datasets/population-by-region";

    // A CSV upload: checked and previewed as it streams in; the dataset's page shows it.
    let token = uz.token(edit).await;
    let csv = "region,population\nToshkent,3040000\nSamarqand,4100000\nBuxoro,1990000\n";
    let form = reqwest::multipart::Form::new()
        .text("csrf", token.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                .file_name("population.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let uploaded = uz
        .client
        .post(app.url(&format!("{edit}/files")))
        .header("cookie", &uz.cookie)
        .header("origin", uz.origin())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status().as_u16(), 303);
    assert_eq!(
        uploaded.headers()["location"],
        "/en/datasets/population-by-region"
    );
    let public = app.get("/en/datasets/population-by-region").await.body;
    assert!(
        public.contains("Samarqand") && public.contains("4100000"),
        "{public}"
    );
    assert!(public.contains("<svg"), "the numeric column is charted");

    // A link, and a forged upload that stores nothing.
    let linked = uz
        .post(
            &format!("{edit}/links"),
            &uz.origin(),
            &[
                ("csrf", &token),
                ("url", "https://stat.uz/en/open-data"),
                ("name", "Source"),
            ],
        )
        .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    let forged = uz
        .upload(
            &format!("{edit}/files"),
            &"0".repeat(40),
            "x.csv",
            b"a\n1\n".to_vec(),
        )
        .await;
    assert_eq!(forged.status, 403);
    let dataset = app
        .get("/api/v1/datasets/population-by-region")
        .await
        .json();
    assert_eq!(
        dataset["resources"].as_array().unwrap().len(),
        2,
        "{dataset}"
    );
    assert_eq!(dataset["translations"][0]["lang"], "ru");
    // Another organisation's editor: refused, as the API refuses.
    assert_eq!(Browser::of(&app, &cast.az).get(edit).await.status, 403);
}

#[actix_web::test]
async fn organisations_list_offers_from_the_browser_and_submit_them_for_review() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let editor = Browser::of(&app, &cast.cloud_editor);
    let token = editor.token("/en/workspace/listings/new").await;
    let post = |categories: &'static [&'static str]| {
        let (editor, token) = (&editor, token.clone());
        async move {
            let mut fields = vec![
                ("csrf", token.as_str()),
                ("organisation", "silk-road-cloud"),
                ("kind", "service"),
                ("title", "Managed Kubernetes in Tashkent"),
                (
                    "description",
                    "Kubernetes clusters run by our engineers in Tashkent.",
                ),
                ("title-ru", "Управляемый Kubernetes в Ташкенте"),
                ("description-ru", "Кластеры Kubernetes в Ташкенте."),
                ("countries", "UZ"),
                ("price_model", "subscription"),
                ("price_min", "1500000"),
                ("currency", "UZS"),
            ];
            fields.extend(categories.iter().map(|c| ("categories", *c)));
            editor
                .post("/en/workspace/listings", &editor.origin(), &fields)
                .await
        }
    };
    let missing = post(&[]).await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(
        missing.body.contains("id=\"categories-error\""),
        "{}",
        missing.body
    );
    let saved = post(&["cloud-hosting"]).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = saved.location.split('?').next().unwrap().to_owned();
    let id = page.rsplit('/').next().unwrap().to_owned();
    let draft = editor.get(&saved.location).await.body;
    assert!(
        draft.contains("Draft") && draft.contains("Submit for review"),
        "{draft}"
    );
    let token = editor.token(&page).await;
    let submitted = editor
        .post(
            &format!("{page}/submit"),
            &editor.origin(),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    assert!(
        editor
            .get(&submitted.location)
            .await
            .body
            .contains("Awaiting review")
    );
    let queue = Browser::of(&app, &cast.moderator)
        .get("/en/workspace/moderation")
        .await
        .body;
    assert!(queue.contains("Managed Kubernetes in Tashkent"), "{queue}");
    let listing = app
        .send(app.authed(
            Method::GET,
            &format!("/api/v1/marketplace/listings/{id}"),
            &cast.cloud_editor.access_token,
        ))
        .await
        .json();
    assert_eq!(listing["state"], "pending_review");
    assert_eq!(listing["translations"][0]["lang"], "ru", "{listing}");
    // A member may read the organisation's draft but edits nothing.
    assert_eq!(
        Browser::of(&app, &cast.cloud_member)
            .get(&page)
            .await
            .status,
        403
    );
}
