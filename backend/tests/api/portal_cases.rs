//! IMEI cases in the workspace: the list with what needs attention, the statistics chart and
//! its CSV, a case's page with only the steps the person may take, a step taken through a
//! form, and the same refusals as the API (a restricted case of another agency is not found,
//! a person of no agency is refused, a forged form changes nothing).

use reqwest::Method;
use serde_json::json;
use silkbridge::identity::domain::Role;
use silkbridge::imei::demo::imei_of;

use super::portal_workspace::Browser;
use crate::cast::cast;
use crate::support::TestApp;

#[actix_web::test]
async fn agencies_follow_their_cases_in_the_workspace_and_others_see_nothing_more_than_the_api_shows()
 {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let police = app
        .person("AZ", "Baku officer", &[("demo-baku-police", Role::Editor)])
        .await;
    // A restricted Azerbaijani case the Uzbek registry may not see.
    let hidden = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/imei/cases",
                &cast.az_officer.access_token,
            )
            .json(&json!({
                "kind": "stolen", "reference": "AZ-HIDDEN-9", "confidentiality": "restricted",
                "imeis": [imei_of(86200002, 970_001).to_string()]
            })),
        )
        .await;
    assert_eq!(hidden.status, 201, "{}", hidden.body);
    let hidden_id = hidden.json()["id"].as_str().unwrap().to_owned();

    let registry = Browser::of(&app, &cast.uz_officer);
    let home = registry.get("/en/workspace").await;
    assert!(
        home.body.contains("1 lost phone seen abroad"),
        "{}",
        home.body
    );
    assert!(home.body.contains("/en/workspace/cases"));
    let list = registry.get("/en/workspace/cases").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("UZ-ST-2026-1133") && list.body.contains("seen abroad"));
    assert!(list.body.contains("UZ-LOST-2026-0417"));
    assert!(
        !list.body.contains("AZ-HIDDEN-9"),
        "a restricted case of another agency"
    );
    assert!(list.body.contains("<svg") && list.body.contains("Cases opened per month"));
    let csv = registry.get("/en/workspace/cases/statistics.csv").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.starts_with("month,kind,state,country,cases\n"),
        "{}",
        csv.body
    );
    let other = registry
        .get(&format!("/en/workspace/cases/{hidden_id}"))
        .await;
    assert_eq!(other.status, 404);

    // The located case: the reporter may withdraw it; recording it found is offered to the
    // police in Baku, who take the step through the form.
    let only_located = registry.get("/en/workspace/cases?state=located").await;
    assert!(!only_located.body.contains("UZ-LOST-2026-0417"));
    let located = only_located
        .body
        .split("href=\"/en/workspace/cases/")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_owned())
        .find(|id| !id.starts_with("statistics") && !id.starts_with('?'))
        .unwrap();
    let page = registry
        .get(&format!("/en/workspace/cases/{located}"))
        .await;
    assert!(page.body.contains("Withdraw the case"), "{}", page.body);
    assert!(!page.body.contains("Record the hand-over"));
    let officer = Browser::of(&app, &police);
    let path = format!("/en/workspace/cases/{located}");
    let token = officer.token(&path).await;
    let forged = officer
        .post(
            &format!("{path}/found"),
            "https://evil.example",
            &[("csrf", &token), ("heldAt", "x")],
        )
        .await;
    assert_eq!(forged.status, 403);
    let empty = officer
        .post(
            &format!("{path}/found"),
            &officer.origin(),
            &[("csrf", &token), ("heldAt", "")],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(
        empty
            .body
            .contains("Please fill in where the device is held")
    );
    let found = officer
        .post(
            &format!("{path}/found"),
            &officer.origin(),
            &[
                ("csrf", &token),
                ("heldAt", "Nasimi district station"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(found.status, 303, "{}", found.body);
    assert_eq!(found.location, format!("{path}?done=1"));
    let after = registry.get(&path).await;
    assert!(after.body.contains("Nasimi district station") && after.body.contains("Found"));
    // Taking it again is refused with the page's own explanation, not a crash.
    let again = officer
        .post(
            &format!("{path}/found"),
            &officer.origin(),
            &[("csrf", &token), ("heldAt", "y")],
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);

    // A person of no agency: refused as the API refuses.
    let buyer = Browser::of(&app, &cast.buyer);
    assert_eq!(buyer.get("/en/workspace/cases").await.status, 403);
    assert!(
        !buyer
            .get("/en/workspace")
            .await
            .body
            .contains("/en/workspace/cases")
    );
}
