//! The people and organisations of the hub's tests: two IT parks (one of each country) that
//! run a programme together, two startups, a panel of reviewers — one a member of an applying
//! startup, one who declares a conflict.

use chrono::{Duration, NaiveDateTime};
use reqwest::Method;
use serde_json::{Value, json};
use silkbridge::identity::domain::Role;

use super::imei_cases::call;
use crate::cast::Cast;
use crate::support::{Reply, SignedIn, TestApp};

pub(super) struct Hub {
    pub(super) uz_park: SignedIn,
    pub(super) az_park: SignedIn,
    pub(super) registan: SignedIn,
    pub(super) registan_member: SignedIn,
    pub(super) caspian: SignedIn,
    pub(super) late: SignedIn,
    pub(super) reviewer_uz: SignedIn,
    pub(super) reviewer_az: SignedIn,
    /// A reviewer who belongs to caspian-speech.
    pub(super) reviewer_member: SignedIn,
    /// A reviewer who will declare a conflict with registan-analytics.
    pub(super) reviewer_declaring: SignedIn,
}

async fn organisation(app: &TestApp, cast: &Cast, slug: &str, kind: &str, country: &str) {
    let reply = call(
        app,
        &cast.admin.access_token,
        Method::POST,
        "/api/v1/organisations",
        Some(json!({"slug": slug, "name": format!("{slug} (test)"), "kind": kind, "country": country})),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

pub(super) async fn hub(app: &TestApp, cast: &Cast) -> Hub {
    // IT Park Uzbekistan, IDDA and Caspian Speech are the demo's.
    organisation(app, cast, "late-startup", "startup", "UZ").await;
    Hub {
        uz_park: app
            .person("UZ", "UZ park manager", &[("it-park-uz", Role::Editor)])
            .await,
        az_park: app
            .person("AZ", "AZ park manager", &[("idda", Role::Editor)])
            .await,
        registan: app
            .person(
                "UZ",
                "Registan founder",
                &[("registan-analytics", Role::Editor)],
            )
            .await,
        registan_member: app
            .person(
                "UZ",
                "Registan intern",
                &[("registan-analytics", Role::Member)],
            )
            .await,
        caspian: app
            .person("AZ", "Caspian founder", &[("caspian-speech", Role::Editor)])
            .await,
        late: app
            .person("UZ", "Late founder", &[("late-startup", Role::Editor)])
            .await,
        reviewer_uz: app.person("UZ", "Reviewer Tashkent", &[]).await,
        reviewer_az: app.person("AZ", "Reviewer Baku", &[]).await,
        reviewer_member: app
            .person(
                "AZ",
                "Reviewer and Caspian adviser",
                &[("caspian-speech", Role::Member)],
            )
            .await,
        reviewer_declaring: app.person("UZ", "Reviewer with an interest", &[]).await,
    }
}

pub(super) fn at(offset: Duration) -> NaiveDateTime {
    silkbridge_schema::ids::now() + offset
}

/// An accelerator open now, closing in `closes`, for AI and fintech startups of both countries.
pub(super) fn accelerator(slug: &str, closes: Duration) -> Value {
    json!({
        "kind": "accelerator",
        "organisation": "it-park-uz",
        "slug": slug,
        "title": "Silk Road AI Accelerator",
        "description": "Twelve weeks with mentors from Tashkent and Baku.",
        "translations": [{"lang": "ru", "title": "Акселератор ИИ Шёлкового пути", "description": "Двенадцать недель с наставниками."}],
        "applicationsOpenAt": at(-Duration::hours(1)),
        "applicationsCloseAt": at(closes),
        "startsAt": at(closes + Duration::days(7)),
        "endsAt": at(closes + Duration::days(90)),
        "location": "IT Park Tashkent and Baku",
        "countries": ["UZ", "AZ"],
        "stages": ["mvp", "seed"],
        "sectors": ["ai", "fintech"],
        "questions": [
            {"id": "problem", "kind": "text", "label": "What problem do you solve?", "required": true},
            {"id": "team-size", "kind": "number", "label": "Team size", "required": true},
            {"id": "market", "kind": "choice", "label": "First market", "options": ["UZ", "AZ", "both"]}
        ],
        "criteria": [
            {"id": "team", "label": "Team", "weight": 2},
            {"id": "market", "label": "Market", "weight": 1}
        ]
    })
}

pub(super) async fn send(
    app: &TestApp,
    who: &SignedIn,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    call(app, &who.access_token, method, path, body).await
}

pub(super) async fn ok(
    app: &TestApp,
    who: &SignedIn,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let reply = send(app, who, method, path, body).await;
    assert!((200..300).contains(&reply.status), "{path}: {}", reply.body);
    if reply.body.is_empty() {
        Value::Null
    } else {
        reply.json()
    }
}

/// The ids of a list answer, sorted.
pub(super) fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}
