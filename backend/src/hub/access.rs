//! Who the caller is to a programme and to an application — the hub's one policy, which every
//! operation and every adapter goes through:
//!
//! - a programme: published ones for everyone; a draft for the members of its organisers
//!   (and of an organisation asked to co-organise it, so it can confirm); 404 to the rest;
//! - an application: its startup's members; the organisers' members once it is submitted (a
//!   draft is the startup's own); a reviewer of the programme once submitted — unless the
//!   reviewer is a member of the applying startup or declared a conflict with it, when it does
//!   not exist for them; 404 to everyone else. Platform administrators are no exception.

use silkbridge_schema::DbConnection;
use silkbridge_schema::hub_models::{HubApplication, HubOrganiser, HubProgramme};

use super::domain::{ApplicationState, ProgrammeState};
use super::store;
use super::views::ProgrammeRoles;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;
use crate::identity::domain::Role;

/// The caller's standing in one programme.
#[derive(Debug, Clone, Default)]
pub(super) struct Standing {
    pub user_id: Option<String>,
    pub roles: ProgrammeRoles,
    /// Organisations asked to co-organise that the caller belongs to.
    pub invited: bool,
    /// Startups the caller declared a conflict with (reviewers).
    pub conflicts: Vec<String>,
}

impl Standing {
    pub(super) fn load(
        conn: &mut DbConnection,
        caller: &Caller,
        programme: &HubProgramme,
        organisers: &[HubOrganiser],
    ) -> ApiResult<Self> {
        let Caller::User(user) = caller else {
            return Ok(Self::default());
        };
        let mut standing = Self {
            user_id: Some(user.id.clone()),
            ..Self::default()
        };
        for organiser in organisers {
            let Some(role) = user.role_in(&organiser.organisation_id) else {
                continue;
            };
            if organiser.confirmed_at.is_some() {
                standing.roles.organiser = true;
                standing.roles.organiser_editor |= role >= Role::Editor;
            } else {
                standing.invited = true;
            }
        }
        standing.roles.reviewer = store::is_reviewer(conn, &programme.id, &user.id)?;
        if standing.roles.reviewer {
            standing.conflicts = store::conflicts_of(conn, &programme.id, &user.id)?;
        }
        Ok(standing)
    }

    /// Whether the programme exists for the caller.
    pub(super) fn sees_programme(&self, programme: &HubProgramme) -> bool {
        programme.state == ProgrammeState::Published.as_str()
            || self.roles.organiser
            || self.invited
    }

    /// The organisers' editors' right, else 403 (to someone who may see the programme).
    pub(super) fn must_run(&self) -> ApiResult<()> {
        if self.roles.organiser_editor {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                "only editors of the programme's organisers may do this",
            ))
        }
    }

    /// How the caller sees an application, if at all.
    pub(super) fn sees_application(
        &self,
        caller: &Caller,
        application: &HubApplication,
    ) -> Option<Seen> {
        let Caller::User(user) = caller else {
            return None;
        };
        let member = user.role_in(&application.startup_id);
        if let Some(role) = member {
            return Some(Seen::Applicant {
                editor: role >= Role::Editor,
            });
        }
        let submitted = application.state != ApplicationState::Draft.as_str()
            && application.submitted_at.is_some();
        if self.roles.organiser && submitted {
            return Some(Seen::Organiser);
        }
        let conflicted = self.conflicts.contains(&application.startup_id);
        if self.roles.reviewer
            && application.state == ApplicationState::Submitted.as_str()
            && !conflicted
        {
            return Some(Seen::Reviewer);
        }
        None
    }
}

/// How the caller sees an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Seen {
    /// A member of the applying startup (editors change it).
    Applicant {
        editor: bool,
    },
    Organiser,
    Reviewer,
}

impl Seen {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Applicant { .. } => "applicant",
            Self::Organiser => "organiser",
            Self::Reviewer => "reviewer",
        }
    }
}

pub(super) fn programme_not_found(key: &str) -> ApiError {
    ApiError::not_found(format_args!("programme `{key}`"))
}

pub(super) fn application_not_found(id: &str) -> ApiError {
    ApiError::not_found(format_args!("application `{id}`"))
}
