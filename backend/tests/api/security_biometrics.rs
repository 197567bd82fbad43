//! Security II, item 4: consent expiry ends matching at once and the purge erases the
//! templates; verify and identify answer a decision and a coarse band, never a score; an
//! enrolment racing a revoke cannot leave a template behind (PostgreSQL).

use std::sync::mpsc;
use std::time::Duration;

use diesel::prelude::*;
use serde_json::json;
use silkbridge_schema::tables::{audit_log, biometric_consents, biometric_templates};
use silkbridge_schema::{Backend, Database, PoolOptions};

use super::biometrics::{consent_and_enrol, count_rows, float_template, partners, post};
use crate::support::TestApp;

#[actix_web::test]
async fn an_expired_consent_ends_matching_at_once_and_the_purge_erases_its_templates() {
    let app = TestApp::start().await;
    let cast = partners(&app).await;
    // Two subject ids of the same synthetic palm: one consent lapses, the other stays.
    consent_and_enrol(&app, &cast.bank, "stays-0001", 7).await;
    let expires = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let consent = post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/consents",
        json!({"subjectId": "lapses-0001", "purpose": "trial enrolment", "expiresAt": expires}),
    )
    .await;
    assert_eq!(consent.status, 201, "{}", consent.body);
    let enrolled = post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/templates",
        json!({"subjectId": "lapses-0001", "template": float_template(7, 0)}),
    )
    .await;
    assert_eq!(enrolled.status, 201, "{}", enrolled.body);

    let verify = |subject: &'static str| {
        post(
            &app,
            &cast.bank.token,
            "/api/v1/biometrics/verify",
            json!({"subjectId": subject, "probe": float_template(7, 5)}),
        )
    };
    let identify = || {
        post(
            &app,
            &cast.bank.token,
            "/api/v1/biometrics/identify",
            json!({"probe": float_template(7, 5), "maxResults": 1}),
        )
    };
    // While the consent holds: a decision and a band, and no score anywhere.
    let before = verify("lapses-0001").await;
    assert_eq!(before.status, 200, "{}", before.body);
    let answer = before.json();
    assert_eq!(answer["decision"], "match");
    assert!(
        matches!(answer["band"].as_str(), Some("high" | "medium")),
        "{answer}"
    );
    assert!(answer.get("score").is_none(), "no raw score: {answer}");
    let found = identify().await.json();
    assert_eq!(found["candidates"].as_array().unwrap().len(), 1, "{found}");
    assert!(found["candidates"][0].get("score").is_none(), "{found}");
    let no_match = post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/verify",
        json!({"subjectId": "stays-0001", "probe": float_template(99, 0)}),
    )
    .await
    .json();
    assert_eq!(no_match["decision"], "no_match");
    assert!(
        no_match["band"].is_null() && no_match.get("score").is_none(),
        "{no_match}"
    );

    tokio::time::sleep(Duration::from_millis(1700)).await;
    // Expired: the subject is gone from 1:1 and 1:N at once, before any purge ran; the single
    // best candidate is now the other subject (the answer stays exact).
    verify("lapses-0001").await.problem(404, "not_found");
    for _ in 0..5 {
        let found = identify().await.json();
        let subjects: Vec<&str> = found["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["subjectId"].as_str().unwrap())
            .collect();
        assert_eq!(subjects, ["stays-0001"], "{found}");
    }
    assert_eq!(
        count_rows(&app, "lapses-0001").0,
        1,
        "templates wait for the purge"
    );

    let ended = silkbridge::biometrics::consents::purge_lapsed_consents(&app.state)
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert_eq!(
        count_rows(&app, "lapses-0001").0,
        0,
        "the purge erased the templates"
    );
    assert_eq!(count_rows(&app, "stays-0001").0, 1, "others are kept");
    let again = silkbridge::biometrics::consents::purge_lapsed_consents(&app.state)
        .await
        .unwrap();
    assert_eq!(again, 0, "each consent is ended once");
    let mut conn = app.state.db.connection().unwrap();
    let expired: i64 = audit_log::table
        .filter(audit_log::action.eq("biometric.consent_expired"))
        .filter(audit_log::target.like("%lapses-0001"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(expired, 1);
}

#[actix_web::test]
async fn an_enrolment_racing_a_revoke_leaves_no_template() {
    let app = TestApp::start().await;
    if app.state.db.backend() != Backend::Postgres {
        // SQLite serialises writers: the enrolment waits for the revoke's transaction and
        // then finds no active consent; the race needs concurrent writers.
        return;
    }
    let cast = partners(&app).await;
    consent_and_enrol(&app, &cast.bank, "racer-0001", 3).await;

    // A revoke in flight: consent marked revoked and templates erased, not yet committed.
    let (ready, is_ready) = tokio::sync::oneshot::channel();
    let (release, released) = mpsc::channel::<()>();
    let url = app.database.url().to_owned();
    let revoker = std::thread::spawn(move || {
        let db = Database::open(&url, &PoolOptions::default()).unwrap();
        let mut conn = db.connection().unwrap();
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            diesel::update(
                biometric_consents::table.filter(biometric_consents::subject_ref.eq("racer-0001")),
            )
            .set(biometric_consents::revoked_at.eq(silkbridge_schema::ids::now()))
            .execute(conn)?;
            diesel::delete(
                biometric_templates::table
                    .filter(biometric_templates::subject_ref.eq("racer-0001")),
            )
            .execute(conn)?;
            ready.send(()).unwrap();
            released.recv().unwrap();
            Ok(())
        })
        .unwrap();
    });
    is_ready.await.unwrap();
    let enrol = {
        let app_url = app.url("/api/v1/biometrics/templates");
        let client = app.client.clone();
        let token = cast.bank.token.clone();
        tokio::spawn(async move {
            let reply = client
                .post(app_url)
                .bearer_auth(token)
                .json(&json!({"subjectId": "racer-0001", "template": float_template(3, 1)}))
                .send()
                .await
                .unwrap();
            (reply.status().as_u16(), reply.text().await.unwrap())
        })
    };
    // Without the lock the enrolment reads the consent as active and commits at once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    release.send(()).unwrap();
    revoker.join().unwrap();
    let (status, body) = enrol.await.unwrap();
    assert_eq!(status, 403, "the enrolment sees the revoke: {body}");
    assert!(body.contains("consent_required"), "{body}");
    assert_eq!(
        count_rows(&app, "racer-0001").0,
        0,
        "no template survives the revoke"
    );
}
