//! The one authorisation policy. Every service function that needs a decision asks here, so
//! REST, GraphQL and search cannot disagree about who may do what. Unauthenticated callers
//! get 401, authenticated ones that may not act get 403, each with a code.

use super::caller::Caller;
use super::domain::Role;
use crate::error::{ApiError, ApiResult, ErrorCode};

/// Something a caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// See one's own identity.
    ReadSelf,
    /// Create organisations, set moderators: the platform's own registry.
    ManageOrganisations,
    /// Change one organisation's profile (its admins).
    EditOrganisation { organisation_id: &'a str },
    /// See an organisation's members.
    ReadMembers { organisation_id: &'a str },
    /// Add, change or remove an organisation's members.
    ManageMembers { organisation_id: &'a str },
    /// Make someone the admin of an organisation that has none (platform administrators:
    /// the one way they enter an organisation, audited as `membership.appoint_first_admin`).
    AppointFirstAdmin { organisation_has_admin: bool },
    /// Register, rotate and revoke partner clients.
    ManagePartners,
    /// Edit content owned by an organisation (publications, datasets, listings…).
    EditFor { organisation_id: &'a str },
    /// See an organisation's own material (its unpublished listings, its enquiry inbox).
    ReadOwn { organisation_id: &'a str },
    /// Approve or reject content awaiting review (platform moderators).
    Moderate,
    /// Act as a signed-in person (send an enquiry, …).
    ActAsPerson,
    /// A partner operation that needs an OAuth2 scope (`imei:read`, …).
    UseScope(&'a str),
    /// Send, receive, accept, reject or sign documents as an organisation: its editors and
    /// admins, or its partner systems with `documents:exchange`. Platform administrators are
    /// not exempt: documents belong to the organisations that exchange them.
    ExchangeFor { organisation_id: &'a str },
    /// Read the audit trail's signed checkpoints, to keep copies outside the platform: platform
    /// administrators, and partner systems (the other country's node, an auditor) with
    /// `audit:read`.
    ReadAuditTrail,
}

/// The scope partner systems keep copies of the audit trail's checkpoints with.
pub const AUDIT_SCOPE: &str = "audit:read";

/// The scope partner systems exchange documents with.
pub const DOCUMENTS_SCOPE: &str = "documents:exchange";

/// The search-index access token of an organisation's exchanged documents.
pub fn exchange_token(organisation_id: &str) -> String {
    format!("exchange:{organisation_id}")
}

/// Organisations whose documents the caller may read: a person's memberships (any role), a
/// partner system's own organisation if it holds `documents:exchange`. Platform
/// administrators see only their own organisations' documents too.
pub fn exchange_scope(caller: &Caller) -> ApiResult<Vec<String>> {
    match caller {
        Caller::Anonymous => Err(unauthenticated()),
        Caller::User(user) => Ok(user
            .memberships
            .iter()
            .map(|(org, _)| org.clone())
            .collect()),
        Caller::Partner(partner) => {
            if !partner.scopes.contains(DOCUMENTS_SCOPE) {
                return Err(ApiError::new(
                    ErrorCode::InsufficientScope,
                    format!("this needs the `{DOCUMENTS_SCOPE}` scope"),
                ));
            }
            Ok(partner.organisation_id.iter().cloned().collect())
        }
    }
}

/// The refusal of a caller who presented no credentials (401), for modules whose own
/// decisions start by telling anonymous callers apart.
pub fn unauthenticated() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthenticated,
        "sign in or present a bearer token",
    )
}

fn forbidden(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, detail)
}

/// Allows or refuses `action` for `caller`.
pub fn authorize(caller: &Caller, action: Action<'_>) -> ApiResult<()> {
    match (caller, action) {
        (Caller::Anonymous, _) => Err(unauthenticated()),

        (Caller::Partner(partner), Action::UseScope(scope)) => {
            if partner.scopes.contains(scope) {
                Ok(())
            } else {
                Err(ApiError::new(
                    ErrorCode::InsufficientScope,
                    format!("this needs the `{scope}` scope"),
                ))
            }
        }
        (Caller::Partner(partner), Action::ExchangeFor { organisation_id }) => {
            exchange_scope(caller)?;
            if partner.organisation_id.as_deref() == Some(organisation_id) {
                Ok(())
            } else {
                Err(forbidden(
                    "a partner system exchanges documents for its own organisation only",
                ))
            }
        }
        (Caller::Partner(_), Action::ReadSelf) => Ok(()),
        (Caller::Partner(_), Action::ReadAuditTrail) => {
            authorize(caller, Action::UseScope(AUDIT_SCOPE))
        }
        (Caller::Partner(_), other) => Err(forbidden(format!(
            "partner clients may not {}",
            describe(other)
        ))),

        (Caller::User(_), Action::UseScope(scope)) => Err(forbidden(format!(
            "`{scope}` is for partner clients with that scope"
        ))),
        (Caller::User(_), Action::ReadSelf) => Ok(()),
        (Caller::User(_), Action::ActAsPerson) => Ok(()),
        (Caller::User(user), Action::Moderate) if user.moderator || user.platform_admin => Ok(()),
        (Caller::User(user), Action::ExchangeFor { organisation_id }) => {
            match user.role_in(organisation_id) {
                Some(Role::Editor | Role::Admin) => Ok(()),
                _ => Err(forbidden(
                    "only this organisation's editors and admins exchange its documents",
                )),
            }
        }
        // Separation of duties: platform administrators run the platform's registry
        // (organisations, partners, moderators) and may see who belongs to an organisation
        // and appoint its first admin; what an organisation writes, reads and signs is its
        // members' alone.
        (
            Caller::User(user),
            Action::AppointFirstAdmin {
                organisation_has_admin,
            },
        ) => {
            if !user.platform_admin {
                Err(forbidden(
                    "only platform administrators appoint an organisation's first admin",
                ))
            } else if organisation_has_admin {
                Err(forbidden(
                    "this organisation has an admin: its admins manage its members",
                ))
            } else {
                Ok(())
            }
        }
        (
            Caller::User(user),
            Action::ManageOrganisations | Action::ManagePartners | Action::ReadAuditTrail,
        ) if user.platform_admin => Ok(()),
        (Caller::User(user), Action::ReadMembers { .. } | Action::EditOrganisation { .. })
            if user.platform_admin =>
        {
            Ok(())
        }
        (Caller::User(user), Action::ReadMembers { organisation_id }) => user
            .role_in(organisation_id)
            .map(drop)
            .ok_or_else(|| forbidden("only members of this organisation may see its members")),
        (Caller::User(user), Action::ReadOwn { organisation_id }) => user
            .role_in(organisation_id)
            .map(drop)
            .ok_or_else(|| forbidden("only members of this organisation may see this")),
        (Caller::User(user), Action::EditOrganisation { organisation_id }) => {
            match user.role_in(organisation_id) {
                Some(Role::Admin) => Ok(()),
                _ => Err(forbidden(
                    "only this organisation's admins may change its profile",
                )),
            }
        }
        (Caller::User(user), Action::ManageMembers { organisation_id }) => {
            match user.role_in(organisation_id) {
                Some(Role::Admin) => Ok(()),
                _ => Err(forbidden(
                    "only this organisation's admins may manage its members",
                )),
            }
        }
        (Caller::User(user), Action::EditFor { organisation_id }) => {
            match user.role_in(organisation_id) {
                Some(Role::Editor | Role::Admin) => Ok(()),
                _ => Err(forbidden(
                    "only this organisation's editors may change its content",
                )),
            }
        }
        (Caller::User(_), Action::Moderate) => {
            Err(forbidden("only platform moderators may review"))
        }
        (
            Caller::User(_),
            other @ (Action::ManageOrganisations | Action::ManagePartners | Action::ReadAuditTrail),
        ) => Err(forbidden(format!(
            "only platform administrators may {}",
            describe(other)
        ))),
    }
}

/// Which organisation the caller acts for, among `candidates` (organisation ids): the one
/// `requested` names, else the only one `may_act` allows (`may_act` asks `authorize` for the
/// action at hand). Anyone else is refused; a caller who may act for several must name one
/// (`field`). IMEI reports act for the caller's own organisations, document steps for one of
/// a document's recipients: one rule for both.
pub fn acting_for(
    caller: &Caller,
    requested: Option<&str>,
    candidates: &[&str],
    may_act: impl Fn(&str) -> ApiResult<()>,
    field: &str,
) -> ApiResult<String> {
    if matches!(caller, Caller::Anonymous) {
        return Err(unauthenticated());
    }
    if let Some(requested) = requested {
        if !candidates.contains(&requested) {
            return Err(forbidden("you do not act for this organisation here"));
        }
        may_act(requested)?;
        return Ok(requested.to_owned());
    }
    let allowed: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|id| may_act(id).is_ok())
        .collect();
    match allowed.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => match candidates {
            // The refusal the policy gives for the one candidate says why.
            [only] => may_act(only).map(|()| (*only).to_owned()),
            _ => Err(forbidden("you act for none of these organisations")),
        },
        _ => Err(ApiError::validation(vec![crate::error::FieldError::new(
            field,
            "required",
            "you act for several organisations: name the one you act for",
        )])),
    }
}

/// The search access token of everything public.
pub const PUBLIC_ACCESS: &str = "public";

/// The search access token of an organisation's own items.
pub fn organisation_access(organisation_id: &str) -> String {
    format!("org:{organisation_id}")
}

/// Who may find an item in search: everyone, or its organisation's members. Callers hold
/// the matching tokens (`Caller::access_tokens`), so the index filters with the
/// same policy the services apply.
pub fn search_access(public: bool, organisation_id: &str) -> Vec<String> {
    if public {
        vec![PUBLIC_ACCESS.to_owned()]
    } else {
        vec![organisation_access(organisation_id)]
    }
}

/// Whose restricted material (organisation-only or embargoed items) a caller may read: a
/// person's memberships, platform administrators included; none for anonymous callers and
/// partners, whose access goes by scopes alone. The list-and-search form of
/// `Action::ReadOwn`: the same decision for every organisation at once, so a list, a search
/// and a single read cannot disagree.
pub fn read_scope(caller: &Caller) -> Vec<String> {
    match caller {
        Caller::User(user) => user
            .memberships
            .iter()
            .map(|(org, _)| org.clone())
            .collect(),
        Caller::Anonymous | Caller::Partner(_) => Vec::new(),
    }
}

fn describe(action: Action<'_>) -> &'static str {
    match action {
        Action::ReadSelf => "read their identity",
        Action::ManageOrganisations => "manage organisations",
        Action::EditOrganisation { .. } => "change organisation profiles",
        Action::ReadMembers { .. } => "see members",
        Action::ManageMembers { .. } => "manage members",
        Action::AppointFirstAdmin { .. } => "appoint an organisation's first admin",
        Action::ManagePartners => "manage partners",
        Action::EditFor { .. } => "edit organisation content",
        Action::UseScope(_) => "use this scope",
        Action::ReadOwn { .. } => "see organisation material",
        Action::Moderate => "moderate",
        Action::ActAsPerson => "act as a person",
        Action::ExchangeFor { .. } => "exchange documents",
        Action::ReadAuditTrail => "read the audit trail's checkpoints",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::identity::caller::{PartnerCaller, UserCaller};

    fn user(admin: bool, memberships: &[(&str, Role)]) -> Caller {
        Caller::User(UserCaller {
            id: "u".into(),
            session_id: "s".into(),
            platform_admin: admin,
            moderator: false,
            memberships: memberships
                .iter()
                .map(|(o, r)| ((*o).to_owned(), *r))
                .collect(),
        })
    }

    fn code(result: ApiResult<()>) -> Option<ErrorCode> {
        result.err().map(|e| e.code)
    }

    #[test]
    fn members_act_only_for_their_own_organisation_and_role() {
        let editor_of_a = user(false, &[("a", Role::Editor)]);
        assert_eq!(
            code(authorize(
                &editor_of_a,
                Action::EditFor {
                    organisation_id: "a"
                }
            )),
            None
        );
        assert_eq!(
            code(authorize(
                &editor_of_a,
                Action::EditFor {
                    organisation_id: "b"
                }
            )),
            Some(ErrorCode::Forbidden)
        );
        assert_eq!(
            code(authorize(
                &editor_of_a,
                Action::ManageMembers {
                    organisation_id: "a"
                }
            )),
            Some(ErrorCode::Forbidden)
        );
        let admin_of_a = user(false, &[("a", Role::Admin)]);
        assert_eq!(
            code(authorize(
                &admin_of_a,
                Action::ManageMembers {
                    organisation_id: "a"
                }
            )),
            None
        );
        assert_eq!(
            code(authorize(
                &admin_of_a,
                Action::ManageMembers {
                    organisation_id: "b"
                }
            )),
            Some(ErrorCode::Forbidden)
        );
        assert_eq!(
            code(authorize(&admin_of_a, Action::ManagePartners)),
            Some(ErrorCode::Forbidden)
        );
        assert_eq!(
            code(authorize(&user(true, &[]), Action::ManagePartners)),
            None
        );
    }

    #[test]
    fn anonymous_is_401_and_partners_need_their_scope() {
        assert_eq!(
            code(authorize(&Caller::Anonymous, Action::ReadSelf)),
            Some(ErrorCode::Unauthenticated)
        );
        let partner = Caller::Partner(PartnerCaller {
            id: "p".into(),
            client_id: "c".into(),
            organisation_id: None,
            scopes: BTreeSet::from(["imei:read".to_owned()]),
            rate_limit_per_minute: 600,
        });
        assert_eq!(
            code(authorize(&partner, Action::UseScope("imei:read"))),
            None
        );
        assert_eq!(
            code(authorize(&partner, Action::UseScope("imei:report"))),
            Some(ErrorCode::InsufficientScope)
        );
        assert_eq!(
            code(authorize(&partner, Action::ManageOrganisations)),
            Some(ErrorCode::Forbidden)
        );
        assert_eq!(
            code(authorize(&user(true, &[]), Action::UseScope("imei:read"))),
            Some(ErrorCode::Forbidden)
        );
    }

    #[test]
    fn a_caller_acts_for_the_one_organisation_it_may_act_for_or_names_it() {
        let exchange = |caller: &Caller| {
            let caller = caller.clone();
            move |id: &str| {
                authorize(
                    &caller,
                    Action::ExchangeFor {
                        organisation_id: id,
                    },
                )
            }
        };
        let parties = ["a", "b", "c"];
        let editor_of_b = user(false, &[("b", Role::Editor)]);
        let acting = acting_for(&editor_of_b, None, &parties, exchange(&editor_of_b), "org");
        assert_eq!(acting.ok().as_deref(), Some("b"));
        // Naming an organisation one does not act for, or one that is not a party, is refused.
        for named in ["a", "z"] {
            let refused = acting_for(
                &editor_of_b,
                Some(named),
                &parties,
                exchange(&editor_of_b),
                "org",
            );
            assert_eq!(
                refused.err().map(|e| e.code),
                Some(ErrorCode::Forbidden),
                "{named}"
            );
        }
        // A plain member is refused with the policy's reason; a stranger too; anonymous is 401.
        let member = user(false, &[("b", Role::Member)]);
        let refused = acting_for(&member, None, &["b"], exchange(&member), "org");
        assert_eq!(refused.err().map(|e| e.code), Some(ErrorCode::Forbidden));
        let stranger = user(true, &[]);
        let refused = acting_for(&stranger, None, &parties, exchange(&stranger), "org");
        assert_eq!(refused.err().map(|e| e.code), Some(ErrorCode::Forbidden));
        let anonymous = acting_for(&Caller::Anonymous, Some("a"), &parties, |_| Ok(()), "org");
        assert_eq!(
            anonymous.err().map(|e| e.code),
            Some(ErrorCode::Unauthenticated)
        );
        // Acting for two parties, one must be named.
        let of_both = user(false, &[("a", Role::Admin), ("c", Role::Editor)]);
        let ambiguous = acting_for(&of_both, None, &parties, exchange(&of_both), "org")
            .err()
            .unwrap();
        assert_eq!(ambiguous.code, ErrorCode::ValidationFailed);
        assert_eq!(ambiguous.errors[0].field, "org");
        let named = acting_for(&of_both, Some("c"), &parties, exchange(&of_both), "org");
        assert_eq!(named.ok().as_deref(), Some("c"));
    }
}
