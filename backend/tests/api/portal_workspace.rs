//! The signed-in workspace over HTTP, as a browser without JavaScript uses it: forms with the
//! session's token, redirects after each action, the same refusals as the API. (The browser
//! and the real OpenID Providers are `portal_browser.rs` and `identity_login.rs`.)

use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::cast::cast;
use crate::support::{SignedIn, TestApp};

/// A browser: no automatic redirects, the session cookie of `who`, and this site's `Origin`.
pub(super) struct Browser<'a> {
    app: &'a TestApp,
    pub(super) client: reqwest::Client,
    pub(super) cookie: String,
}

pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) location: String,
    pub(super) body: String,
}

impl<'a> Browser<'a> {
    pub(super) fn of(app: &'a TestApp, who: &SignedIn) -> Self {
        Self {
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookie: format!("sb_access={}", who.access_token),
        }
    }

    pub(super) fn origin(&self) -> String {
        self.app.url("").trim_end_matches('/').to_owned()
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        Answer {
            status,
            location,
            body: response.text().await.unwrap(),
        }
    }

    pub(super) async fn get(&self, path: &str) -> Answer {
        let response = self
            .client
            .get(self.app.url(path))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap();
        Self::answer(response).await
    }

    /// The form token of a page.
    pub(super) async fn token(&self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        page.body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("no form on {path}"))
            .to_owned()
    }

    pub(super) async fn post(&self, path: &str, origin: &str, fields: &[(&str, &str)]) -> Answer {
        let response = self
            .client
            .post(self.app.url(path))
            .header("cookie", &self.cookie)
            .header("origin", origin)
            .form(fields)
            .send()
            .await
            .unwrap();
        Self::answer(response).await
    }

    pub(super) async fn upload(
        &self,
        path: &str,
        csrf: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> Answer {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(name.to_owned())
                    .mime_str("application/pdf")
                    .unwrap(),
            );
        let response = self
            .client
            .post(self.app.url(path))
            .header("cookie", &self.cookie)
            .header("origin", self.origin())
            .multipart(form)
            .send()
            .await
            .unwrap();
        Self::answer(response).await
    }

    /// Takes a step on the document's page, as its button does.
    pub(super) async fn step(&self, document: &str, step: &str, organisation: &str) -> Answer {
        let page = format!("/en/workspace/documents/{document}");
        let token = self.token(&page).await;
        self.post(
            &format!("{page}/steps"),
            &self.origin(),
            &[
                ("csrf", &token),
                ("step", step),
                ("organisation", organisation),
            ],
        )
        .await
    }
}

pub(super) fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.extend_from_slice("Protocol on statistical data exchange, Tashkent–Baku".as_bytes());
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

#[actix_web::test]
async fn agencies_exchange_a_signed_document_through_the_workspace_and_outsiders_see_nothing() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let uz = Browser::of(&app, &cast.uz);
    let az = Browser::of(&app, &cast.az);

    // A signed-in person's pages carry the workspace link and a sign-out form; anyone else's
    // workspace sends them to sign in.
    let home = uz.get("/en/").await;
    assert!(home.body.contains("/en/workspace\""), "{}", home.body);
    let anonymous = app.get("/en/workspace").await;
    assert_eq!(anonymous.status, 200, "followed to the sign-in page");
    assert!(
        anonymous.body.contains("<h1>Sign in</h1>"),
        "{}",
        anonymous.body
    );

    // Compose: a forged form changes nothing; a form with a missing subject is shown again
    // with the field marked; the real one makes a draft.
    let token = uz.token("/en/workspace/documents/new").await;
    let fields = |subject: &'static str, token: &str| {
        vec![
            ("csrf", token.to_owned()),
            ("sender", "stat-uz".to_owned()),
            ("subject", subject.to_owned()),
            ("document_type", "agreement".to_owned()),
            ("reference_number", "UZ-STAT/2026-114".to_owned()),
            ("confidentiality", "confidential".to_owned()),
            ("recipients", "azstat".to_owned()),
        ]
    };
    let post_form = |origin: String, f: Vec<(&'static str, String)>| {
        let uz = &uz;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            uz.post("/en/workspace/documents", &origin, &pairs).await
        }
    };
    let forged = post_form("https://evil.example".into(), fields("Forged", &token)).await;
    assert_eq!(forged.status, 403);
    let outbox = || async {
        app.send(app.authed(
            Method::GET,
            "/api/v1/documents?mailbox=outbox",
            &cast.uz.access_token,
        ))
        .await
        .json()["items"]
            .as_array()
            .unwrap()
            .len()
    };
    let before = outbox().await;
    let missing = post_form(uz.origin(), fields("", &token)).await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(
        missing.body.contains("id=\"subject-error\""),
        "{}",
        missing.body
    );
    assert!(missing.body.contains("Fill in this field."));
    assert!(
        missing.body.contains("UZ-STAT/2026-114"),
        "what was typed is kept"
    );
    assert_eq!(outbox().await, before, "refused forms change nothing");
    let created = post_form(uz.origin(), fields("Data exchange protocol", &token)).await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = created.location.rsplit('/').next().unwrap().to_owned();
    let page = format!("/en/workspace/documents/{id}");

    // Attach the PDF to the draft, then send it.
    let token = uz.token(&page).await;
    let forged_upload = uz
        .upload(
            &format!("{page}/files"),
            "0".repeat(40).as_str(),
            "x.pdf",
            pdf(),
        )
        .await;
    assert_eq!(forged_upload.status, 403);
    let uploaded = uz
        .upload(&format!("{page}/files"), &token, "protocol.pdf", pdf())
        .await;
    assert_eq!(uploaded.status, 303, "{}", uploaded.body);
    let draft = uz.get(&page).await.body;
    assert!(draft.contains("protocol.pdf"), "{draft}");
    assert!(draft.contains("Confidentiality: Confidential"), "{draft}");
    let drafts = uz.get("/en/workspace/documents?box=drafts").await.body;
    assert!(drafts.contains("Data exchange protocol"), "{drafts}");
    let sent = uz.step(&id, "send", "stat-uz").await;
    assert!(
        !uz.get("/en/workspace/documents?box=drafts")
            .await
            .body
            .contains("Data exchange protocol")
    );
    assert_eq!(sent.status, 303, "{}", sent.body);

    // The AZ agency sees it in its inbox, unread, opens it and downloads the very file.
    let inbox = az.get("/en/workspace/documents?box=inbox").await.body;
    assert!(inbox.contains("Data exchange protocol"), "{inbox}");
    assert!(inbox.contains("class=\"unread\""), "{inbox}");
    for filter in ["waiting", "unread"] {
        let filtered = az
            .get(&format!("/en/workspace/documents?box=inbox&show={filter}"))
            .await
            .body;
        assert!(
            filtered.contains("Data exchange protocol"),
            "{filter}: {filtered}"
        );
    }
    let workspace = az.get("/en/workspace").await.body;
    assert!(
        workspace.contains("1 document awaits your organisation"),
        "{workspace}"
    );
    let opened = az.get(&page).await.body;
    let href = opened
        .split("href=\"/api/v1/documents/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no file link: {opened}"));
    let file = az
        .client
        .get(app.url(&format!("/api/v1/documents/{href}")))
        .header("cookie", &az.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(file.status().as_u16(), 200);
    let digest = hex::encode(Sha256::digest(file.bytes().await.unwrap()));
    assert_eq!(digest, hex::encode(Sha256::digest(pdf())));
    assert!(opened.contains(&digest), "the page shows the same SHA-256");

    // Receive, accept, sign; a step out of order is refused on the page, changing nothing.
    let early = az.step(&id, "sign", "azstat").await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert!(
        early.body.contains("not possible in the document"),
        "{}",
        early.body
    );
    for step in ["deliver", "accept", "sign"] {
        let taken = az.step(&id, step, "azstat").await;
        assert_eq!(taken.status, 303, "{step}: {}", taken.body);
    }
    assert!(az.get(&page).await.body.contains("Signed"));
    let waiting = az
        .get("/en/workspace/documents?box=inbox&show=waiting")
        .await
        .body;
    assert!(
        !waiting.contains("Data exchange protocol"),
        "nothing awaits them now"
    );

    // The sender sees the receipts and verifies the signature's.
    let seen = uz.get(&page).await.body;
    assert!(seen.contains("/receipts/4"), "{seen}");
    let token = uz.token(&page).await;
    let verified = uz
        .post(
            &format!("{page}/receipts/4/verify"),
            &uz.origin(),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert!(
        verified.body.contains("Valid: every signature"),
        "{}",
        verified.body
    );

    // Someone of neither organisation: not found, as the API answers; no step either.
    let outsider = Browser::of(&app, &cast.outsider);
    assert_eq!(outsider.get(&page).await.status, 404);
    let token = outsider.token("/en/workspace").await;
    let meddling = outsider
        .post(
            &format!("{page}/steps"),
            &outsider.origin(),
            &[("csrf", &token), ("step", "recall")],
        )
        .await;
    assert_eq!(meddling.status, 404, "{}", meddling.body);
    // Another session's token is no token.
    let token_of_az = az.token("/en/workspace").await;
    let crossed = uz
        .post(
            &format!("{page}/steps"),
            &uz.origin(),
            &[("csrf", &token_of_az), ("step", "recall")],
        )
        .await;
    assert_eq!(crossed.status, 403);
}

#[actix_web::test]
async fn moderators_review_listings_in_the_browser_and_approved_ones_go_public() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    let created = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/marketplace/listings",
                &cast.cloud_editor.access_token,
            )
            .json(&json!({
                "organisation": "silk-road-cloud",
                "kind": "service",
                "title": "Sovereign object storage",
                "description": "S3-compatible storage hosted in Tashkent and Baku.",
                "categories": ["cloud-hosting"],
                "countries": ["UZ", "AZ"],
                "price_model": "on_request"
            })),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let submitted = app
        .send(app.authed(
            Method::POST,
            &format!("/api/v1/marketplace/listings/{id}/submit"),
            &cast.cloud_editor.access_token,
        ))
        .await;
    assert_eq!(submitted.status, 200, "{}", submitted.body);

    // Not a moderator: refused as the API refuses.
    let editor = Browser::of(&app, &cast.cloud_editor);
    assert_eq!(editor.get("/en/workspace/moderation").await.status, 403);

    let moderator = Browser::of(&app, &cast.moderator);
    let queue = moderator.get("/en/workspace/moderation").await.body;
    assert!(queue.contains("Sovereign object storage"), "{queue}");
    let token = moderator.token("/en/workspace/moderation").await;
    let no_reason = moderator
        .post(
            "/en/workspace/moderation",
            &moderator.origin(),
            &[("csrf", &token), ("listing", &id), ("decision", "reject")],
        )
        .await;
    assert_eq!(no_reason.status, 422, "{}", no_reason.body);
    assert!(no_reason.body.contains("Give a reason when rejecting."));
    assert!(
        !app.get("/en/marketplace")
            .await
            .body
            .contains("Sovereign object storage")
    );
    let approved = moderator
        .post(
            "/en/workspace/moderation",
            &moderator.origin(),
            &[("csrf", &token), ("listing", &id), ("decision", "approve")],
        )
        .await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    assert!(
        app.get("/en/marketplace")
            .await
            .body
            .contains("Sovereign object storage")
    );
    assert!(
        !moderator
            .get("/en/workspace/moderation")
            .await
            .body
            .contains("Sovereign object storage")
    );
}

#[actix_web::test]
async fn an_invitation_gives_its_role_once_and_sign_out_ends_the_session() {
    let app = TestApp::start().await;
    let cast = cast(&app).await;
    // An editor may not invite; the organisation's admin may.
    let invite = |who: &SignedIn| {
        app.send(
            app.authed(
                Method::POST,
                "/api/v1/organisations/stat-uz/invitations",
                &who.access_token,
            )
            .json(&json!({"role": "editor"})),
        )
    };
    invite(&cast.uz).await.problem(403, "forbidden");
    let created = invite(&cast.org_admin).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let token = created.json()["token"].as_str().unwrap().to_owned();
    assert!(!created.body.contains("token_hash"));

    // The link: to the page in the visitor's language, which says what it offers.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let link = client
        .get(app.url(&format!("/invite/{token}")))
        .header("accept-language", "ru")
        .send()
        .await
        .unwrap();
    assert_eq!(link.status().as_u16(), 303);
    assert_eq!(
        link.headers()["location"],
        format!("/ru/invitations/{token}").as_str()
    );
    let offer = app.get(&format!("/en/invitations/{token}")).await;
    assert!(offer.body.contains("as Editor"), "{}", offer.body);
    assert_eq!(app.get("/en/invitations/not-a-token").await.status, 404);

    // The buyer (signed in, of no organisation) accepts: they become an editor, once.
    let buyer = Browser::of(&app, &cast.buyer);
    let page = format!("/en/invitations/{token}");
    let csrf = buyer.token(&page).await;
    let accepted = buyer.post(&page, &buyer.origin(), &[("csrf", &csrf)]).await;
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let me = app
        .send(app.authed(Method::GET, "/api/v1/me", &cast.buyer.access_token))
        .await
        .json();
    assert_eq!(
        me["memberships"][0]["organisation"]["slug"], "stat-uz",
        "{me}"
    );
    assert_eq!(me["memberships"][0]["role"], "editor");
    let again = app
        .send(
            app.authed(
                Method::POST,
                "/api/v1/invitations/accept",
                &cast.outsider.access_token,
            )
            .json(&json!({"token": token})),
        )
        .await;
    again.problem(409, "conflict");
    let listed = app
        .send(app.authed(
            Method::GET,
            "/api/v1/organisations/stat-uz/invitations",
            &cast.org_admin.access_token,
        ))
        .await
        .json();
    assert_eq!(listed[0]["status"], "accepted", "{listed}");

    // Sign out: the session's tokens stop working at once and the cookies are cleared.
    let csrf = buyer.token("/en/workspace").await;
    let forged = buyer
        .post("/en/sign-out", "https://evil.example", &[("csrf", &csrf)])
        .await;
    assert_eq!(forged.status, 403);
    let out = buyer
        .post("/en/sign-out", &buyer.origin(), &[("csrf", &csrf)])
        .await;
    assert_eq!(out.status, 303, "{}", out.body);
    assert_eq!(out.location, "/en/");
    app.send(app.authed(Method::GET, "/api/v1/me", &cast.buyer.access_token))
        .await
        .problem(401, "unauthenticated");
}

#[actix_web::test]
async fn demo_accounts_sign_in_only_on_a_demo_server() {
    // An ordinary server: no demo accounts, and the form's address does not exist.
    let app = TestApp::start().await;
    app.seed_demo().await;
    let page = app.get("/en/sign-in").await.body;
    assert!(!page.contains("Demo accounts"), "{page}");
    let refused = reqwest::Client::new()
        .post(app.url("/en/sign-in/demo"))
        .header("origin", app.url("").trim_end_matches('/'))
        .form(&[("user", "anyone")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 404);

    // A demo server: the demo people, each a button; signing in lands in the workspace.
    let demo = TestApp::start_with_config(|config| config.demo_sign_in = true).await;
    demo.seed_demo().await;
    let page = demo.get("/en/sign-in").await.body;
    assert!(page.contains("Demo only"), "{page}");
    let user = page
        .split("name=\"user\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = client
        .post(demo.url("/en/sign-in/demo"))
        .header("origin", demo.url("").trim_end_matches('/'))
        .form(&[("user", user.as_str()), ("return_to", "/en/workspace")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status().as_u16(), 303);
    assert_eq!(signed_in.headers()["location"], "/en/workspace");
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("sb_access="))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let workspace = client
        .get(demo.url("/en/workspace"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(workspace.contains("Signed in as"), "{workspace}");
    // Not a demo person (a user of the demo who has no such address): refused.
    let other = demo.person("UZ", "real person", &[]).await;
    let refused = client
        .post(demo.url("/en/sign-in/demo"))
        .header("origin", demo.url("").trim_end_matches('/'))
        .form(&[("user", other.user_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 404);
}
