//! Identity's demo data: the organisations every module's demo brings, the demo
//! administrator (also the marketplace moderator) and a few people with their memberships.
//! The e-mail addresses are in the reserved `example.org` domain.

use std::collections::BTreeMap;

use serde::Deserialize;
use silkbridge_schema::DbConnection;

use super::auth::{self, TokenResponse};
use super::domain::{Country, Role};
use super::input::{NewOrganisationInput, NewUserInput};
use super::rules;
use super::store;
use crate::changes;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use silkbridge_schema::models::User;

/// The demo administrator's address.
const DEMO_ADMIN_EMAIL: &str = "admin@example.org";

const ORGANISATIONS: &str = include_str!("../../demo/organisations.json");

/// An organisation as the demo files describe it.
#[derive(Deserialize)]
pub(crate) struct DemoOrganisation {
    slug: String,
    name: String,
    names: BTreeMap<String, String>,
    kind: String,
    country: String,
    website: Option<String>,
}

/// Demo people: (display name, e-mail, country, organisation slug, role). The e-mail
/// addresses are in the reserved `example.org` domain.
const DEMO_PEOPLE: &[(&str, &str, Country, &str, Role)] = &[
    (
        "Dilnoza Karimova",
        "dilnoza.karimova@example.org",
        Country::Uz,
        "stat-uz",
        Role::Editor,
    ),
    (
        "Sardor Yusupov",
        "sardor.yusupov@example.org",
        Country::Uz,
        "botany-uz",
        Role::Editor,
    ),
    (
        "Rashad Aliyev",
        "rashad.aliyev@example.org",
        Country::Az,
        "azstat",
        Role::Editor,
    ),
    (
        "Leyla Mammadova",
        "leyla.mammadova@example.org",
        Country::Az,
        "khazar-university",
        Role::Admin,
    ),
    // The lost-phone flow of the IMEI demo: the reporting registry, the police that found
    // the phone in Baku, the consul who handed it back.
    (
        "Nodira Tursunova",
        "nodira.tursunova@example.org",
        Country::Uz,
        "demo-uz-device-registry",
        Role::Editor,
    ),
    (
        "Elnur Hasanov",
        "elnur.hasanov@example.org",
        Country::Az,
        "demo-baku-police",
        Role::Editor,
    ),
    (
        "Aziz Rahimov",
        "aziz.rahimov@example.org",
        Country::Uz,
        "demo-uz-embassy-baku",
        Role::Editor,
    ),
    // The IT hub: a programme manager of IT Park Uzbekistan, who runs the demo programmes,
    // and a founder whose startup applies to them.
    (
        "Kamola Nazarova",
        "kamola.nazarova@example.org",
        Country::Uz,
        "it-park-uz",
        Role::Editor,
    ),
    (
        "Timur Saidov",
        "timur.saidov@example.org",
        Country::Uz,
        "registan-analytics",
        Role::Editor,
    ),
];

/// Identity's own demo organisations (the registry's agencies and universities).
pub(crate) fn organisations() -> ApiResult<Vec<DemoOrganisation>> {
    serde_json::from_str(ORGANISATIONS).map_err(ApiError::internal)
}

/// Creates the organisations that do not exist yet; returns how many it added.
pub(crate) fn seed_organisations(
    conn: &mut DbConnection,
    organisations: Vec<DemoOrganisation>,
) -> ApiResult<usize> {
    let mut added = 0;
    for org in organisations {
        if rules::organisation_by_slug(conn, &org.slug).is_ok() {
            continue;
        }
        rules::create_organisation(
            conn,
            NewOrganisationInput {
                slug: org.slug,
                name: org.name,
                names: org.names,
                kind: org.kind,
                country: org.country,
                website: org.website,
            },
        )?;
        added += 1;
    }
    Ok(added)
}

/// The demo administrator, a platform administrator and moderator; returns their id.
pub(crate) fn seed_administrator(conn: &mut DbConnection) -> ApiResult<String> {
    let admin = rules::create_user(
        conn,
        NewUserInput {
            display_name: "Demo Administrator".into(),
            email: Some(DEMO_ADMIN_EMAIL.into()),
            country: None,
            is_platform_admin: true,
        },
    )?;
    rules::set_moderator_unchecked(conn, &admin.id, true)?;
    Ok(admin.id)
}

/// The demo people and their memberships; returns how many.
pub(crate) fn seed_people(conn: &mut DbConnection) -> ApiResult<usize> {
    for (name, email, country, slug, role) in DEMO_PEOPLE {
        let user = rules::create_user(
            conn,
            NewUserInput {
                display_name: (*name).into(),
                email: Some((*email).into()),
                country: Some(*country),
                is_platform_admin: false,
            },
        )?;
        rules::add_membership(conn, slug, &user.id, *role)?;
    }
    Ok(DEMO_PEOPLE.len())
}

/// The demo people one may sign in as without a provider: those of this file, found by their
/// `example.org` address, who have never signed in through a real provider.
pub(crate) fn sign_in_accounts(conn: &mut DbConnection) -> ApiResult<Vec<User>> {
    let emails: Vec<&str> = DEMO_PEOPLE
        .iter()
        .map(|(_, email, ..)| *email)
        .chain([DEMO_ADMIN_EMAIL])
        .collect();
    let mut accounts = Vec::new();
    for user in store::users_by_emails(conn, &emails)? {
        if store::identities_of_user(conn, &user.id)?.is_empty() {
            accounts.push(user);
        }
    }
    accounts.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(accounts)
}

/// Signs a browser in as a demo person: only on a server started with `serve --demo` (the
/// flag, never configuration), only as one of [`sign_in_accounts`]. Audited as any sign-in.
pub async fn sign_in(state: &AppState, user_id: &str) -> ApiResult<TokenResponse> {
    if !state.config.demo_sign_in {
        return Err(ApiError::not_found("demo sign-in"));
    }
    let user_id = user_id.to_owned();
    let refresh_ttl =
        i64::try_from(state.config.identity.refresh_token_ttl_secs).unwrap_or(i64::MAX / 2);
    let (user_id, session_id, refresh) = state
        .write(move |conn| {
            if !sign_in_accounts(conn)?.iter().any(|u| u.id == user_id) {
                return Err(ApiError::not_found("demo account"));
            }
            let (session_id, refresh) = auth::open_session(conn, &user_id, refresh_ttl)?;
            changes::audit(
                conn,
                &format!("user:{user_id}"),
                "auth.sign_in",
                &format!("user:{user_id}"),
                serde_json::json!({"demo": true, "session": session_id}),
            )?;
            Ok((user_id, session_id, refresh))
        })
        .await?;
    auth::user_tokens(state, &user_id, &session_id, Some(refresh))
}
