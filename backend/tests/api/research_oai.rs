//! OAI-PMH 2.0: protocol errors, keyset resumption, selective harvesting, deleted records,
//! and a harvest by a harvester written by others (PyPI `sickle`).

use std::process::Command;

use reqwest::Method;
use serde_json::json;

use super::research::{create, open_publications, publication};
use crate::cast::cast;
use crate::support::TestApp;

/// The error code of an OAI-PMH response, checking it came with HTTP 200 as XML.
fn oai_error(reply: &crate::support::Reply) -> Option<String> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.content_type().starts_with("text/xml"),
        "{}",
        reply.content_type()
    );
    let start = reply.body.find("<error code=\"")? + "<error code=\"".len();
    let end = reply.body[start..].find('"')? + start;
    Some(reply.body[start..end].to_owned())
}

/// The text of the first `<name>` element.
fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

fn identifiers(xml: &str) -> Vec<String> {
    xml.split("<identifier>")
        .skip(1)
        .filter_map(|part| part.split("</identifier>").next())
        .map(str::to_owned)
        .collect()
}

#[actix_web::test]
async fn protocol_errors_are_oai_errors_with_http_200() {
    let app = TestApp::start().await;
    app.seed_demo().await;
    let cases = [
        ("/oai", "badVerb"),
        ("/oai?verb=ListEverything", "badVerb"),
        ("/oai?verb=Identify&verb=Identify", "badVerb"),
        ("/oai?verb=Identify&metadataPrefix=oai_dc", "badArgument"),
        ("/oai?verb=ListRecords", "badArgument"),
        (
            "/oai?verb=ListRecords&metadataPrefix=oai_dc&from=yesterday",
            "badArgument",
        ),
        (
            "/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2030-01-01T00:00:00Z",
            "badArgument",
        ),
        (
            "/oai?verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01&until=2020-01-01",
            "badArgument",
        ),
        (
            "/oai?verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc",
            "badArgument",
        ),
        (
            "/oai?verb=GetRecord&identifier=oai:silkbridge.local:x",
            "badArgument",
        ),
        (
            "/oai?verb=ListRecords&metadataPrefix=marc21",
            "cannotDisseminateFormat",
        ),
        (
            "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:silkbridge.local:nope",
            "idDoesNotExist",
        ),
        (
            "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:elsewhere.org:nope",
            "idDoesNotExist",
        ),
        (
            "/oai?verb=ListMetadataFormats&identifier=oai:silkbridge.local:nope",
            "idDoesNotExist",
        ),
        (
            "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&from=2099-01-01",
            "noRecordsMatch",
        ),
        (
            "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=org:no-such-organisation",
            "noRecordsMatch",
        ),
        (
            "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&set=type:poem",
            "noRecordsMatch",
        ),
        (
            "/oai?verb=ListRecords&resumptionToken=bm90LWEtdG9rZW4",
            "badResumptionToken",
        ),
        (
            "/oai?verb=ListSets&resumptionToken=abc",
            "badResumptionToken",
        ),
    ];
    for (path, code) in cases {
        let reply = app.get(path).await;
        assert_eq!(
            oai_error(&reply).as_deref(),
            Some(code),
            "{path}: {}",
            reply.body
        );
        if code == "badVerb" || code == "badArgument" {
            assert!(
                reply
                    .body
                    .contains(&format!("<request>{}/oai</request>", app.base)),
                "{path}: the request is echoed without attributes: {}",
                reply.body
            );
        }
    }
    let identify = app.get("/oai?verb=Identify").await;
    assert_eq!(oai_error(&identify), None);
    assert_eq!(
        element(&identify.body, "baseURL"),
        Some(format!("{}/oai", app.base).as_str())
    );
    assert_eq!(element(&identify.body, "deletedRecord"), Some("persistent"));
    let formats = app.get("/oai?verb=ListMetadataFormats").await;
    assert_eq!(element(&formats.body, "metadataPrefix"), Some("oai_dc"));
    let sets = app.get("/oai?verb=ListSets").await;
    assert!(sets.body.contains("<setSpec>org:stat-uz</setSpec>"));
    assert!(
        sets.body
            .contains("<setSpec>type:conference_paper</setSpec>")
    );
    // POST with a form body is the same request.
    let posted = app
        .send(
            app.client
                .post(app.url("/oai"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("verb=ListIdentifiers&metadataPrefix=oai_dc&set=org:stat-uz"),
        )
        .await;
    assert_eq!(oai_error(&posted), None, "{}", posted.body);
    assert!(posted.body.contains("<setSpec>org:stat-uz</setSpec>"));
}

#[actix_web::test]
async fn lists_resume_by_keyset_tokens_and_report_withdrawn_records_as_deleted() {
    let app = TestApp::start_with_config(|config| config.research.oai_page_size = 7).await;
    let cast = cast(&app).await;

    // Harvest everything by following tokens.
    let mut harvested = Vec::new();
    let mut path = "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc".to_owned();
    let mut pages = 0;
    loop {
        let reply = app.get(&path).await;
        assert_eq!(oai_error(&reply), None, "{}", reply.body);
        harvested.extend(identifiers(&reply.body));
        pages += 1;
        if reply.body.contains("<resumptionToken/>") {
            break;
        }
        let token = element(&reply.body, "resumptionToken").expect("a token or the empty one");
        path = format!("/oai?verb=ListIdentifiers&resumptionToken={token}");
    }
    let mut unique = harvested.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), harvested.len(), "no record twice");
    assert_eq!(harvested.len() as i64, open_publications(&app).await);
    assert!(pages > 40, "pages of 7: {pages}");

    // Withdrawn and restricted publications become deleted records; new ones appear. `from`
    // is a whole second after everything so far (datestamps have second granularity).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let now = chrono::Utc::now().naive_utc();
    let from_second =
        now - chrono::TimeDelta::nanoseconds(i64::from(now.and_utc().timestamp_subsec_nanos()));
    let from = from_second.format("%Y-%m-%dT%H:%M:%SZ");
    let withdrawn = create(
        &app,
        &cast.uz,
        publication(json!({"title": "Qaytarib olingan"})),
    )
    .await;
    let restricted = create(
        &app,
        &cast.uz,
        publication(json!({"doi": null, "title": "Cheklangan"})),
    )
    .await;
    let kept = create(
        &app,
        &cast.uz,
        publication(json!({"doi": null, "title": "Ochiq qolgan"})),
    )
    .await;
    let id = |v: &serde_json::Value| v["id"].as_str().unwrap().to_owned();
    let deleted = app
        .send(app.authed(
            Method::DELETE,
            &format!("/api/v1/research/publications/{}", id(&withdrawn)),
            &cast.uz.access_token,
        ))
        .await;
    assert_eq!(deleted.status, 204);
    let mut closed =
        publication(json!({"doi": null, "title": "Cheklangan", "access_level": "organisation"}));
    closed.as_object_mut().unwrap().remove("organisation");
    let reply = app
        .send(
            app.authed(
                Method::PUT,
                &format!("/api/v1/research/publications/{}", id(&restricted)),
                &cast.uz.access_token,
            )
            .json(&closed),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let recent = app
        .get(&format!(
            "/oai?verb=ListRecords&metadataPrefix=oai_dc&from={from}"
        ))
        .await;
    assert_eq!(oai_error(&recent), None, "{}", recent.body);
    let records: Vec<&str> = recent.body.split("<record>").skip(1).collect();
    assert_eq!(
        records.len(),
        3,
        "only the changes since `from`: {}",
        recent.body
    );
    for (publication, deleted) in [(&withdrawn, true), (&restricted, true), (&kept, false)] {
        let record = records
            .iter()
            .find(|r| r.contains(&id(publication)))
            .expect("listed");
        assert_eq!(record.contains("status=\"deleted\""), deleted, "{record}");
        assert_eq!(record.contains("<metadata>"), !deleted, "{record}");
    }
    assert!(
        !recent.body.contains("<resumptionToken"),
        "a list complete in one response carries no token"
    );
    let until = (from_second - chrono::TimeDelta::seconds(1)).format("%Y-%m-%dT%H:%M:%SZ");
    let old = app
        .get(&format!(
            "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc&until={until}&set=org:stat-uz"
        ))
        .await;
    assert!(
        !old.body.contains(&id(&kept)),
        "until excludes later records"
    );
    let gone = app
        .get(&format!(
            "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:silkbridge.local:{}",
            id(&withdrawn)
        ))
        .await;
    assert!(
        gone.body.contains("<header status=\"deleted\">"),
        "{}",
        gone.body
    );
}

/// The Python interpreter with `sickle`, if any.
fn python_with_sickle() -> Option<&'static str> {
    let ok = Command::new("python3")
        .args(["-c", "import sickle"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some("python3")
}

const HARVEST: &str = r#"
import sys
from sickle import Sickle
records = Sickle(sys.argv[1]).ListRecords(metadataPrefix="oai_dc", ignore_deleted=True)
ids = set()
for record in records:
    assert record.metadata["title"], record.header.identifier
    ids.add(record.header.identifier)
print(len(ids))
"#;

#[actix_web::test]
async fn sickle_harvests_every_open_record_through_resumption_tokens() {
    let Some(python) = python_with_sickle() else {
        assert!(
            std::env::var_os("SILKBRIDGE_TEST_REQUIRE_SICKLE").is_none(),
            "SILKBRIDGE_TEST_REQUIRE_SICKLE is set but sickle is missing (pip install sickle)"
        );
        eprintln!("skipped: no sickle (pip install sickle)");
        return;
    };
    let app = TestApp::start_with(|config, _| config.research.oai_page_size = 25).await;
    app.seed_demo().await;
    let base = app.url("/oai");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python).args(["-c", HARVEST, &base]).output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        output.status.success(),
        "sickle failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let harvested: i64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap();
    let open = open_publications(&app).await;
    assert!(open > 25 * 4, "enough records for several pages: {open}");
    assert_eq!(harvested, open, "sickle harvested every open publication");
}
