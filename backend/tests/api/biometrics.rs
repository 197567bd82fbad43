//! Biometrics: consent before enrolment, scopes, partners kept apart unless they share,
//! erasure that leaves nothing behind, and templates altered at rest never matching. All
//! templates here are synthetic (generated vectors, no person's).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};
use silkbridge::biometrics::synthetic::{binary_capture, float_capture};

use crate::support::{Partner, SignedIn, TestApp};

/// A synthetic 512-dimension capture of `subject`.
pub(super) fn float_template(subject: u64, capture: u64) -> Value {
    let bytes: Vec<u8> = float_capture(subject, capture, 512, 0.3)
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    json!({ "format": "float32", "dimension": 512, "vendor": "synthetic-test", "quality": 80, "data": STANDARD.encode(bytes) })
}

/// Partner systems of a bank and a clinic with every biometric scope, and one without any.
pub(super) struct Partners {
    pub(super) admin: SignedIn,
    pub(super) bank: Partner,
    pub(super) clinic: Partner,
    pub(super) no_scope: Partner,
}

pub(super) async fn partners(app: &TestApp) -> Partners {
    let admin = app.platform_admin().await;
    let all = ["biometric:enrol", "biometric:verify", "biometric:identify"];
    Partners {
        bank: app
            .partner(&admin, json!({ "name": "Demo bank", "scopes": all }))
            .await,
        clinic: app
            .partner(&admin, json!({ "name": "Demo clinic", "scopes": all }))
            .await,
        no_scope: app
            .partner(
                &admin,
                json!({ "name": "Demo transit", "scopes": ["imei:read"] }),
            )
            .await,
        admin,
    }
}

pub(super) async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Value,
) -> crate::support::Reply {
    app.send(app.authed(Method::POST, path, token).json(&body))
        .await
}

pub(super) async fn consent_and_enrol(
    app: &TestApp,
    who: &Partner,
    subject: &str,
    seed: u64,
) -> Value {
    let consent = post(
        app,
        &who.token,
        "/api/v1/biometrics/consents",
        json!({
            "subjectId": subject, "purpose": "contactless payment at the demo bank"
        }),
    )
    .await;
    assert_eq!(consent.status, 201, "{}", consent.body);
    let enrolled = post(
        app,
        &who.token,
        "/api/v1/biometrics/templates",
        json!({
            "subjectId": subject, "template": float_template(seed, 0)
        }),
    )
    .await;
    assert_eq!(enrolled.status, 201, "{}", enrolled.body);
    consent.json()
}

async fn identify(app: &TestApp, who: &Partner, seed: u64) -> crate::support::Reply {
    post(
        app,
        &who.token,
        "/api/v1/biometrics/identify",
        json!({ "probe": float_template(seed, 3), "maxResults": 5 }),
    )
    .await
}

pub(super) fn count_rows(app: &TestApp, subject: &str) -> (i64, i64) {
    use silkbridge_schema::tables::{biometric_consents, biometric_templates};
    let mut conn = app.state.db.connection().unwrap();
    (
        biometric_templates::table
            .filter(biometric_templates::subject_ref.eq(subject))
            .count()
            .get_result(&mut conn)
            .unwrap(),
        biometric_consents::table
            .filter(biometric_consents::subject_ref.eq(subject))
            .count()
            .get_result(&mut conn)
            .unwrap(),
    )
}

#[actix_web::test]
async fn enrolment_needs_consent_scopes_and_a_valid_template() {
    let app = TestApp::start().await;
    let cast = partners(&app).await;
    post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/templates",
        json!({
            "subjectId": "cust-0001", "template": float_template(1, 0)
        }),
    )
    .await
    .problem(403, "consent_required");
    assert_eq!(count_rows(&app, "cust-0001"), (0, 0));
    for (path, body) in [
        (
            "/api/v1/biometrics/templates",
            json!({ "subjectId": "cust-0001", "template": float_template(1, 0) }),
        ),
        (
            "/api/v1/biometrics/verify",
            json!({ "subjectId": "cust-0001", "probe": float_template(1, 1) }),
        ),
    ] {
        post(&app, &cast.no_scope.token, path, body)
            .await
            .problem(403, "insufficient_scope");
    }
    post(
        &app,
        &cast.no_scope.token,
        "/api/v1/biometrics/identify",
        json!({ "probe": float_template(1, 1) }),
    )
    .await
    .problem(403, "insufficient_scope");
    post(
        &app,
        &cast.no_scope.token,
        "/api/v1/biometrics/consents",
        json!({ "subjectId": "x", "purpose": "p" }),
    )
    .await
    .problem(403, "insufficient_scope");
    // People are not partner systems, whatever their role.
    post(
        &app,
        &cast.admin.access_token,
        "/api/v1/biometrics/identify",
        json!({ "probe": float_template(1, 1) }),
    )
    .await
    .problem(403, "forbidden");

    consent_and_enrol(&app, &cast.bank, "cust-0001", 1).await;
    // Wrong dimension, unknown format, low quality: 422 with a code each, nothing stored.
    let mut short = float_template(1, 2);
    short["dimension"] = json!(256);
    let mut unknown = float_template(1, 2);
    unknown["format"] = json!("minutiae");
    let mut blurred = float_template(1, 2);
    blurred["quality"] = json!(12);
    for (template, code) in [
        (short, "wrong_dimension"),
        (unknown, "unknown_format"),
        (blurred, "low_quality"),
    ] {
        let body = post(
            &app,
            &cast.bank.token,
            "/api/v1/biometrics/templates",
            json!({
                "subjectId": "cust-0001", "template": template
            }),
        )
        .await
        .problem(422, "validation_failed");
        assert_eq!(body["errors"][0]["code"], code, "{body}");
    }
    assert_eq!(count_rows(&app, "cust-0001").0, 1);
    // A name is not an opaque id.
    post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/consents",
        json!({ "subjectId": "Dilnoza Karimova", "purpose": "p" }),
    )
    .await
    .problem(422, "validation_failed");

    // Genuine capture matches, an impostor does not; the answer never carries a template.
    let genuine = post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/verify",
        json!({
            "subjectId": "cust-0001", "probe": float_template(1, 7)
        }),
    )
    .await;
    assert_eq!(genuine.status, 200, "{}", genuine.body);
    assert_eq!(genuine.json()["decision"], "match", "{}", genuine.body);
    let impostor = post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/verify",
        json!({
            "subjectId": "cust-0001", "probe": float_template(99, 0)
        }),
    )
    .await
    .json();
    assert_eq!(impostor["decision"], "no_match");
    // Audited with partner, purpose and decision — never the template bytes.
    let audit: Vec<String> = {
        use silkbridge_schema::tables::audit_log::dsl;
        let mut conn = app.state.db.connection().unwrap();
        dsl::audit_log
            .filter(dsl::action.like("biometric.%"))
            .select(dsl::details)
            .load(&mut conn)
            .unwrap()
    };
    assert!(
        audit.iter().any(|d| d.contains("\"decision\":\"match\"")),
        "{audit:?}"
    );
    assert!(
        audit.iter().any(|d| d.contains("contactless payment")),
        "{audit:?}"
    );
    let data = float_template(1, 0)["data"].as_str().unwrap()[..40].to_owned();
    assert!(audit.iter().all(|d| !d.contains(&data)));
}

#[actix_web::test]
async fn partners_match_each_others_subjects_only_under_a_sharing_agreement() {
    let app = TestApp::start().await;
    let cast = partners(&app).await;
    consent_and_enrol(&app, &cast.bank, "cust-0042", 42).await;
    consent_and_enrol(&app, &cast.clinic, "patient-7", 7).await;

    let found = identify(&app, &cast.bank, 42).await.json();
    assert_eq!(found["candidates"][0]["subjectId"], "cust-0042", "{found}");
    assert_eq!(found["candidates"][0]["ownerPartnerId"], cast.bank.id);
    // The clinic neither finds nor verifies the bank's customer.
    let hidden = identify(&app, &cast.clinic, 42).await.json();
    assert_eq!(hidden["candidates"], json!([]), "{hidden}");
    post(
        &app,
        &cast.clinic.token,
        "/api/v1/biometrics/verify",
        json!({
            "subjectId": "cust-0042", "probe": float_template(42, 3), "ownerPartnerId": cast.bank.id
        }),
    )
    .await
    .problem(404, "not_found");
    // Only administrators record sharing agreements.
    post(
        &app,
        &cast.clinic.token,
        "/api/v1/biometrics/sharing",
        json!({
            "ownerPartnerId": cast.bank.id, "granteePartnerId": cast.clinic.id
        }),
    )
    .await
    .problem(403, "forbidden");
    let shared = post(
        &app,
        &cast.admin.access_token,
        "/api/v1/biometrics/sharing",
        json!({
            "ownerPartnerId": cast.bank.id, "granteePartnerId": cast.clinic.id
        }),
    )
    .await;
    assert_eq!(shared.status, 204, "{}", shared.body);
    let now_found = identify(&app, &cast.clinic, 42).await.json();
    assert_eq!(
        now_found["candidates"][0]["subjectId"], "cust-0042",
        "{now_found}"
    );
    let verified = post(
        &app,
        &cast.clinic.token,
        "/api/v1/biometrics/verify",
        json!({
            "subjectId": "cust-0042", "probe": float_template(42, 3), "ownerPartnerId": cast.bank.id
        }),
    )
    .await
    .json();
    assert_eq!(verified["decision"], "match", "{verified}");
    let agreements = app
        .send(app.authed(
            Method::GET,
            "/api/v1/biometrics/sharing",
            &cast.admin.access_token,
        ))
        .await
        .json();
    assert_eq!(
        agreements[0]["granteePartnerId"], cast.clinic.id,
        "{agreements}"
    );
    // Sharing is one way: the bank still does not see the clinic's patient.
    assert_eq!(
        identify(&app, &cast.bank, 7).await.json()["candidates"],
        json!([])
    );
    // Ending the agreement ends the matching at once.
    let ended = app
        .send(app.authed(
            Method::DELETE,
            &format!(
                "/api/v1/biometrics/sharing/{}/{}",
                cast.bank.id, cast.clinic.id
            ),
            &cast.admin.access_token,
        ))
        .await;
    assert_eq!(ended.status, 204, "{}", ended.body);
    assert_eq!(
        identify(&app, &cast.clinic, 42).await.json()["candidates"],
        json!([])
    );
}

#[actix_web::test]
async fn erasure_leaves_nothing_behind_and_altered_templates_never_match() {
    let app = TestApp::start().await;
    let cast = partners(&app).await;
    let consent = consent_and_enrol(&app, &cast.bank, "cust-0100", 100).await;
    // A second template, a binary code too, of the same subject.
    let code = binary_capture(100, 0, 2048, 0.05);
    let binary = json!({ "format": "binary", "dimension": 2048, "vendor": "synthetic-test", "quality": 75, "data": STANDARD.encode(&code) });
    let enrolled = post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/templates",
        json!({ "subjectId": "cust-0100", "template": binary }),
    )
    .await;
    assert_eq!(enrolled.status, 201, "{}", enrolled.body);
    assert_eq!(
        app.state
            .biometrics
            .gallery
            .count_subject(&cast.bank.id, "cust-0100"),
        2
    );

    // Revoking consent erases: database rows, gallery entries; a restart loads nothing.
    let revoked = post(
        &app,
        &cast.bank.token,
        &format!(
            "/api/v1/biometrics/consents/{}/revoke",
            consent["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert_eq!(revoked.json()["templatesErased"], 2);
    assert_eq!(count_rows(&app, "cust-0100"), (0, 0));
    assert_eq!(
        app.state
            .biometrics
            .gallery
            .count_subject(&cast.bank.id, "cust-0100"),
        0
    );
    let found = post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/identify",
        json!({ "probe": float_template(100, 1) }),
    )
    .await
    .json();
    assert_eq!(found["candidates"], json!([]));
    // The erasure request path does the same.
    consent_and_enrol(&app, &cast.bank, "cust-0101", 101).await;
    let erased = app
        .send(app.authed(
            Method::DELETE,
            "/api/v1/biometrics/subjects/cust-0101",
            &cast.bank.token,
        ))
        .await;
    assert_eq!(erased.json()["templatesErased"], 1);
    assert_eq!(count_rows(&app, "cust-0101"), (0, 0));

    // A byte changed in a stored ciphertext: verify refuses instead of matching, and a fresh
    // load counts it unreadable and leaves it out of identification.
    consent_and_enrol(&app, &cast.bank, "cust-0200", 200).await;
    {
        use silkbridge_schema::tables::biometric_templates::dsl;
        let mut conn = app.state.db.connection().unwrap();
        let (id, mut ciphertext): (String, Vec<u8>) = dsl::biometric_templates
            .filter(dsl::subject_ref.eq("cust-0200"))
            .select((dsl::id, dsl::ciphertext))
            .first(&mut conn)
            .unwrap();
        ciphertext[100] ^= 0x01;
        diesel::update(dsl::biometric_templates.find(id))
            .set(dsl::ciphertext.eq(ciphertext))
            .execute(&mut conn)
            .unwrap();
    }
    post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/verify",
        json!({ "subjectId": "cust-0200", "probe": float_template(200, 1) }),
    )
    .await
    .problem(500, "template_unreadable");
    let state = app.state.clone();
    let bank = cast.bank.id.clone();
    let (stats, left) = tokio::task::spawn_blocking(move || {
        let fresh = silkbridge::biometrics::service::BiometricsRuntime::new(&state.config).unwrap();
        let mut conn = state.db.connection().unwrap();
        let stats = fresh.load(&mut conn).unwrap();
        (stats, fresh.gallery.count_subject(&bank, "cust-0200"))
    })
    .await
    .unwrap();
    assert_eq!((stats.loaded, stats.unreadable, left), (0, 1, 0));
    let found = post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/identify",
        json!({ "probe": float_template(200, 1) }),
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
}

#[actix_web::test]
async fn key_rotation_re_encrypts_every_template_and_the_old_key_can_then_go() {
    let app = TestApp::start().await;
    let cast = partners(&app).await;
    consent_and_enrol(&app, &cast.bank, "cust-0300", 300).await;
    let state = app.state.clone();
    let (moved, with_new_only, with_old_only) = tokio::task::spawn_blocking(move || {
        use silkbridge::biometrics::{crypto, service};
        let old_key = state.config.biometric_key_file();
        let new_key = old_key.with_file_name("biometric-templates-2027.key");
        crypto::create_key_file(&new_key).unwrap();
        let mut rotated = (*state.config).clone();
        rotated.biometrics.key_file = Some(new_key.clone());
        rotated.biometrics.previous_key_files = vec![old_key.clone()];
        let keys = crypto::TemplateKeys::load(&rotated).unwrap();
        let mut conn = state.db.connection().unwrap();
        let moved = service::re_encrypt(&mut conn, &keys, &mut |_| {}).unwrap();
        // Resumable: a second run finds nothing left to move.
        assert_eq!(
            service::re_encrypt(&mut conn, &keys, &mut |_| {}).unwrap(),
            0
        );
        let mut load = |key: std::path::PathBuf| {
            let mut config = (*state.config).clone();
            config.biometrics.key_file = Some(key);
            let runtime = service::BiometricsRuntime::new(&config).unwrap();
            let stats = runtime.load(&mut conn).unwrap();
            (stats.loaded, stats.unreadable)
        };
        (moved, load(new_key), load(old_key))
    })
    .await
    .unwrap();
    assert_eq!(moved, 1);
    assert_eq!(with_new_only, (1, 0));
    assert_eq!(with_old_only, (0, 1));
}

#[actix_web::test]
async fn a_second_server_follows_enrolments_and_erasures_into_its_gallery() {
    let app = TestApp::start().await;
    let cast = partners(&app).await;
    // A second instance on the same database, with the same keys.
    let other = app.second_node().await;
    consent_and_enrol(&app, &cast.bank, "cust-0500", 500).await;
    let state = other.state.clone();
    let bank = cast.bank.id.clone();
    let seen = tokio::task::spawn_blocking(move || {
        crate::support::eventually("the other gallery picks up the enrolment", || {
            let mut conn = state.db.connection().unwrap();
            state.biometrics.follow(&mut conn).unwrap();
            (state.biometrics.gallery.count_subject(&bank, "cust-0500") == 1).then_some(())
        })
    });
    seen.await.unwrap();
    let erased = app
        .send(app.authed(
            Method::DELETE,
            "/api/v1/biometrics/subjects/cust-0500",
            &cast.bank.token,
        ))
        .await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    let state = other.state.clone();
    let bank = cast.bank.id.clone();
    tokio::task::spawn_blocking(move || {
        crate::support::eventually("the other gallery drops the erased subject", || {
            let mut conn = state.db.connection().unwrap();
            state.biometrics.follow(&mut conn).unwrap();
            (state.biometrics.gallery.count_subject(&bank, "cust-0500") == 0).then_some(())
        })
    })
    .await
    .unwrap();
}

#[actix_web::test]
async fn thresholds_are_set_by_administrators_within_range_and_decide_verification() {
    let app = TestApp::start().await;
    let cast = partners(&app).await;
    consent_and_enrol(&app, &cast.bank, "cust-0600", 600).await;
    let path = format!("/api/v1/biometrics/partners/{}/threshold", cast.bank.id);
    let set = |token: String, body: Value| {
        let request = app.authed(Method::PUT, &path, &token).json(&body);
        app.send(request)
    };
    set(
        cast.bank.token.clone(),
        json!({ "format": "float32", "threshold": 0.99 }),
    )
    .await
    .problem(403, "forbidden");
    let bad = set(
        cast.admin.access_token.clone(),
        json!({ "format": "float32", "threshold": 1.5 }),
    )
    .await
    .problem(422, "validation_failed");
    assert_eq!(bad["errors"][0]["code"], "out_of_range");
    let bad = set(
        cast.admin.access_token.clone(),
        json!({ "format": "minutiae", "threshold": 0.9 }),
    )
    .await
    .problem(422, "validation_failed");
    assert_eq!(bad["errors"][0]["code"], "unknown_format");
    let verify = || {
        post(
            &app,
            &cast.bank.token,
            "/api/v1/biometrics/verify",
            json!({
                "subjectId": "cust-0600", "probe": float_template(600, 4)
            }),
        )
    };
    assert_eq!(verify().await.json()["decision"], "match");
    // A threshold above any genuine score turns the same probe into a no-match.
    let raised = set(
        cast.admin.access_token.clone(),
        json!({ "format": "float32", "threshold": 0.999 }),
    )
    .await;
    assert_eq!(raised.status, 204, "{}", raised.body);
    let after = verify().await.json();
    assert_eq!(
        (after["decision"].as_str(), after["threshold"].as_f64()),
        (Some("no_match"), Some(0.999))
    );
    // The same over GraphQL: administrators only, and the range is checked.
    let graphql = |token: String, threshold: f64| {
        let request = app.authed(Method::POST, "/graphql", &token).json(&json!({
            "query": "mutation($p: String!, $t: Float!) { setBiometricThreshold(partnerId: $p, format: \"float32\", threshold: $t) }",
            "variables": { "p": cast.bank.id, "t": threshold }
        }));
        app.send(request)
    };
    let refused = graphql(cast.bank.token.clone(), 0.9).await.json();
    assert_eq!(refused["errors"][0]["extensions"]["code"], "forbidden");
    let out_of_range = graphql(cast.admin.access_token.clone(), -0.1).await.json();
    assert_eq!(
        out_of_range["errors"][0]["extensions"]["code"],
        "validation_failed"
    );
    let ok = graphql(cast.admin.access_token.clone(), 0.999).await.json();
    assert_eq!(ok["data"]["setBiometricThreshold"], true, "{ok}");
    // Identify refuses a result count out of range.
    post(
        &app,
        &cast.bank.token,
        "/api/v1/biometrics/identify",
        json!({ "probe": float_template(600, 4), "maxResults": 0 }),
    )
    .await
    .problem(422, "validation_failed");
    // Erasure: a malformed subject id is 422, a partner without the scope 403, another
    // partner's (or an unknown) consent 404.
    app.send(app.authed(
        Method::DELETE,
        "/api/v1/biometrics/subjects/not%20an%20id",
        &cast.bank.token,
    ))
    .await
    .problem(422, "validation_failed");
    app.send(app.authed(
        Method::DELETE,
        "/api/v1/biometrics/subjects/cust-0600",
        &cast.no_scope.token,
    ))
    .await
    .problem(403, "insufficient_scope");
    post(
        &app,
        &cast.clinic.token,
        "/api/v1/biometrics/consents/no-such-consent/revoke",
        json!({}),
    )
    .await
    .problem(404, "not_found");
}
