//! `/{locale}/workspace`: where a signed-in person lands — their organisations and roles,
//! and what waits for them: documents to receive, accept or sign, their drafts, and (for
//! moderators) listings to review. Every figure comes from the same service calls as the API,
//! with the person's own caller, so it counts only what they may see.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{failure, frame, render};
use crate::documents::input::Mailbox;
use crate::documents::views::DocumentView;
use crate::http::pagination::{MAX_PAGE_SIZE, PageParams};
use crate::identity::caller::{Caller, UserCaller};
use crate::identity::domain::{OrganisationKind, Role};
use crate::imei::cases::domain::CaseState;
use crate::portal::chrome::Page;
use crate::portal::i18n;
use crate::portal::session::{Visitor, resume_redirect};
use crate::state::AppState;

/// One of the person's organisations.
pub struct MembershipRow {
    pub name: String,
    pub href: String,
    pub role: String,
    /// The organisation's admin page, for its admins.
    pub administer: Option<String>,
}

/// One waiting piece of work.
pub struct Task {
    pub text: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "portal/workspace.html")]
struct WorkspacePage {
    page: Page,
    name: String,
    memberships: Vec<MembershipRow>,
    tasks: Vec<Task>,
    can_exchange: bool,
    /// Works for an agency, police force or embassy: the IMEI cases.
    works_cases: bool,
    moderator: bool,
    platform_admin: bool,
}

/// Whether the person may act for the organisation in the exchange (its editors and admins,
/// as `policy::authorize(ExchangeFor)` decides).
pub fn exchanges_for(user: &UserCaller, organisation_id: &str) -> bool {
    matches!(
        user.role_in(organisation_id),
        Some(Role::Editor | Role::Admin)
    )
}

/// A recipient copy waiting for the person's organisation to act: to receive, accept or
/// reject, or sign.
pub fn awaits(user: &UserCaller, document: &DocumentView) -> bool {
    document.state == "sent"
        && document.recipients.iter().any(|r| {
            exchanges_for(user, &r.organisation.id)
                && matches!(r.state.as_str(), "sent" | "delivered" | "accepted")
        })
}

/// The first page (up to 100) of a mailbox, newest first.
pub async fn mailbox(
    state: &AppState,
    caller: &Caller,
    mailbox: Mailbox,
) -> crate::error::ApiResult<Vec<DocumentView>> {
    let page = PageParams {
        limit: Some(MAX_PAGE_SIZE),
        cursor: None,
    };
    Ok(
        crate::documents::service::list(state, caller, Some(mailbox), page)
            .await?
            .items,
    )
}

/// `GET /{locale}/workspace`.
pub async fn page(req: HttpRequest, state: web::Data<AppState>, visitor: Visitor) -> HttpResponse {
    let Some(user) = visitor.require().cloned() else {
        return resume_redirect(&req);
    };
    let caller = &visitor.caller;
    let locale = super::locale_of(&req);
    let me = match crate::identity::service::me(&state, caller).await {
        Ok(me) => me,
        Err(error) => return failure(&state, &req, error),
    };
    let page = frame(&state, &req, i18n::text(locale, "workspace-title"));
    let can_exchange = user
        .memberships
        .iter()
        .any(|(org, _)| exchanges_for(&user, org));
    let mut tasks = Vec::new();
    if can_exchange {
        let (inbox, outbox) = match tokio::try_join!(
            mailbox(&state, caller, Mailbox::Inbox),
            mailbox(&state, caller, Mailbox::Outbox)
        ) {
            Ok(boxes) => boxes,
            Err(error) => return failure(&state, &req, error),
        };
        let waiting = inbox.iter().filter(|d| awaits(&user, d)).count();
        let drafts = outbox.iter().filter(|d| d.state == "draft").count();
        tasks.push(Task {
            text: i18n::counted(locale, "workspace-task-inbox", waiting as u64),
            href: page.href("/workspace/documents?box=inbox&show=waiting"),
        });
        tasks.push(Task {
            text: i18n::counted(locale, "workspace-task-drafts", drafts as u64),
            href: page.href("/workspace/documents?box=drafts"),
        });
    }
    let works_cases = me.memberships.iter().any(|m| {
        matches!(
            m.organisation.kind,
            OrganisationKind::Agency | OrganisationKind::Police | OrganisationKind::Embassy
        )
    });
    if works_cases {
        // Lost phones seen abroad (for the reporting agency) and found ones to hand over
        // (for the embassy): the cases' own answer decides which the person sees.
        let query = |state| crate::imei::cases::views::CaseQuery {
            state: Some(state),
            kind: None,
            limit: Some(100),
        };
        let (located, found) = match tokio::try_join!(
            crate::imei::cases::service::list(&state, caller, query(CaseState::Located)),
            crate::imei::cases::service::list(&state, caller, query(CaseState::Found))
        ) {
            Ok(lists) => lists,
            Err(error) => return failure(&state, &req, error),
        };
        tasks.push(Task {
            text: i18n::counted(locale, "workspace-task-located", located.len() as u64),
            href: page.href("/workspace/cases?state=located"),
        });
        tasks.push(Task {
            text: i18n::counted(locale, "workspace-task-found", found.len() as u64),
            href: page.href("/workspace/cases?state=found"),
        });
    }
    // Decisions on the person's startups' applications, once published (the applicant's inbox).
    match crate::hub::service::my_applications(&state, caller).await {
        Ok(mine) => {
            let decided = mine.iter().filter(|a| a.decision.is_some()).count();
            if decided > 0 {
                tasks.push(Task {
                    text: i18n::counted(locale, "workspace-task-decisions", decided as u64),
                    href: page.href("/workspace/programmes"),
                });
            }
        }
        Err(error) => return failure(&state, &req, error),
    }
    if user.moderator {
        match crate::marketplace::service::review_queue(&state, caller).await {
            Ok(queue) => tasks.push(Task {
                text: i18n::counted(locale, "workspace-task-review", queue.len() as u64),
                href: page.href("/workspace/moderation"),
            }),
            Err(error) => return failure(&state, &req, error),
        }
    }
    let memberships = me
        .memberships
        .iter()
        .map(|m| MembershipRow {
            name: m.organisation.name.clone(),
            href: page.href(&format!("/organisations/{}", m.organisation.slug)),
            role: page.t(&format!("role-{}", m.role.as_str())),
            administer: (m.role == Role::Admin)
                .then(|| page.href(&format!("/workspace/organisations/{}", m.organisation.slug))),
        })
        .collect();
    render(
        StatusCode::OK,
        &WorkspacePage {
            page,
            name: me.display_name,
            memberships,
            tasks,
            can_exchange,
            works_cases,
            moderator: user.moderator,
            platform_admin: user.platform_admin,
        },
    )
}
