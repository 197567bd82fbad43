//! IMEI case statistics: counted over the cases the caller may read only (a restricted case
//! of another agency moves no figure), as JSON and CSV, with the same refusals as the cases.

use reqwest::Method;
use serde_json::{Value, json};
use silkbridge::identity::domain::Role;
use silkbridge::imei::demo::imei_of;

use crate::cast::cast;
use crate::support::{Reply, SignedIn, TestApp};

async fn get(app: &TestApp, token: &str, path: &str) -> Reply {
    app.send(app.authed(Method::GET, path, token)).await
}

fn total(statistics: &Value) -> u64 {
    statistics["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cases"].as_u64().unwrap())
        .sum()
}

async fn open(app: &TestApp, who: &SignedIn, reference: &str, serial: u32, confidentiality: &str) {
    let reply = app
        .send(
            app.authed(Method::POST, "/api/v1/imei/cases", &who.access_token)
                .json(&json!({
                    "kind": "stolen", "reference": reference, "confidentiality": confidentiality,
                    "imeis": [imei_of(35100003, 960_000 + serial).to_string()]
                })),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[actix_web::test]
async fn statistics_count_only_what_the_caller_may_read_in_json_and_csv() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let police = app
        .person("AZ", "Baku officer", &[("demo-baku-police", Role::Editor)])
        .await;
    let path = "/api/v1/imei/cases/statistics";
    let before_uz = get(&app, &cast.uz_officer.access_token, path).await.json();
    let before_az = get(&app, &police.access_token, path).await.json();
    open(&app, &cast.uz_officer, "UZ-ST-A", 1, "agencies").await;
    open(&app, &cast.uz_officer, "UZ-ST-R1", 2, "restricted").await;
    open(&app, &cast.uz_officer, "UZ-ST-R2", 3, "restricted").await;
    let uz = get(&app, &cast.uz_officer.access_token, path).await.json();
    let az = get(&app, &police.access_token, path).await.json();
    assert_eq!(total(&uz), total(&before_uz) + 3, "{uz}");
    assert_eq!(
        total(&az),
        total(&before_az) + 1,
        "restricted cases move no figure: {az}"
    );
    let stolen_uz = |s: &Value| -> u64 {
        s["counts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["kind"] == "stolen" && c["state"] == "open" && c["country"] == "UZ")
            .map(|c| c["cases"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(stolen_uz(&uz) - stolen_uz(&before_uz), 3);
    // The demo's phone returned through the embassy in Baku.
    let returned = &uz["returnTimes"].as_array().unwrap()[0];
    assert_eq!(returned["country"], "UZ");
    assert!(returned["returned"].as_u64().unwrap() >= 1);

    let csv = get(
        &app,
        &cast.uz_officer.access_token,
        "/api/v1/imei/cases/statistics.csv",
    )
    .await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv.content_type().starts_with("text/csv"));
    let mut lines = csv.body.lines();
    assert_eq!(lines.next(), Some("month,kind,state,country,cases"));
    let csv_total: u64 = lines
        .map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(csv_total, total(&uz));

    // Bad months are 422; the cases' refusals hold here too.
    for bad in [
        "?from=2026-13",
        "?from=March",
        "?from=2026-06&to=2026-01",
        "?from=2001-01&to=2026-01",
    ] {
        let reply = get(&app, &cast.uz_officer.access_token, &format!("{path}{bad}")).await;
        reply.problem(422, "validation_failed");
    }
    app.get(path).await.problem(401, "unauthenticated");
    for who in [&cast.buyer, &cast.admin, &cast.cloud_editor] {
        get(&app, &who.access_token, path)
            .await
            .problem(403, "forbidden");
    }
    let empty = get(
        &app,
        &cast.uz_officer.access_token,
        &format!("{path}?from=2001-01&to=2001-12"),
    )
    .await
    .json();
    assert_eq!(empty["counts"], json!([]));
}
