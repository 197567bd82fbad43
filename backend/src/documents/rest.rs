//! The documents module's REST endpoints.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use serde::Deserialize;

use super::domain::Step;
use super::input::{DocumentInput, Mailbox};
use super::keys::PublicKeyView;
use super::receipts::{Receipt, ReceiptCheck};
use super::service;
use super::step_signing::StepSignature;
use super::views::{DocumentFileView, DocumentView, EventView, StepView};
use super::webhooks::{WebhookInput, WebhookView};
use crate::error::{ApiResult, Problem};
use crate::http::files::{self as transfer, UploadParams};
use crate::http::pagination::{Page, PageParams};
use crate::identity::caller::Caller;
use crate::state::AppState;

pub fn routes(config: &mut impl crate::http::routes::Routes) {
    config
        .service(list_documents)
        .service(create_document)
        .service(document_events)
        .service(verify_receipt)
        .service(get_document)
        .service(update_document)
        .service(upload_file)
        .service(download_file)
        .service(take_step)
        .service(document_history)
        .service(document_receipt)
        .service(signing_keys)
        .service(rotate_signing_key)
        .service(get_webhook)
        .service(set_webhook)
        .service(delete_webhook)
        .service(webhook_deliveries)
        .service(redeliver_webhook_event);
    super::rest_signing::routes(config);
}

/// Which documents to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MailboxParams {
    /// `inbox` (sent to the caller's organisations), `outbox` (theirs); default both.
    pub mailbox: Option<Mailbox>,
}

/// The caller's organisations' documents, newest change first.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(MailboxParams, PageParams),
    responses((status = 200, body = Page<DocumentView>), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    caller: Caller,
    mailbox: web::Query<MailboxParams>,
    page: web::Query<PageParams>,
) -> ApiResult<web::Json<Page<DocumentView>>> {
    let (mailbox, page) = (mailbox.into_inner().mailbox, page.into_inner());
    Ok(web::Json(
        service::list(&state, &caller, mailbox, page).await?,
    ))
}

/// Creates a draft (the sender's editors or its partner system with `documents:exchange`).
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    request_body = DocumentInput,
    responses((status = 201, body = DocumentView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[post("/documents")]
pub async fn create_document(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<DocumentInput>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let view = service::create(&state, &caller, body).await?;
    Ok(HttpResponse::Created().json(view))
}

/// One document its parties may see (404 for everyone else).
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DocumentView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/documents/{id}")]
pub async fn get_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<DocumentView>> {
    let id = id.into_inner();
    Ok(web::Json(service::get(&state, &caller, &id).await?))
}

/// Replaces a draft's metadata and recipients (409 `invalid_transition` once sent).
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = DocumentInput,
    responses((status = 200, body = DocumentView), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"))
)]
#[put("/documents/{id}")]
pub async fn update_document(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<DocumentInput>,
) -> ApiResult<web::Json<DocumentView>> {
    let (id, body) = (id.into_inner(), body.into_inner());
    Ok(web::Json(
        service::update_draft(&state, &caller, &id, body).await?,
    ))
}

/// Adds a file to a draft: the raw body, streamed into the object store with its SHA-256
/// (memory stays flat whatever the size, up to `documents.file_max_bytes`).
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the file's bytes"),
    responses(
        (status = 201, body = DocumentFileView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/documents/{id}/files")]
pub async fn upload_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    params: web::Query<UploadParams>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let upload = transfer::raw_upload(&req, params.into_inner(), payload)?;
    let view = service::upload_file(&state, &caller, &id, upload).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Downloads a file (byte ranges supported), for the document's parties.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path), ("file_id" = String, Path)),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/documents/{id}/files/{file_id}")]
pub async fn download_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, file_id) = path.into_inner();
    let row = service::file(&state, &caller, &id, &file_id).await?;
    transfer::serve(&req, &state.objects, transfer::stored_file_of!(row)).await
}

/// A transition.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// send or recall (the sender); deliver, accept, reject or sign (a recipient).
    #[schema(value_type = String)]
    pub step: Step,
    /// The recipient organisation (slug) acting, when the caller acts for several.
    pub organisation: Option<String>,
    /// Required to reject.
    pub reason: Option<String>,
    /// For an organisation that holds its own key: the prepared step's `signedAt`.
    pub signed_at: Option<String>,
    /// For an organisation that holds its own key: the detached compact JWS
    /// (`header..signature`) of the prepared step's `signingInput`.
    pub signature: Option<String>,
}

/// A transition to prepare for signing.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepToPrepare {
    /// send or recall (the sender); deliver, accept, reject or sign (a recipient).
    #[schema(value_type = String)]
    pub step: Step,
    /// The recipient organisation (slug) acting, when the caller acts for several.
    pub organisation: Option<String>,
    /// Required to reject.
    pub reason: Option<String>,
}

/// Takes a step: each is signed by the acting organisation's key over the manifest and the
/// previous step — by the platform for a platform-held key; an organisation holding its own
/// key prepares the step (`/steps/prepare`) and sends `signed_at` and `signature`. Anything
/// but the legal transitions is 409 `invalid_transition`.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = StepInput,
    responses(
        (status = 200, body = DocumentView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/documents/{id}/steps")]
pub async fn take_step(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<StepInput>,
) -> ApiResult<web::Json<DocumentView>> {
    let body = body.into_inner();
    let signature = StepSignature::submitted(body.signed_at, body.signature)?;
    Ok(web::Json(
        service::take_step(
            &state,
            &caller,
            &id,
            body.step,
            body.organisation.as_deref(),
            body.reason.as_deref(),
            signature,
        )
        .await?,
    ))
}

/// The signed history, in order.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<StepView>), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/documents/{id}/history")]
pub async fn document_history(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<Vec<StepView>>> {
    let id = id.into_inner();
    Ok(web::Json(service::history(&state, &caller, &id).await?))
}

/// The receipt of a recipient's step (delivery, acceptance, rejection, signature): a file to
/// keep and verify offline with `silkbridge verify-receipt`.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = String, Path), ("seq" = i32, Path)),
    responses((status = 200, body = Receipt), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/documents/{id}/receipts/{seq}")]
pub async fn document_receipt(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, i32)>,
) -> ApiResult<HttpResponse> {
    let (id, seq) = path.into_inner();
    let receipt = service::receipt(&state, &caller, &id, seq).await?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"receipt-{}-{seq}.json\"",
                receipt.kind
            ),
        ))
        .json(receipt))
}

/// Checks a receipt against the platform's published keys (anyone may ask).
#[utoipa::path(
    tag = "documents",
    request_body = Receipt,
    responses((status = 200, body = ReceiptCheck))
)]
#[post("/documents/receipts/verify")]
pub async fn verify_receipt(
    state: web::Data<AppState>,
    body: web::Json<Receipt>,
) -> ApiResult<web::Json<ReceiptCheck>> {
    Ok(web::Json(
        service::verify_receipt(&state, body.into_inner()).await?,
    ))
}

/// Where to continue polling.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// The last event id seen.
    pub after: Option<String>,
    /// 1 to 1000 (default 100).
    pub limit: Option<u32>,
}

/// Events of the caller's organisations, oldest first: poll with the last id seen.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(EventParams),
    responses((status = 200, body = Vec<EventView>), (status = 401, body = Problem, content_type = "application/problem+json"))
)]
#[get("/documents/events")]
pub async fn document_events(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<EventParams>,
) -> ApiResult<web::Json<Vec<EventView>>> {
    let params = params.into_inner();
    Ok(web::Json(
        service::events(&state, &caller, params.after.as_deref(), params.limit).await?,
    ))
}

/// An organisation's document-signing public keys, current and retired, with their validity.
#[utoipa::path(
    tag = "documents",
    params(("slug" = String, Path)),
    responses((status = 200, body = Vec<PublicKeyView>), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/organisations/{slug}/signing-keys")]
pub async fn signing_keys(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<web::Json<Vec<PublicKeyView>>> {
    Ok(web::Json(service::signing_keys(&state, &slug).await?))
}

/// Retires the current signing key (it stays published) and makes a new one: the
/// organisation's admins.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = PublicKeyView), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[post("/organisations/{slug}/signing-keys/rotate")]
pub async fn rotate_signing_key(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> ApiResult<web::Json<PublicKeyView>> {
    Ok(web::Json(
        service::rotate_signing_key(&state, &caller, &slug).await?,
    ))
}

/// The organisation's webhook (its admins); the secret is never shown again.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = WebhookView), (status = 404, body = Problem, content_type = "application/problem+json"))
)]
#[get("/organisations/{slug}/webhook")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> ApiResult<web::Json<WebhookView>> {
    service::webhook(&state, &caller, &slug)
        .await?
        .map(web::Json)
        .ok_or_else(|| crate::error::ApiError::not_found("the webhook"))
}

/// Sets the organisation's webhook (its admins); the answer carries the new HMAC secret once.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("slug" = String, Path)),
    request_body = WebhookInput,
    responses((status = 200, body = WebhookView), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"))
)]
#[put("/organisations/{slug}/webhook")]
pub async fn set_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
    body: web::Json<WebhookInput>,
) -> ApiResult<web::Json<WebhookView>> {
    Ok(web::Json(
        service::set_webhook(&state, &caller, &slug, body.into_inner()).await?,
    ))
}

/// Removes the webhook (events can still be polled).
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 204), (status = 403, body = Problem, content_type = "application/problem+json"))
)]
#[delete("/organisations/{slug}/webhook")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    service::delete_webhook(&state, &caller, &slug).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// How many delivery attempts to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveriesParams {
    /// 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The webhook's newest delivery attempts, newest first, with their outcome (`delivered`,
/// `failed`, `dead`: given up), the receiver's status and the latency (its admins).
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("slug" = String, Path), DeliveriesParams),
    responses(
        (status = 200, body = [super::webhook_deliveries::DeliveryView]),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[get("/organisations/{slug}/webhook/deliveries")]
pub async fn webhook_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
    params: web::Query<DeliveriesParams>,
) -> ApiResult<web::Json<Vec<super::webhook_deliveries::DeliveryView>>> {
    Ok(web::Json(
        service::webhook_deliveries(&state, &caller, &slug, params.limit).await?,
    ))
}

/// Queues an event for delivery again from its first attempt — one given up (`dead`) or one
/// the receiver lost (its admins). Audited.
#[utoipa::path(
    tag = "documents",
    security(("bearer" = [])),
    params(("slug" = String, Path), ("event" = String, Path)),
    responses(
        (status = 202, description = "queued"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")
    )
)]
#[post("/organisations/{slug}/webhook/events/{event}/redeliver")]
pub async fn redeliver_webhook_event(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (slug, event) = path.into_inner();
    service::redeliver_webhook_event(&state, &caller, &slug, &event).await?;
    Ok(HttpResponse::Accepted().finish())
}
