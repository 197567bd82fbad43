//! `silkbridge admin …`: bootstrap and administer organisations and administrators from the
//! operator's shell. Every change is audited with the actor `cli`.

use clap::Subcommand;

use crate::cli::{describe, open_database};
use crate::config::Config;
use crate::identity::domain::Role;
use crate::identity::input::{NewOrganisationInput, NewUserInput};
use crate::identity::rules as identity;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organisation.
    CreateOrganisation {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// agency, university, operator, manufacturer, company or startup.
        #[arg(long)]
        kind: String,
        /// UZ or AZ.
        #[arg(long)]
        country: String,
        #[arg(long)]
        website: Option<String>,
        /// A name in another language, as LANG=TEXT (uz-Latn, uz-Cyrl, az, ru, en); repeatable.
        #[arg(long = "name-in", value_name = "LANG=TEXT")]
        names: Vec<String>,
    },
    /// Appoint (or with --remove, dismiss) a marketplace moderator.
    SetModerator {
        /// The user's id.
        #[arg(long)]
        user: String,
        #[arg(long)]
        remove: bool,
    },
    /// The most recent sign-ins (who, through which country's provider, when), to find the
    /// id of someone to `grant-admin`.
    SignIns {
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Make someone who has signed in at least once a platform administrator.
    GrantAdmin {
        /// The user's id (see `sign-ins`).
        #[arg(long)]
        user: String,
    },
    /// Print a one-time invitation link: to an organisation role, or (with
    /// --platform-admin) to platform administration. The person opens it, signs in through
    /// their country's provider and accepts.
    Invite {
        /// Slug of the organisation to join.
        #[arg(long, required_unless_present = "platform_admin")]
        organisation: Option<String>,
        /// member, editor or admin.
        #[arg(long, default_value = "admin")]
        role: String,
        #[arg(long)]
        platform_admin: bool,
        /// Days until the link stops working (1 to 30).
        #[arg(long, default_value_t = 7)]
        days: u32,
    },
    /// Create a platform administrator, optionally as admin of an organisation.
    CreateAdmin {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// Slug of an organisation to make them admin of.
        #[arg(long)]
        organisation: Option<String>,
    },
}

pub fn admin(config: &Config, command: AdminCommand) -> anyhow::Result<()> {
    let db = open_database(config)?;
    let mut conn = db.connection()?;
    match command {
        AdminCommand::CreateOrganisation {
            slug,
            name,
            kind,
            country,
            website,
            names,
        } => {
            let mut translations = std::collections::BTreeMap::new();
            for pair in names {
                let (lang, text) = pair
                    .split_once('=')
                    .ok_or_else(|| anyhow::anyhow!("--name-in takes LANG=TEXT, got `{pair}`"))?;
                translations.insert(lang.to_owned(), text.to_owned());
            }
            let input = NewOrganisationInput {
                slug,
                name,
                names: translations,
                kind,
                country,
                website,
            };
            let created = silkbridge_schema::write_transaction(&mut conn, |conn| {
                let created = identity::create_organisation(conn, input)?;
                crate::changes::audit(
                    conn,
                    "cli",
                    "organisation.create",
                    &format!("organisation:{}", created.id),
                    serde_json::json!({"slug": created.slug}),
                )?;
                Ok(created)
            })
            .map_err(describe)?;
            println!("organisation created: {} ({})", created.slug, created.id);
        }
        AdminCommand::SetModerator { user, remove } => {
            silkbridge_schema::write_transaction(&mut conn, |conn| {
                identity::set_moderator_unchecked(conn, &user, !remove)?;
                crate::changes::audit(
                    conn,
                    "cli",
                    "user.set_moderator",
                    &format!("user:{user}"),
                    serde_json::json!({"moderator": !remove}),
                )
            })
            .map_err(describe)?;
            println!(
                "user {user} is {}a moderator",
                if remove { "no longer " } else { "" }
            );
        }
        AdminCommand::SignIns { limit } => {
            let rows = identity::recent_sign_ins(&mut conn, limit).map_err(describe)?;
            if rows.is_empty() {
                println!("nobody has signed in yet");
            }
            for (identity, user) in rows {
                println!(
                    "{}  {}  {}  {}{}  {}",
                    identity.last_login_at.format("%Y-%m-%d %H:%M:%S"),
                    user.id,
                    identity.country,
                    user.display_name,
                    if user.is_platform_admin {
                        " (platform admin)"
                    } else {
                        ""
                    },
                    user.email.as_deref().unwrap_or("-"),
                );
            }
        }
        AdminCommand::GrantAdmin { user } => {
            let granted = silkbridge_schema::write_transaction(&mut conn, |conn| {
                let granted = identity::grant_platform_admin_unchecked(conn, &user)?;
                crate::changes::audit(
                    conn,
                    "cli",
                    "user.grant_platform_admin",
                    &format!("user:{user}"),
                    serde_json::json!({}),
                )?;
                Ok(granted)
            })
            .map_err(describe)?;
            println!(
                "{} ({}) is now a platform administrator",
                granted.display_name, granted.id
            );
        }
        AdminCommand::Invite {
            organisation,
            role,
            platform_admin,
            days,
        } => {
            let role: Role = role.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            let created = silkbridge_schema::write_transaction(&mut conn, |conn| {
                let organisation_id = match &organisation {
                    Some(slug) => Some(identity::organisation_by_slug(conn, slug)?.id),
                    None => None,
                };
                let role = organisation_id.as_ref().map(|_| role);
                crate::identity::invitations::create_unchecked(
                    conn,
                    "cli",
                    organisation_id,
                    role,
                    platform_admin,
                    Some(days),
                )
            })
            .map_err(describe)?;
            println!(
                "invitation {} (until {} UTC); send this link, it works once:\n{}/invite/{}",
                created.invitation.id,
                created.invitation.expires_at.format("%Y-%m-%d %H:%M"),
                config.public_url.trim_end_matches('/'),
                created.token
            );
        }
        AdminCommand::CreateAdmin {
            name,
            email,
            organisation,
        } => {
            let user = silkbridge_schema::write_transaction(&mut conn, |conn| {
                let user = identity::create_user(
                    conn,
                    NewUserInput {
                        display_name: name,
                        email,
                        country: None,
                        is_platform_admin: true,
                    },
                )?;
                if let Some(slug) = &organisation {
                    identity::add_membership(conn, slug, &user.id, Role::Admin)?;
                }
                crate::changes::audit(
                    conn,
                    "cli",
                    "user.create_admin",
                    &format!("user:{}", user.id),
                    serde_json::json!({"organisation": organisation}),
                )?;
                Ok(user)
            })
            .map_err(describe)?;
            println!(
                "platform administrator created: {} ({})",
                user.display_name, user.id
            );
        }
    }
    Ok(())
}
