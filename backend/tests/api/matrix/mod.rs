//! The authorisation matrix (Security II): every REST operation of `schema/openapi.json`,
//! the harvesters' endpoints and every GraphQL root field, for nine callers, against stat-uz's
//! objects of every access level. Three properties, each over every answer:
//!
//! 1. the status is the one its row's letter expects for the caller and the object;
//! 2. no canary of an object the caller may not see appears anywhere in the answer (bodies,
//!    snippets, versions, citations, files, OAI, CKAN, DCAT);
//! 3. what a caller may not see is indistinguishable from nothing: the same calls are made
//!    before the restricted objects exist (their ids then name nothing) and after, and every
//!    answer about an object the caller may not see, and every list, search, facet and total
//!    an outsider gets, is the same text both times once ids and request ids are set aside.

mod check;
mod graphql_table;
mod rest_table;
mod world;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use self::graphql_table::FIELDS;
use self::rest_table::{Body, EXTRA_ROWS, ROWS, Target};
use self::world::{CALLERS, Object, Variant, Who, World};
use crate::support::TestApp;

/// One call of the matrix.
struct Call {
    key: String,
    who: Who,
    variant: Option<Variant>,
    owned: bool,
    letter: char,
    method: reqwest::Method,
    path: String,
    body: Option<(String, Vec<u8>)>,
    /// The root field, for GraphQL calls.
    field: Option<&'static str>,
    phase: u8,
    /// Compared across the passes.
    compared: bool,
}

fn objects(world: &World, target: Target) -> Vec<(Option<Variant>, Object)> {
    let list = match target {
        Target::None => return vec![(None, Object::default())],
        Target::Publication => &world.publications,
        Target::Dataset => &world.datasets,
        Target::Listing => &world.listings,
        Target::Document => &world.documents,
    };
    list.iter().map(|(v, o)| (Some(*v), o.clone())).collect()
}

/// Whether stat-uz owns the object (all but the foreign document).
fn owned(_target: Target, variant: Option<Variant>) -> bool {
    !matches!(variant, Some(Variant::Foreign))
}

fn fill(template: &str, world: &World, object: &Object) -> String {
    template
        .replace("{id}", &object.id)
        .replace("{key}", &object.id)
        .replace("{name}", &object.name)
        .replace("{file}", &object.file)
        .replace("{consent}", &world.consent_id)
        .replace("{partner}", &world.partner_none_id)
        .replace("{owner}", &world.partner_all_id)
        .replace("{grantee}", &world.partner_none_id)
        .replace("{subject}", "matrix-0001")
        .replace("{imei}", &world.imei)
        .replace("{slug}", "stat-uz")
        .replace("{user}", &world.member_id)
        .replace("{country}", "UZ")
        .replace("{seq}", "1")
        .replace("{invitation}", "no-such-invitation")
        .replace("{case}", "no-such-case")
        .replace("{programme}", "no-such-programme")
        .replace("{application}", "no-such-application")
        .replace("{organisation}", "stat-uz")
}

/// Paths whose answers legitimately change between two identical calls (the audit trail's
/// checkpoint grows with every audited call: who may read it reads the chain's length; the
/// signed key list carries the time it was signed).
fn comparable(path: &str) -> bool {
    ![
        "/metrics",
        "/readyz",
        "/auth/",
        "/oauth/token",
        "/api/v1/audit/",
        "/api/v1/signing-keys",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// Calls of one pass. Before the restricted objects exist, their ids name nothing: every
/// caller is then expected to get what it gets for an object it may not see.
fn calls(world: &World, after: bool) -> Vec<Call> {
    let existing = |variant: Option<Variant>, owned: bool| match variant {
        Some(Variant::Restricted(_) | Variant::Foreign) if !after => {
            (Some(Variant::Foreign), false)
        }
        _ => (variant, owned),
    };
    let mut calls = Vec::new();
    for (table, row) in ROWS
        .iter()
        .map(|r| ("rest", r))
        .chain(EXTRA_ROWS.iter().map(|r| ("extra", r)))
    {
        let letters: Vec<char> = row.expect.chars().collect();
        assert_eq!(
            letters.len(),
            9,
            "{} {}: one letter per caller",
            row.method,
            row.path
        );
        for (variant, object) in objects(world, row.target) {
            for (i, who) in CALLERS.iter().enumerate() {
                let real = variant;
                let (variant, owned) = existing(variant, owned(row.target, variant));
                let refusal = check::refusal(letters[i], *who, variant, owned);
                let read = row.method == "GET";
                let phase = match () {
                    _ if read => 0,
                    _ if refusal => 1,
                    _ if row.signs_out => 4,
                    _ if row.destructive => 3,
                    _ => 2,
                };
                let path = fill(&format!("{}{}", row.path, row.query), world, &object);
                let body = match row.body {
                    Body::None => None,
                    Body::Json(make) => Some((
                        "application/json".to_owned(),
                        serde_json::to_vec(&make(world, variant.unwrap_or(Variant::Public)))
                            .unwrap(),
                    )),
                    Body::Bytes(ct, bytes) => Some((ct.to_owned(), bytes.to_vec())),
                    Body::Form(form) => Some((
                        "application/x-www-form-urlencoded".to_owned(),
                        form.as_bytes().to_vec(),
                    )),
                };
                calls.push(Call {
                    key: format!("{table} {} {} {real:?} {who:?}", row.method, row.path),
                    who: *who,
                    variant,
                    owned,
                    letter: letters[i],
                    method: row.method.parse().unwrap(),
                    compared: phase <= 1
                        && comparable(row.path)
                        && real.map_or(!who.insider(), |v| !v.visible_to(*who)),
                    path,
                    body,
                    field: None,
                    phase,
                });
            }
        }
    }
    for field in FIELDS {
        let letters: Vec<char> = field.expect.chars().collect();
        assert_eq!(letters.len(), 9, "{}: one letter per caller", field.name);
        for (variant, object) in objects(world, field.target) {
            for (i, who) in CALLERS.iter().enumerate() {
                let real = variant;
                let (variant, owned) = existing(variant, owned(field.target, variant));
                let refusal = check::refusal(letters[i], *who, variant, owned);
                let phase = if !field.mutation {
                    0
                } else if refusal {
                    1
                } else if field.destructive {
                    3
                } else {
                    2
                };
                let query = fill(field.query, world, &object);
                let variables = (field.variables)(world, variant.unwrap_or(Variant::Public));
                calls.push(Call {
                    key: format!("graphql {} {real:?} {who:?}", field.name),
                    who: *who,
                    variant,
                    owned,
                    letter: letters[i],
                    method: reqwest::Method::POST,
                    path: "/graphql".into(),
                    body: Some((
                        "application/json".into(),
                        serde_json::to_vec(&json!({"query": query, "variables": variables}))
                            .unwrap(),
                    )),
                    field: Some(field.name),
                    compared: phase <= 1
                        && field.name != "signingKeyList"
                        && real.map_or(!who.insider(), |v| !v.visible_to(*who)),
                    phase,
                });
            }
        }
    }
    calls.sort_by_key(|c| c.phase);
    calls
}

/// Makes the calls of one pass (`after`: all phases; before: reads and refusals only);
/// returns the compared answers and adds what failed to `failures`.
async fn pass(
    app: &TestApp,
    world: &World,
    after: bool,
    failures: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut ids: Vec<(String, String)> = Vec::new();
    for (kind, list) in [
        ("publication", &world.publications),
        ("dataset", &world.datasets),
        ("listing", &world.listings),
        ("document", &world.documents),
    ] {
        for (i, (_, object)) in list.iter().enumerate() {
            ids.push((object.id.clone(), format!("<{kind}{i}>")));
            ids.push((object.file.clone(), format!("<{kind}{i}-file>")));
            ids.push((object.name.clone(), format!("<{kind}{i}-name>")));
        }
    }
    let mut answers = BTreeMap::new();
    let mut made = 0;
    for call in calls(world, after) {
        if !after && call.phase > 1 {
            continue;
        }
        let mut request = client.request(call.method.clone(), app.url(&call.path));
        if let Some(token) = world.token(call.who) {
            request = request.bearer_auth(token);
        }
        let mut sent = call.path.clone();
        if let Some((content_type, bytes)) = &call.body {
            sent.push_str(&String::from_utf8_lossy(bytes));
            request = request
                .header("content-type", content_type)
                .body(bytes.clone());
        }
        let response = request.send().await.unwrap();
        let mut status = response.status().as_u16();
        let body = response.text().await.unwrap();
        made += 1;
        if let Some(field) = call.field {
            status = check::graphql_status(field, &body);
        }
        let pass_name = if after { "after" } else { "before" };
        let excerpt: String = body.chars().take(300).collect();
        if status >= 500 || status == 0 {
            failures.push(format!("{pass_name} {}: {status} {excerpt}", call.key));
        } else if check::expected(call.letter, call.who, call.variant, call.owned, status)
            == Some(false)
        {
            failures.push(format!(
                "{pass_name} {}: `{}` but {status} {excerpt}",
                call.key, call.letter
            ));
        }
        let leaks = check::leaked(&body, call.who, &sent);
        if !leaks.is_empty() {
            failures.push(format!(
                "{pass_name} {}: leaks {leaks:?}: {excerpt}",
                call.key
            ));
        }
        if call.compared {
            answers.insert(
                call.key,
                format!("{status} {}", check::normalised(&body, &ids)),
            );
        }
    }
    assert!(made > 1_000, "the matrix made only {made} calls");
    answers
}

fn normalise_path(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// A new operation or root field without a row fails here.
async fn every_operation_has_a_row(app: &TestApp) {
    let document: Value =
        serde_json::from_str(include_str!("../../../../schema/openapi.json")).unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                operations.insert(format!(
                    "{} {}",
                    method.to_uppercase(),
                    normalise_path(path)
                ));
            }
        }
    }
    let rows: BTreeSet<String> = ROWS
        .iter()
        .map(|r| format!("{} {}", r.method, normalise_path(r.path)))
        .collect();
    let missing: Vec<_> = operations.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&operations).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "operations without a row: {missing:?}; rows without an operation: {stale:?}"
    );

    let introspection = app
        .graphql(
            "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
            json!({}),
        )
        .await
        .json();
    let mut fields = BTreeSet::new();
    for root in ["queryType", "mutationType"] {
        for field in introspection["data"]["__schema"][root]["fields"]
            .as_array()
            .unwrap()
        {
            fields.insert(field["name"].as_str().unwrap().to_owned());
        }
    }
    let rows: BTreeSet<String> = FIELDS.iter().map(|f| f.name.to_owned()).collect();
    let missing: Vec<_> = fields.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&fields).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "root fields without a row: {missing:?}; rows without a field: {stale:?}"
    );
}

#[actix_web::test]
async fn every_operation_answers_every_caller_as_the_policy_says_and_leaks_nothing() {
    // Every caller checks phones from the same address, twice over.
    let app =
        TestApp::start_with_config(|config| config.imei.public_checks_per_minute = 10_000).await;
    every_operation_has_a_row(&app).await;
    let mut world = world::start(&app).await;
    app.reindex().await;
    let mut failures = Vec::new();
    let before = pass(&app, &world, false, &mut failures).await;
    world::restrict(&app, &mut world).await;
    let after = pass(&app, &world, true, &mut failures).await;
    for (key, answer) in &before {
        match after.get(key) {
            Some(later) if later == answer => {}
            Some(later) => failures.push(format!(
                "differs once restricted objects exist: {key}\n{}",
                difference(answer, later)
            )),
            None => failures.push(format!("not made after: {key}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Where two answers part, with some context on each side.
fn difference(before: &str, after: &str) -> String {
    let at = before
        .chars()
        .zip(after.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let window = |text: &str| -> String {
        text.chars()
            .skip(at.saturating_sub(120))
            .take(320)
            .collect()
    };
    format!(
        "  before: …{}\n  after:  …{}",
        window(before),
        window(after)
    )
}
