//! The matrix's world: nine callers and, owned by stat-uz, one object of every access level,
//! each restricted one carrying a canary string that must never reach a caller who may not
//! see it. Public objects exist from the start; restricted ones are added between the two
//! passes (see `mod.rs`), so the first pass sees the platform without them.

use reqwest::Method;
use serde_json::{Value, json};
use silkbridge::identity::domain::Role;

use crate::support::{SignedIn, TestApp};

/// Who calls, in the order of the table's expectation strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    /// Member, editor and admin of stat-uz, the organisation that owns every object.
    Member,
    Editor,
    Admin,
    /// An editor of another organisation of the same country (botany-uz).
    OtherUz,
    /// An editor of an organisation of the other country (khazar-university).
    OtherAz,
    PlatformAdmin,
    /// A partner system holding every scope (and no organisation).
    PartnerAll,
    /// A partner system holding none.
    PartnerNone,
}

pub const CALLERS: [Who; 9] = [
    Who::Anonymous,
    Who::Member,
    Who::Editor,
    Who::Admin,
    Who::OtherUz,
    Who::OtherAz,
    Who::PlatformAdmin,
    Who::PartnerAll,
    Who::PartnerNone,
];

impl Who {
    /// Members of stat-uz (any role): they see its restricted material.
    pub fn insider(self) -> bool {
        matches!(self, Who::Member | Who::Editor | Who::Admin)
    }
}

/// Which object of a kind a row is run against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Readable by everyone (open publication, public dataset, published listing).
    Public,
    /// stat-uz's restricted object (organisation-only or embargoed publication, private
    /// dataset, draft listing, a document it sent).
    Restricted(usize),
    /// A document two other organisations exchanged: nobody here may see it.
    Foreign,
}

impl Variant {
    pub fn visible_to(self, who: Who) -> bool {
        match self {
            Variant::Public => true,
            Variant::Restricted(_) => who.insider(),
            Variant::Foreign => false,
        }
    }
}

/// One object: its ids (the object's own and, for files, its parent's).
#[derive(Debug, Clone, Default)]
pub struct Object {
    pub id: String,
    /// The first file, resource or media item of the object.
    pub file: String,
    /// A name a caller could also use instead of the id (datasets).
    pub name: String,
}

/// A restricted object's canary: text in its title and in its file.
pub struct Canary {
    pub text: &'static str,
    /// Who may see it.
    pub variant: Variant,
}

pub const CANARIES: &[Canary] = &[
    Canary {
        text: "CANARYORGPUB",
        variant: Variant::Restricted(0),
    },
    Canary {
        text: "CANARYEMBARGOPUB",
        variant: Variant::Restricted(1),
    },
    Canary {
        text: "CANARYPRIVATEDATA",
        variant: Variant::Restricted(0),
    },
    Canary {
        text: "CANARYDRAFTLISTING",
        variant: Variant::Restricted(0),
    },
    Canary {
        text: "CANARYOWNDOCUMENT",
        variant: Variant::Restricted(0),
    },
    Canary {
        text: "CANARYFOREIGNDOCUMENT",
        variant: Variant::Foreign,
    },
];

/// Everyone and everything the rows refer to.
pub struct World {
    pub callers: Vec<(Who, Option<String>)>,
    pub member_id: String,
    pub editor_id: String,
    pub partner_all_id: String,
    pub partner_none_id: String,
    /// A device in the demo registry.
    pub imei: String,
    /// Per kind: the public object, the restricted ones, the foreign one.
    pub publications: Vec<(Variant, Object)>,
    pub datasets: Vec<(Variant, Object)>,
    pub listings: Vec<(Variant, Object)>,
    pub documents: Vec<(Variant, Object)>,
    /// A consent the all-scopes partner granted.
    pub consent_id: String,
    /// An editor of azstat, who sends the foreign document to cbar.
    pub azstat_clerk: String,
}

impl World {
    pub fn token(&self, who: Who) -> Option<&str> {
        self.callers
            .iter()
            .find(|(w, _)| *w == who)
            .and_then(|(_, t)| t.as_deref())
    }
}

fn merge(mut base: Value, changes: Value) -> Value {
    if let (Some(target), Some(changes)) = (base.as_object_mut(), changes.as_object()) {
        for (k, v) in changes {
            target.insert(k.clone(), v.clone());
        }
    }
    base
}

async fn created(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> Value {
    let reply = app.send(app.authed(method, path, token).json(&body)).await;
    assert!(
        reply.status == 201 || reply.status == 200,
        "{path}: {} {}",
        reply.status,
        reply.body
    );
    reply.json()
}

async fn upload(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Value {
    let reply = app
        .send(
            app.authed(Method::POST, path, token)
                .header("content-type", content_type)
                .body(bytes),
        )
        .await;
    assert_eq!(reply.status, 201, "{path}: {}", reply.body);
    reply.json()
}

/// A placeholder object for the first pass: ids of the right shape that name nothing.
pub fn absent() -> Object {
    Object {
        id: silkbridge_schema::ids::new_id(),
        file: silkbridge_schema::ids::new_id(),
        name: format!("absent-{}", &silkbridge_schema::ids::new_id()[24..]),
    }
}

/// The callers and the public objects (first pass).
pub async fn start(app: &TestApp) -> World {
    app.seed_demo().await;
    let member = app
        .person("UZ", "Matrix member", &[("stat-uz", Role::Member)])
        .await;
    let editor = app
        .person("UZ", "Matrix editor", &[("stat-uz", Role::Editor)])
        .await;
    let admin = app
        .person("UZ", "Matrix admin", &[("stat-uz", Role::Admin)])
        .await;
    let other_uz = app
        .person("UZ", "Botany editor", &[("botany-uz", Role::Editor)])
        .await;
    let other_az = app
        .person(
            "AZ",
            "Khazar editor",
            &[("khazar-university", Role::Editor)],
        )
        .await;
    let platform: SignedIn = app.platform_admin().await;
    let azstat_clerk = app
        .person("AZ", "Azstat clerk", &[("azstat", Role::Editor)])
        .await;
    let all: Vec<&str> = silkbridge::identity::partners::SCOPES.to_vec();
    let partner_all = app
        .partner(
            &platform,
            json!({"name": "Matrix all scopes", "scopes": all}),
        )
        .await;
    let partner_none = app
        .partner(&platform, json!({"name": "Matrix no scope", "scopes": []}))
        .await;
    let consent = created(
        app,
        &partner_all.token,
        Method::POST,
        "/api/v1/biometrics/consents",
        json!({"subjectId": "matrix-0001", "purpose": "matrix"}),
    )
    .await;

    let token = editor.access_token.clone();
    let open = created(
        app,
        &token,
        Method::POST,
        "/api/v1/research/publications",
        super::super::research::publication(
            json!({"doi": null, "title": "Matrix open publication"}),
        ),
    )
    .await;
    let open_id = open["id"].as_str().unwrap().to_owned();
    let open_file = upload(
        app,
        &token,
        &format!("/api/v1/research/publications/{open_id}/files?file_name=open.txt"),
        "text/plain",
        b"open text".to_vec(),
    )
    .await;
    let dataset = super::super::datasets::create(
        app,
        &editor,
        super::super::datasets::dataset(
            json!({"name": "matrix-public", "title": "Matrix public data"}),
        ),
    )
    .await;
    let dataset_id = dataset["id"].as_str().unwrap().to_owned();
    let resource = super::super::datasets::upload(
        app,
        &editor,
        "matrix-public",
        "open.csv",
        "text/csv",
        b"a,b\n1,2\n".to_vec(),
    )
    .await
    .json();
    // stat-uz's own published listing, with a picture (a moderator approves it).
    let listing = created(app, &token, Method::POST, "/api/v1/marketplace/listings", json!({
        "organisation": "stat-uz", "kind": "service", "title": "Matrix offer", "description": "Open data consulting.",
        "categories": ["cloud-hosting"], "countries": ["UZ"], "price_model": "subscription", "price_min": 1000, "currency": "UZS"
    }))
    .await["id"]
    .as_str()
    .unwrap()
    .to_owned();
    let mut picture = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    picture.extend(b"matrix picture");
    let media = upload(
        app,
        &token,
        &format!("/api/v1/marketplace/listings/{listing}/media?file_name=p.png"),
        "image/png",
        picture,
    )
    .await;
    created(
        app,
        &token,
        Method::POST,
        &format!("/api/v1/marketplace/listings/{listing}/submit"),
        json!({}),
    )
    .await;
    created(
        app,
        &platform.access_token,
        Method::POST,
        &format!("/api/v1/marketplace/listings/{listing}/decision"),
        json!({"decision": "approve"}),
    )
    .await;
    // stat-uz's signing key exists before any document is sent (keys are public).
    created(
        app,
        &admin.access_token,
        Method::POST,
        "/api/v1/organisations/stat-uz/signing-keys/rotate",
        json!({}),
    )
    .await;

    World {
        callers: vec![
            (Who::Anonymous, None),
            (Who::Member, Some(member.access_token.clone())),
            (Who::Editor, Some(editor.access_token.clone())),
            (Who::Admin, Some(admin.access_token.clone())),
            (Who::OtherUz, Some(other_uz.access_token.clone())),
            (Who::OtherAz, Some(other_az.access_token.clone())),
            (Who::PlatformAdmin, Some(platform.access_token.clone())),
            (Who::PartnerAll, Some(partner_all.token.clone())),
            (Who::PartnerNone, Some(partner_none.token.clone())),
        ],
        member_id: member.user_id.clone(),
        editor_id: editor.user_id.clone(),
        partner_all_id: partner_all.id.clone(),
        partner_none_id: partner_none.id.clone(),
        imei: "356938035643809".into(),
        publications: vec![
            (
                Variant::Public,
                Object {
                    id: open_id,
                    file: open_file["id"].as_str().unwrap().to_owned(),
                    name: String::new(),
                },
            ),
            (Variant::Restricted(0), absent()),
            (Variant::Restricted(1), absent()),
        ],
        datasets: vec![
            (
                Variant::Public,
                Object {
                    id: dataset_id,
                    file: resource["id"].as_str().unwrap().to_owned(),
                    name: "matrix-public".into(),
                },
            ),
            (Variant::Restricted(0), absent()),
        ],
        listings: vec![
            (
                Variant::Public,
                Object {
                    id: listing,
                    file: media["id"].as_str().unwrap().to_owned(),
                    name: String::new(),
                },
            ),
            (Variant::Restricted(0), absent()),
        ],
        documents: vec![
            (Variant::Restricted(0), absent()),
            (Variant::Foreign, absent()),
        ],
        consent_id: consent["id"].as_str().unwrap().to_owned(),
        azstat_clerk: azstat_clerk.access_token,
    }
}

/// Adds the restricted objects (second pass).
pub async fn restrict(app: &TestApp, world: &mut World) {
    let token = world.token(Who::Editor).unwrap().to_owned();
    let mut publications = Vec::new();
    for (canary, changes) in [
        ("CANARYORGPUB", json!({"access_level": "organisation"})),
        (
            "CANARYEMBARGOPUB",
            json!({"access_level": "embargoed", "embargo_until": "2099-01-01"}),
        ),
    ] {
        let body = super::super::research::publication(merge(
            json!({"doi": null, "title": format!("Matrix {canary} study"), "abstract": format!("Findings {canary} not yet cleared.")}),
            changes,
        ));
        let p = created(
            app,
            &token,
            Method::POST,
            "/api/v1/research/publications",
            body,
        )
        .await;
        let id = p["id"].as_str().unwrap().to_owned();
        let f = upload(
            app,
            &token,
            &format!("/api/v1/research/publications/{id}/files?file_name=draft.txt"),
            "text/plain",
            format!("draft {canary}").into_bytes(),
        )
        .await;
        publications.push(Object {
            id,
            file: f["id"].as_str().unwrap().to_owned(),
            name: String::new(),
        });
    }
    world.publications[1].1 = publications.remove(0);
    world.publications[2].1 = publications.remove(0);

    let editor = crate::support::SignedIn {
        user_id: world.editor_id.clone(),
        access_token: token.clone(),
        refresh_token: String::new(),
        me: Value::Null,
    };
    let private = super::super::datasets::create(
        app,
        &editor,
        super::super::datasets::dataset(json!({"name": "matrix-private", "title": "Matrix CANARYPRIVATEDATA", "notes": "CANARYPRIVATEDATA notes", "private": true, "tags": ["canaryprivatedata"]})),
    )
    .await;
    let resource = super::super::datasets::upload(
        app,
        &editor,
        "matrix-private",
        "private.csv",
        "text/csv",
        b"secret\nCANARYPRIVATEDATA\n".to_vec(),
    )
    .await
    .json();
    world.datasets[1].1 = Object {
        id: private["id"].as_str().unwrap().to_owned(),
        file: resource["id"].as_str().unwrap().to_owned(),
        name: "matrix-private".into(),
    };

    let listing = created(
        app,
        &token,
        Method::POST,
        "/api/v1/marketplace/listings",
        json!({
            "organisation": "stat-uz", "kind": "service", "title": "Matrix CANARYDRAFTLISTING",
            "description": "Draft offer CANARYDRAFTLISTING.", "categories": ["cloud-hosting"],
            "countries": ["UZ"], "price_model": "subscription", "price_min": 1000, "currency": "UZS"
        }),
    )
    .await;
    let listing_id = listing["id"].as_str().unwrap().to_owned();
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend(b"CANARYDRAFTLISTING".iter());
    let media = upload(
        app,
        &token,
        &format!("/api/v1/marketplace/listings/{listing_id}/media?file_name=m.png"),
        "image/png",
        png,
    )
    .await;
    world.listings[1].1 = Object {
        id: listing_id,
        file: media["id"].as_str().unwrap().to_owned(),
        name: String::new(),
    };

    for (slot, (who, sender, recipient, canary)) in [
        (token.clone(), "stat-uz", "azstat", "CANARYOWNDOCUMENT"),
        (
            world.azstat_clerk.clone(),
            "azstat",
            "cbar",
            "CANARYFOREIGNDOCUMENT",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let doc = created(
            app,
            &who,
            Method::POST,
            "/api/v1/documents",
            json!({"sender": sender, "subject": format!("Letter {canary}"), "document_type": "letter",
                   "reference_number": "M-1", "confidentiality": "confidential", "recipients": [recipient]}),
        )
        .await;
        let id = doc["id"].as_str().unwrap().to_owned();
        let file = upload(
            app,
            &who,
            &format!("/api/v1/documents/{id}/files?file_name=letter.txt"),
            "application/octet-stream",
            format!("letter {canary}").into_bytes(),
        )
        .await;
        let sent = app
            .send(
                app.authed(Method::POST, &format!("/api/v1/documents/{id}/steps"), &who)
                    .json(&json!({"step": "send"})),
            )
            .await;
        assert_eq!(sent.status, 200, "{}", sent.body);
        world.documents[slot].1 = Object {
            id,
            file: file["id"].as_str().unwrap().to_owned(),
            name: String::new(),
        };
    }
    app.reindex().await;
}
