//! Builds the actix application from the state: every route, limit and middleware in one
//! place, so the server and the tests run exactly the same app.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, web};
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::graphql::{self, ApiSchema};
use crate::health;
use crate::http::{self, extractors, middleware, openapi::ApiDoc};
use crate::state::AppState;
use crate::{
    audit_checkpoints, biometrics, datasets, documents, hub, identity, imei, marketplace, research,
    search,
};

/// Every documented route, for the OpenAPI document. Modules add their `routes` here and in
/// `served_routes` (`contracts::the_served_document_is_the_contract` holds the two together).
fn documented_routes(config: &mut ServiceConfig) {
    config
        .service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .configure(|c: &mut ServiceConfig<'_>| identity::rest_auth::routes(c))
        .service(
            scope::scope("/api/v1")
                .configure(|c: &mut ServiceConfig<'_>| identity::rest::routes(c))
                .configure(|c: &mut ServiceConfig<'_>| marketplace::rest::routes(c))
                .configure(|c: &mut ServiceConfig<'_>| research::rest::routes(c))
                .configure(|c: &mut ServiceConfig<'_>| datasets::rest::routes(c))
                .configure(|c: &mut ServiceConfig<'_>| documents::rest::routes(c))
                .configure(|c: &mut ServiceConfig<'_>| imei::rest::routes(c))
                .configure(|c: &mut ServiceConfig<'_>| hub::rest::routes(c))
                .configure(|c: &mut ServiceConfig<'_>| biometrics::rest::routes(c))
                .configure(|c: &mut ServiceConfig<'_>| search::rest::routes(c))
                .configure(|c: &mut ServiceConfig<'_>| audit_checkpoints::rest::routes(c)),
        );
}

/// The same routes registered with actix alone: a worker builds no documentation.
fn served_routes(config: &mut web::ServiceConfig) {
    config
        .service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .configure(identity::rest_auth::routes)
        .service(
            web::scope("/api/v1")
                .configure(identity::rest::routes)
                .configure(marketplace::rest::routes)
                .configure(research::rest::routes)
                .configure(datasets::rest::routes)
                .configure(documents::rest::routes)
                .configure(imei::rest::routes)
                .configure(hub::rest::routes)
                .configure(biometrics::rest::routes)
                .configure(search::rest::routes)
                .configure(audit_checkpoints::rest::routes),
        );
}

/// The OpenAPI document of this build.
pub fn openapi() -> OpenApiDoc {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(documented_routes)
        .split_for_parts();
    doc
}

/// The OpenAPI document as served: built and serialised once per process. The server calls
/// it before the workers start, so they share it.
pub fn openapi_json() -> &'static str {
    static JSON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    JSON.get_or_init(|| openapi().to_json().unwrap_or_else(|_| "{}".to_owned()))
}

async fn serve_openapi() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .body(openapi_json())
}

/// The application for one worker.
pub fn app(
    state: AppState,
    schema: ApiSchema,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.config.limits.json_body_bytes;
    // Registered before the `/api/v1` scope, which would otherwise answer every path under it.
    let docs = SwaggerUi::new("/api/v1/docs/{_:.*}")
        .config(utoipa_swagger_ui::Config::new(["/api/v1/openapi.json"]));
    let file_links = state.file_links.clone();
    let app = App::new()
        .service(docs)
        .configure(|config| {
            if let Some(links) = file_links {
                config
                    .app_data(web::Data::from(links))
                    .route("/files/{token}", web::get().to(http::file_links::download));
            }
        })
        .route("/api/v1/openapi.json", web::get().to(serve_openapi))
        .configure(served_routes);
    app.app_data(web::Data::new(state.metrics.clone()))
        .app_data(web::Data::new(state.trusted_proxies.clone()))
        .app_data(web::Data::from(state.protected_routes.clone()))
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(schema))
        .app_data(extractors::json_config(limit))
        .app_data(extractors::payload_config(limit))
        .app_data(extractors::query_config())
        .app_data(extractors::path_config())
        .service(research::oai::resource())
        .configure(datasets::ckan::configure)
        .configure(datasets::dcat::configure)
        .service(imei::rest::equipment_status)
        .service(graphql::graphql_post)
        .service(graphql::graphql_playground)
        // Last: the portal's paths never shadow an API route.
        .configure(crate::portal::configure)
        .default_service(web::to(crate::portal::not_found))
        .wrap(from_fn(identity::authenticate::authenticate))
        .wrap(from_fn(http::consistency::read_your_writes))
        .wrap(from_fn(middleware::observe))
}
