//! Who may see and change a case. Cases are for the staff of agencies, police forces and
//! embassies only: partners (operators' machines) and citizens never see one, whatever
//! their scopes. Within that:
//!
//! - the reporting organisation's members see the whole case, the owner's contact included;
//!   its editors withdraw and close it;
//! - the embassy assigned to hand a found device over sees the case and the owner's contact
//!   while it runs; its editors record the hand-over;
//! - the organisation that found the device sees the case (not the contact);
//! - any other agency or police force of either country sees `agencies`-level cases (not the
//!   contact), may record a device found and link cases; `restricted` cases stay hidden and
//!   are answered 404, as if they did not exist.
//!
//! People in none of these get 403, and so do platform administrators: they get nothing
//! here by being administrators (separation of duties).

use std::collections::BTreeMap;

use silkbridge_schema::DbConnection;
use silkbridge_schema::case_models::ImeiCase;

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::identity::caller::Caller;
use crate::identity::domain::{OrganisationKind, Role};
use crate::identity::policy::unauthenticated;
use crate::identity::rules::organisations_by_ids;
use crate::identity::views::OrganisationView;

/// A person working with cases: their organisations and roles.
pub struct Viewer {
    pub actor: String,
    pub organisations: Vec<(OrganisationView, Role)>,
}

/// Kinds of organisation whose staff may read `agencies`-level cases and act on others'.
const AGENCY_KINDS: &[OrganisationKind] = &[OrganisationKind::Agency, OrganisationKind::Police];

/// Kinds of organisation whose staff work with cases at all; memberships of others (a
/// university, an operator) count for nothing here.
const CASE_KINDS: &[OrganisationKind] = &[
    OrganisationKind::Agency,
    OrganisationKind::Police,
    OrganisationKind::Embassy,
];

impl Viewer {
    /// The caller as a viewer of cases: 401 without credentials, 403 for a partner client.
    pub fn load(conn: &mut DbConnection, caller: &Caller) -> ApiResult<Self> {
        let user = match caller {
            Caller::Anonymous => return Err(unauthenticated()),
            Caller::Partner(_) => {
                return Err(ApiError::new(
                    ErrorCode::Forbidden,
                    "cases are for the staff of agencies, police forces and embassies; partner clients never see them",
                ));
            }
            Caller::User(user) => user,
        };
        let roles: BTreeMap<&str, Role> = user
            .memberships
            .iter()
            .map(|(id, role)| (id.as_str(), *role))
            .collect();
        let organisations: Vec<(OrganisationView, Role)> =
            organisations_by_ids(conn, roles.keys().copied())?
                .into_values()
                .filter(|o| CASE_KINDS.contains(&o.kind))
                .filter_map(|o| roles.get(o.id.as_str()).map(|role| (o, *role)))
                .collect();
        if organisations.is_empty() {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "cases are for the staff of agencies, police forces and embassies",
            ));
        }
        Ok(Self {
            actor: caller.actor(),
            organisations,
        })
    }

    pub fn organisation_ids(&self) -> Vec<String> {
        self.organisations
            .iter()
            .map(|(o, _)| o.id.clone())
            .collect()
    }

    /// Whether the caller works for an agency or police force (reads `agencies` cases).
    pub fn agencies_level(&self) -> bool {
        self.organisations
            .iter()
            .any(|(o, _)| AGENCY_KINDS.contains(&o.kind))
    }

    fn member_of(&self, id: Option<&str>) -> bool {
        id.is_some_and(|id| self.organisations.iter().any(|(o, _)| o.id == id))
    }

    pub fn editor_of(&self, id: Option<&str>) -> bool {
        id.is_some_and(|id| {
            self.organisations
                .iter()
                .any(|(o, role)| o.id == id && *role >= Role::Editor)
        })
    }

    /// Whether the caller may read the case at all.
    pub fn sees(&self, case: &ImeiCase) -> bool {
        self.member_of(Some(&case.organisation_id))
            || self.member_of(case.embassy_id.as_deref())
            || self.member_of(case.found_by.as_deref())
            || (case.confidentiality == "agencies" && self.agencies_level())
    }

    /// Whether the caller may read the owner's contact details.
    pub fn sees_contact(&self, case: &ImeiCase) -> bool {
        self.member_of(Some(&case.organisation_id)) || self.member_of(case.embassy_id.as_deref())
    }

    /// The agency or police force the caller acts for: the one named, or their only one,
    /// where they are an editor.
    pub fn acting_agency(&self, requested: Option<&str>) -> ApiResult<OrganisationView> {
        let candidates: Vec<&OrganisationView> = self
            .organisations
            .iter()
            .filter(|(o, role)| AGENCY_KINDS.contains(&o.kind) && *role >= Role::Editor)
            .map(|(o, _)| o)
            .filter(|o| requested.is_none_or(|id| o.id == id || o.slug == id))
            .collect();
        match candidates.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(ApiError::new(
                ErrorCode::Forbidden,
                "only editors of an agency or police force may do this",
            )),
            _ => Err(ApiError::validation(vec![crate::error::FieldError::new(
                "organisationId",
                "required",
                "you edit for several agencies: name the one you act for",
            )])),
        }
    }
}

/// A case the caller may not read is answered as one that does not exist.
pub fn visible(viewer: &Viewer, case: Option<ImeiCase>, id: &str) -> ApiResult<ImeiCase> {
    case.filter(|c| viewer.sees(c))
        .ok_or_else(|| ApiError::not_found(format_args!("case `{id}`")))
}
