//! Files answering an application's `file` questions, over the API: only the startup's
//! editors attach them, only to a `file` question, only while the application is a draft and
//! applications are taken, within the size limit and never an executable; a required one must
//! be there to submit; a new upload replaces the old one (whose object is deleted); whoever
//! may read the application downloads them and nobody else — not another startup, not the
//! organisers before submission, not a reviewer with a conflict, not a partner; the object
//! sweep keeps what a row names.

use chrono::Duration;
use reqwest::Method;
use serde_json::json;

use super::hub_support::{hub, ok, send};
use super::portal_hub::with_pitch_deck;
use crate::cast::cast;
use crate::support::{Reply, SignedIn, TestApp};

async fn put_file(app: &TestApp, who: &SignedIn, path: &str, name: &str, bytes: Vec<u8>) -> Reply {
    app.send(
        app.authed(
            Method::PUT,
            &format!("{path}?file_name={name}"),
            &who.access_token,
        )
        .header("content-type", "application/pdf")
        .body(bytes),
    )
    .await
}

async fn objects_under(app: &TestApp, prefix: &str) -> usize {
    use futures_util::StreamExt;
    let path = object_store::path::Path::from(prefix);
    app.state.objects.list(Some(&path)).count().await
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n{text}\n%%EOF\n").into_bytes()
}

#[actix_web::test]
async fn pitch_decks_reach_who_may_read_the_application_and_nobody_else() {
    let app = TestApp::start_with_config(|config| config.hub.file_max_bytes = 64 * 1024).await;
    let cast = cast(&app).await;
    let hub = hub(&app, &cast).await;
    let slug = "deck-accelerator";
    let programme = format!("/api/v1/hub/programmes/{slug}");
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        "/api/v1/hub/programmes",
        Some(with_pitch_deck(slug, Duration::days(3))),
    )
    .await;
    ok(
        &app,
        &hub.uz_park,
        Method::POST,
        &format!("{programme}/publish"),
        None,
    )
    .await;
    for reviewer in [&hub.reviewer_uz, &hub.reviewer_declaring] {
        ok(
            &app,
            &hub.uz_park,
            Method::POST,
            &format!("{programme}/reviewers"),
            Some(json!({"userId": reviewer.user_id})),
        )
        .await;
    }
    let created = ok(&app, &hub.registan, Method::POST, &format!("{programme}/applications"), Some(json!({
        "startup": "registan-analytics", "stage": "mvp", "sector": "ai",
        "answers": [{"question": "problem", "value": "Invoices"}, {"question": "team-size", "value": "4"}]
    }))).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["files"], json!([]));
    let application = format!("/api/v1/hub/applications/{id}");
    let deck = format!("{application}/files/pitch-deck");

    // Who may not attach, and what may not be attached.
    assert_eq!(
        put_file(
            &app,
            &hub.registan,
            &format!("{application}/files/problem"),
            "x.pdf",
            pdf("x")
        )
        .await
        .status,
        404,
        "not a file question"
    );
    assert_eq!(
        put_file(
            &app,
            &hub.registan,
            &format!("{application}/files/..%2F..%2Fetc"),
            "x.pdf",
            pdf("x")
        )
        .await
        .status,
        404
    );
    assert_eq!(
        put_file(&app, &hub.registan_member, &deck, "x.pdf", pdf("x"))
            .await
            .status,
        403,
        "a member who does not edit"
    );
    assert_eq!(
        put_file(&app, &hub.caspian, &deck, "x.pdf", pdf("x"))
            .await
            .status,
        404,
        "another startup"
    );
    assert_eq!(
        put_file(&app, &hub.uz_park, &deck, "x.pdf", pdf("x"))
            .await
            .status,
        404,
        "organisers before submission"
    );
    let partner = app
        .partner(&cast.admin, json!({"name": "A partner", "organisation": "registan-analytics", "scopes": ["imei:read"]}))
        .await;
    let partner = app
        .send(
            app.authed(
                Method::PUT,
                &format!("{deck}?file_name=x.pdf"),
                &partner.token,
            )
            .body(pdf("x")),
        )
        .await;
    assert_eq!(partner.status, 403, "{}", partner.body);
    let elf = put_file(
        &app,
        &hub.registan,
        &deck,
        "deck.pdf",
        [b"\x7fELF\x02\x01\x01".as_slice(), &[0; 64]].concat(),
    )
    .await;
    assert_eq!(elf.status, 415, "{}", elf.body);
    let huge = put_file(
        &app,
        &hub.registan,
        &deck,
        "deck.pdf",
        vec![b'a'; 65 * 1024],
    )
    .await;
    assert_eq!(huge.status, 413, "{}", huge.body);
    assert_eq!(
        objects_under(&app, &format!("hub/{id}")).await,
        0,
        "nothing refused was kept"
    );

    // A required deck missing: the submission names it.
    let early = send(
        &app,
        &hub.registan,
        Method::POST,
        &format!("{application}/submit"),
        None,
    )
    .await;
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(early.body.contains("answers.pitch-deck"), "{}", early.body);

    // Attached, then replaced: one object, the new bytes.
    let first = put_file(&app, &hub.registan, &deck, "deck-v1.pdf", pdf("first")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let second = put_file(&app, &hub.registan, &deck, "deck-v2.pdf", pdf("second")).await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(
        objects_under(&app, &format!("hub/{id}")).await,
        1,
        "the replaced deck is gone"
    );
    let view = ok(&app, &hub.registan, Method::GET, &application, None).await;
    assert_eq!(view["files"][0]["fileName"], "deck-v2.pdf");
    assert_eq!(
        send(&app, &hub.registan_member, Method::GET, &deck, None)
            .await
            .body,
        String::from_utf8(pdf("second")).unwrap()
    );

    // Removed and attached again, then submitted: frozen.
    assert_eq!(
        send(&app, &hub.registan, Method::DELETE, &deck, None)
            .await
            .status,
        204
    );
    assert_eq!(
        send(&app, &hub.registan, Method::GET, &deck, None)
            .await
            .status,
        404
    );
    assert_eq!(
        put_file(&app, &hub.registan, &deck, "deck.pdf", pdf("final"))
            .await
            .status,
        201
    );
    ok(
        &app,
        &hub.registan,
        Method::POST,
        &format!("{application}/submit"),
        None,
    )
    .await;
    assert_eq!(
        put_file(&app, &hub.registan, &deck, "late.pdf", pdf("late"))
            .await
            .status,
        409
    );
    assert_eq!(
        send(&app, &hub.registan, Method::DELETE, &deck, None)
            .await
            .status,
        409
    );

    // Readers: the organisers and the panel now; not a conflicted reviewer, not outsiders.
    for reader in [&hub.uz_park, &hub.reviewer_uz, &hub.registan_member] {
        let got = send(&app, reader, Method::GET, &deck, None).await;
        assert_eq!(got.status, 200, "{}", got.body);
        assert_eq!(got.body, String::from_utf8(pdf("final")).unwrap());
    }
    ok(
        &app,
        &hub.reviewer_declaring,
        Method::POST,
        &format!("{programme}/conflicts"),
        Some(json!({"startup": "registan-analytics"})),
    )
    .await;
    for outsider in [&hub.reviewer_declaring, &hub.caspian, &cast.buyer] {
        assert_eq!(
            send(&app, outsider, Method::GET, &deck, None).await.status,
            404
        );
    }
    assert_eq!(app.get(&deck).await.status, 401);

    // Withdrawn, it may be changed again.
    ok(
        &app,
        &hub.registan,
        Method::POST,
        &format!("{application}/withdraw"),
        None,
    )
    .await;
    assert_eq!(
        put_file(&app, &hub.registan, &deck, "deck-v3.pdf", pdf("again"))
            .await
            .status,
        201
    );

    // The sweep keeps the attached deck, however old, and collects what no row names.
    let orphan = object_store::path::Path::from(format!("hub/{id}/pitch-deck/orphan"));
    object_store::ObjectStoreExt::put(app.state.objects.as_ref(), &orphan, pdf("orphan").into())
        .await
        .unwrap();
    let report = silkbridge::sweep::sweep(&app.state, std::time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(report.deleted, 1, "{report:?}");
    assert_eq!(objects_under(&app, &format!("hub/{id}")).await, 1);
    let kept = send(&app, &hub.registan, Method::GET, &deck, None).await;
    assert_eq!(kept.body, String::from_utf8(pdf("again")).unwrap());
}
