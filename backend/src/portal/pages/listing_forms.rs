//! Organisations offer on the marketplace from the browser: `/{locale}/workspace/listings/new`
//! and `/{locale}/workspace/listings/{id}` are one form (kind, title and description in any of
//! the five languages, categories, countries, price, dates, contacts) making the API's create
//! or update call; a draft or rejected listing is then submitted for review, and moderators
//! decide in the review queue.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::editing::{
    Choice, TextRow, accept_form, check_editor, done_notice, editor_organisations, language_rows,
    options, posted_texts,
};
use super::{failure, frame, render, see_other};
use crate::error::ErrorCode;
use crate::identity::caller::UserCaller;
use crate::marketplace::input::{ListingInput, ListingText};
use crate::marketplace::views::ListingView;
use crate::portal::chrome::Page;
use crate::portal::forms::{self, Posted};
use crate::portal::session::{Visitor, resume_redirect};
use crate::portal::{csrf, i18n};
use crate::state::AppState;

const KINDS: [&str; 5] = ["service", "product", "startup", "investment_call", "event"];
const PRICE_MODELS: [&str; 6] = [
    "free",
    "fixed",
    "hourly",
    "subscription",
    "on_request",
    "range",
];
const CURRENCIES: [&str; 4] = ["UZS", "AZN", "USD", "EUR"];
const COUNTRIES: [&str; 2] = ["UZ", "AZ"];

#[derive(Template)]
#[template(path = "portal/listing_form.html")]
struct ListingFormPage {
    page: Page,
    action: String,
    csrf_field: &'static str,
    csrf: String,
    editing: bool,
    state: Option<String>,
    submit_action: Option<String>,
    organisations: Vec<Choice>,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    countries: Vec<Choice>,
    price_models: Vec<Choice>,
    currencies: Vec<Choice>,
    title: String,
    description: String,
    translations: Vec<TextRow>,
    price_min: String,
    price_max: String,
    starts_at: String,
    ends_at: String,
    contact_email: String,
    contact_url: String,
    errors: BTreeMap<String, String>,
    notice: Option<String>,
}

/// What the form holds: the main title and description as written, the other languages'
/// versions as translations (the API's shape).
struct Values {
    organisation: String,
    kind: String,
    title: String,
    description: String,
    translations: BTreeMap<String, (String, String)>,
    categories: Vec<String>,
    countries: Vec<String>,
    price_model: String,
    price_min: String,
    price_max: String,
    currency: String,
    starts_at: String,
    ends_at: String,
    contact_email: String,
    contact_url: String,
}

/// `datetime-local` values (`2026-05-01T09:30`) and stored times alike.
fn parse_time(text: &str) -> Option<chrono::NaiveDateTime> {
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

impl Values {
    fn from_posted(posted: &Posted) -> Self {
        Self {
            organisation: posted.text("organisation"),
            kind: posted.optional("kind").unwrap_or("service".into()),
            title: posted.text("title"),
            description: posted.text("description"),
            translations: posted_texts(posted, "description"),
            categories: posted.all("categories"),
            countries: posted.all("countries"),
            price_model: posted
                .optional("price_model")
                .unwrap_or("on_request".into()),
            price_min: posted.text("price_min"),
            price_max: posted.text("price_max"),
            currency: posted.text("currency"),
            starts_at: posted.text("starts_at"),
            ends_at: posted.text("ends_at"),
            contact_email: posted.text("contact_email"),
            contact_url: posted.text("contact_url"),
        }
    }

    fn from_view(view: &ListingView) -> Self {
        let time = |t: Option<chrono::NaiveDateTime>| {
            t.map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default()
        };
        let amount = |a: Option<i64>| a.map(|a| a.to_string()).unwrap_or_default();
        Self {
            organisation: view.organisation.slug.clone(),
            kind: view.kind.clone(),
            title: view.title.clone(),
            description: view.description.clone(),
            translations: view
                .translations
                .iter()
                .map(|t| (t.lang.clone(), (t.title.clone(), t.description.clone())))
                .collect(),
            categories: view.categories.clone(),
            countries: view.countries.clone(),
            price_model: view.price_model.clone(),
            price_min: amount(view.price_min),
            price_max: amount(view.price_max),
            currency: view.currency.clone().unwrap_or_default(),
            starts_at: time(view.starts_at),
            ends_at: time(view.ends_at),
            contact_email: view.contact_email.clone().unwrap_or_default(),
            contact_url: view.contact_url.clone().unwrap_or_default(),
        }
    }

    fn input(&self) -> ListingInput {
        let some = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
        ListingInput {
            kind: self.kind.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            translations: self
                .translations
                .iter()
                .filter(|(_, (title, _))| !title.is_empty())
                .map(|(lang, (title, description))| ListingText {
                    lang: lang.clone(),
                    title: title.clone(),
                    description: description.clone(),
                })
                .collect(),
            categories: self.categories.clone(),
            countries: self.countries.clone(),
            price_model: self.price_model.clone(),
            price_min: self.price_min.parse().ok(),
            price_max: self.price_max.parse().ok(),
            currency: some(&self.currency),
            starts_at: parse_time(&self.starts_at),
            ends_at: parse_time(&self.ends_at),
            contact_email: some(&self.contact_email),
            contact_url: some(&self.contact_url),
        }
    }
}

struct Shown<'a> {
    user: &'a UserCaller,
    values: Values,
    existing: Option<&'a ListingView>,
    errors: BTreeMap<String, String>,
    notice: Option<String>,
}

async fn show(
    req: &HttpRequest,
    state: &AppState,
    shown: Shown<'_>,
    status: StatusCode,
) -> HttpResponse {
    let loaded = tokio::try_join!(
        editor_organisations(state, shown.user, &shown.values.organisation),
        crate::marketplace::service::categories(state)
    );
    let (organisations, categories) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return failure(state, req, error),
    };
    let locale = super::locale_of(req);
    let heading = if shown.existing.is_some() {
        "listing-form-edit"
    } else {
        "listing-form-new"
    };
    let page = frame(state, req, i18n::text(locale, heading));
    let values = shown.values;
    let id = shown.existing.map(|l| l.id.clone());
    let action = match &id {
        Some(id) => page.href(&format!("/workspace/listings/{id}")),
        None => page.href("/workspace/listings"),
    };
    let submittable = shown
        .existing
        .is_some_and(|l| matches!(l.state.as_str(), "draft" | "rejected") || l.has_pending_edit);
    let one = |v: &str| vec![v.to_owned()];
    render(
        status,
        &ListingFormPage {
            csrf_field: csrf::FIELD,
            csrf: csrf::token(state, req).unwrap_or_default(),
            editing: id.is_some(),
            state: shown
                .existing
                .map(|l| page.t(&format!("listing-state-{}", l.state))),
            submit_action: id
                .as_ref()
                .filter(|_| submittable)
                .map(|id| page.href(&format!("/workspace/listings/{id}/submit"))),
            organisations,
            kinds: options(&page, &KINDS, "market-kind-", &one(&values.kind)),
            categories: categories
                .iter()
                .map(|c| Choice {
                    value: c.slug.clone(),
                    label: super::marketplace::category_name(locale, c),
                    checked: values.categories.contains(&c.slug),
                })
                .collect(),
            countries: options(&page, &COUNTRIES, "country-", &values.countries),
            price_models: options(
                &page,
                &PRICE_MODELS,
                "price-model-",
                &one(&values.price_model),
            ),
            currencies: std::iter::once(Choice {
                value: String::new(),
                label: "—".into(),
                checked: values.currency.is_empty(),
            })
            .chain(options(&page, &CURRENCIES, "", &one(&values.currency)))
            .collect(),
            translations: language_rows(&page, &values.translations),
            title: values.title,
            description: values.description,
            price_min: values.price_min,
            price_max: values.price_max,
            starts_at: values.starts_at,
            ends_at: values.ends_at,
            contact_email: values.contact_email,
            contact_url: values.contact_url,
            errors: shown.errors,
            notice: shown.notice,
            action,
            page,
        },
    )
}

/// `GET /{locale}/workspace/listings/new`.
pub async fn new(req: HttpRequest, state: web::Data<AppState>, visitor: Visitor) -> HttpResponse {
    let Some(user) = visitor.require() else {
        return resume_redirect(&req);
    };
    let values = Values::from_posted(&Posted::parse(b""));
    let shown = Shown {
        user,
        values,
        existing: None,
        errors: BTreeMap::new(),
        notice: None,
    };
    show(&req, &state, shown, StatusCode::OK).await
}

/// `GET /{locale}/workspace/listings/{id}` (the organisation's editors; others get the API's
/// answer: not found for drafts they may not see).
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let Some(user) = visitor.require() else {
        return resume_redirect(&req);
    };
    let (_, id) = path.into_inner();
    let existing = match crate::marketplace::service::get(&state, &visitor.caller, &id).await {
        Ok(found) => found,
        Err(error) => return failure(&state, &req, error),
    };
    if let Err(refused) = check_editor(&state, &req, user, &existing.organisation.slug).await {
        return refused;
    }
    let shown = Shown {
        user,
        values: Values::from_view(&existing),
        existing: Some(&existing),
        errors: BTreeMap::new(),
        notice: done_notice(&req),
    };
    show(&req, &state, shown, StatusCode::OK).await
}

/// `POST /{locale}/workspace/listings` (create a draft) and `…/{id}` (update).
pub async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Bytes,
) -> HttpResponse {
    let locale = super::locale_of(&req);
    let (user, posted) = match accept_form(&state, &req, &visitor, &body) {
        Ok(accepted) => accepted,
        Err(refused) => return *refused,
    };
    let id = req.match_info().get("id").map(str::to_owned);
    let values = Values::from_posted(&posted);
    let result = match &id {
        Some(id) => {
            crate::marketplace::service::update(&state, &visitor.caller, id, values.input()).await
        }
        None => {
            crate::marketplace::service::create(
                &state,
                &visitor.caller,
                &values.organisation,
                values.input(),
            )
            .await
        }
    };
    match result {
        Ok(saved) => see_other(&format!(
            "/{}/workspace/listings/{}?done=saved",
            locale.tag(),
            saved.id
        )),
        Err(error) if error.code == ErrorCode::ValidationFailed => {
            let existing = match &id {
                Some(id) => crate::marketplace::service::get(&state, &visitor.caller, id)
                    .await
                    .ok(),
                None => None,
            };
            let shown = Shown {
                user,
                values,
                existing: existing.as_ref(),
                errors: forms::field_errors(locale, &error),
                notice: None,
            };
            show(&req, &state, shown, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => failure(&state, &req, error),
    }
}

/// `POST /{locale}/workspace/listings/{id}/submit`: to the moderators.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    visitor: Visitor,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let (locale, id) = path.into_inner();
    if let Err(refused) = accept_form(&state, &req, &visitor, &body) {
        return *refused;
    }
    match crate::marketplace::service::submit(&state, &visitor.caller, &id).await {
        Ok(_) => see_other(&format!("/{locale}/workspace/listings/{id}?done=submit")),
        Err(error) => failure(&state, &req, error),
    }
}
