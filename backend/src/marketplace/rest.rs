//! The marketplace's REST endpoints.

use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::input::{DecisionInput, EnquiryInput, ListingInput, ListingQuery};
use super::service;
use super::views::{CategoryView, EnquiryView, ListingView, RevisionView};
use crate::error::{ApiResult, Problem};
use crate::http::pagination::{Page, PageParams};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(categories)
        .service(list_listings)
        .service(create_listing)
        .service(review_queue)
        .service(get_listing)
        .service(update_listing)
        .service(submit_listing)
        .service(decide_listing)
        .service(archive_listing)
        .service(listing_history)
        .service(send_enquiry)
        .service(organisation_listings)
        .service(organisation_enquiries)
        .service(super::rest_media::upload_media)
        .service(super::rest_media::download_media)
        .service(super::rest_media::delete_media);
}

/// The managed category taxonomy, in every language.
#[utoipa::path(tag = "marketplace", responses((status = 200, body = Vec<CategoryView>)))]
#[get("/marketplace/categories")]
pub async fn categories(state: web::Data<AppState>) -> ApiResult<web::Json<Vec<CategoryView>>> {
    Ok(web::Json(service::categories(&state).await?))
}

/// Published listings, with filters, sort and cursor pagination.
#[utoipa::path(
    tag = "marketplace",
    params(ListingQuery, PageParams),
    responses((status = 200, body = Page<ListingView>), (status = 400, body = Problem, content_type = "application/problem+json"))
)]
#[get("/marketplace/listings")]
pub async fn list_listings(
    state: web::Data<AppState>,
    query: web::Query<ListingQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<web::Json<Page<ListingView>>> {
    let (query, page) = (query.into_inner(), page.into_inner());
    Ok(web::Json(
        service::list_published(&state, query, page).await?,
    ))
}

/// A new listing: its organisation (slug) and its content.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewListingRequest {
    pub organisation: String,
    #[serde(flatten)]
    pub listing: ListingInput,
}

/// Creates a draft listing (the organisation's editors).
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    request_body = NewListingRequest,
    responses(
        (status = 201, body = ListingView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/marketplace/listings")]
pub async fn create_listing(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewListingRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let created = service::create(&state, &caller, &body.organisation, body.listing).await?;
    Ok(HttpResponse::Created().json(created))
}

/// What awaits the moderators (platform moderators).
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ListingView>), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/marketplace/review-queue")]
pub async fn review_queue(
    state: web::Data<AppState>,
    caller: Caller,
) -> ApiResult<web::Json<Vec<ListingView>>> {
    Ok(web::Json(service::review_queue(&state, &caller).await?))
}

/// One listing: published ones for everyone, others for their organisation and moderators.
#[utoipa::path(
    tag = "marketplace",
    params(("id" = String, Path)),
    responses((status = 200, body = ListingView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/marketplace/listings/{id}")]
pub async fn get_listing(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<ListingView>> {
    let id = id.into_inner();
    Ok(web::Json(service::get(&state, &caller, &id).await?))
}

/// Replaces a listing's content (the organisation's editors). An edit of a published listing
/// goes back through review; the public sees the approved version until then.
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ListingInput,
    responses(
        (status = 200, body = ListingView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[put("/marketplace/listings/{id}")]
pub async fn update_listing(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<ListingInput>,
) -> ApiResult<web::Json<ListingView>> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let updated = service::update(&state, &caller, &id, body).await?;
    Ok(web::Json(updated))
}

/// Sends a draft or rejected listing to review (the organisation's editors).
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ListingView), (status = 409, body = Problem, content_type = "application/problem+json"))
)]
#[post("/marketplace/listings/{id}/submit")]
pub async fn submit_listing(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<ListingView>> {
    let id = id.into_inner();
    Ok(web::Json(service::submit(&state, &caller, &id).await?))
}

/// Approves or rejects what awaits review (platform moderators).
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = DecisionInput,
    responses(
        (status = 200, body = ListingView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/marketplace/listings/{id}/decision")]
pub async fn decide_listing(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<DecisionInput>,
) -> ApiResult<web::Json<ListingView>> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let decided = service::decide(&state, &caller, &id, body).await?;
    Ok(web::Json(decided))
}

/// Archives a listing (the organisation's editors).
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ListingView), (status = 409, body = Problem, content_type = "application/problem+json"))
)]
#[post("/marketplace/listings/{id}/archive")]
pub async fn archive_listing(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<ListingView>> {
    let id = id.into_inner();
    let archived = service::archive(&state, &caller, &id).await?;
    Ok(web::Json(archived))
}

/// Every version of a listing with the moderators' decisions (its organisation, moderators).
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<RevisionView>), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/marketplace/listings/{id}/history")]
pub async fn listing_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<Vec<RevisionView>>> {
    let id = id.into_inner();
    Ok(web::Json(service::history(&state, &caller, &id).await?))
}

/// Sends an enquiry to the listing's organisation (signed-in people; rate-limited).
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = EnquiryInput,
    responses(
        (status = 201, body = EnquiryView),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/marketplace/listings/{id}/enquiries")]
pub async fn send_enquiry(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<EnquiryInput>,
) -> ApiResult<HttpResponse> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let sent = service::send_enquiry(&state, &caller, &id, body).await?;
    Ok(HttpResponse::Created().json(sent))
}

/// All of an organisation's listings, in every state (its members).
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    params(("slug" = String, Path), ListingQuery, PageParams),
    responses((status = 200, body = Page<ListingView>), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/organisations/{slug}/listings")]
pub async fn organisation_listings(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
    query: web::Query<ListingQuery>,
    page: web::Query<PageParams>,
) -> ApiResult<web::Json<Page<ListingView>>> {
    let (slug, query, page) = (slug.into_inner(), query.into_inner(), page.into_inner());
    Ok(web::Json(
        service::list_for_organisation(&state, &caller, &slug, query, page).await?,
    ))
}

/// An organisation's enquiry inbox, newest first (its members).
#[utoipa::path(
    tag = "marketplace",
    security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = Vec<EnquiryView>), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[get("/organisations/{slug}/enquiries")]
pub async fn organisation_enquiries(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> ApiResult<web::Json<Vec<EnquiryView>>> {
    let slug = slug.into_inner();
    Ok(web::Json(service::inbox(&state, &caller, &slug).await?))
}
