//! The people of the integration tests: one cast for every module's tests, over the demo
//! data, each signed in without a login flow (`TestApp::person`; real OpenID Connect logins
//! are the identity tests' business). Partner systems are made where they are tested
//! (`imei::Operators`, `biometrics::Partners`).

use reqwest::Method;
use serde_json::json;
use silkbridge::identity::domain::Role;

use crate::support::{SignedIn, TestApp};

pub struct Cast {
    /// A platform administrator: runs the registry (organisations, partners, moderators) and
    /// sees no organisation's own material.
    pub admin: SignedIn,
    /// A marketplace moderator of no organisation.
    pub moderator: SignedIn,
    /// An editor of stat-uz (UZ, an agency).
    pub uz: SignedIn,
    /// An editor of azstat (AZ, an agency).
    pub az: SignedIn,
    /// An admin of stat-uz and of azstat: their members, webhooks and signing keys.
    pub org_admin: SignedIn,
    /// An editor of cbar (AZ): a party to nothing the others write.
    pub outsider: SignedIn,
    /// An editor of silk-road-cloud (a company with listings).
    pub cloud_editor: SignedIn,
    /// A plain member of silk-road-cloud: may read its own material, not change it.
    pub cloud_member: SignedIn,
    /// An editor of caspian-oss (another company).
    pub caspian_editor: SignedIn,
    /// A signed-in person of no organisation (sends enquiries).
    pub buyer: SignedIn,
    /// Officers of the two countries' device registries.
    pub uz_officer: SignedIn,
    pub az_officer: SignedIn,
}

/// Seeds the demo data and signs the cast in.
pub async fn cast(app: &TestApp) -> Cast {
    app.seed_demo().await;
    let admin = app.platform_admin().await;
    let moderator = app.person("AZ", "moderator", &[]).await;
    let appointed = app
        .send(
            app.authed(
                Method::PUT,
                &format!("/api/v1/users/{}/moderator", moderator.user_id),
                &admin.access_token,
            )
            .json(&json!({"moderator": true})),
        )
        .await;
    assert_eq!(appointed.status, 204, "{}", appointed.body);
    Cast {
        admin,
        moderator,
        uz: app
            .person("UZ", "uz-clerk", &[("stat-uz", Role::Editor)])
            .await,
        az: app
            .person("AZ", "az-clerk", &[("azstat", Role::Editor)])
            .await,
        org_admin: app
            .person(
                "UZ",
                "Agencies' admin",
                &[("stat-uz", Role::Admin), ("azstat", Role::Admin)],
            )
            .await,
        outsider: app
            .person("AZ", "outsider", &[("cbar", Role::Editor)])
            .await,
        cloud_editor: app
            .person("UZ", "cloud-editor", &[("silk-road-cloud", Role::Editor)])
            .await,
        cloud_member: app
            .person("UZ", "cloud-member", &[("silk-road-cloud", Role::Member)])
            .await,
        caspian_editor: app
            .person("AZ", "caspian-editor", &[("caspian-oss", Role::Editor)])
            .await,
        buyer: app.person("AZ", "buyer", &[]).await,
        uz_officer: app
            .person(
                "UZ",
                "officer",
                &[("demo-uz-device-registry", Role::Editor)],
            )
            .await,
        az_officer: app
            .person(
                "AZ",
                "officer",
                &[("demo-az-device-registry", Role::Editor)],
            )
            .await,
    }
}
