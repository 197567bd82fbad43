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
use crate::http::{extractors, health, middleware, openapi::ApiDoc};
use crate::state::AppState;
use crate::{biometrics, identity, imei, marketplace, research, search};

/// Every documented route. Modules add their `routes` here.
fn documented_routes(config: &mut ServiceConfig) {
    config
        .service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .configure(identity::rest_auth::routes)
        .service(
            scope::scope("/api/v1")
                .configure(identity::rest::routes)
                .configure(marketplace::rest::routes)
                .configure(research::rest::routes)
                .configure(imei::rest::routes)
                .configure(biometrics::rest::routes)
                .configure(search::rest::routes),
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
    let docs = SwaggerUi::new("/api/v1/docs/{_:.*}").url("/api/v1/openapi.json", openapi());
    let app = App::new()
        .service(docs)
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(documented_routes)
        .into_app();
    app.app_data(web::Data::new(state.metrics.clone()))
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(schema))
        .app_data(extractors::json_config(limit))
        .app_data(extractors::payload_config(limit))
        .app_data(extractors::query_config())
        .app_data(extractors::path_config())
        .service(research::oai::resource())
        .service(imei::rest::equipment_status)
        .service(graphql::graphql_post)
        .service(graphql::graphql_playground)
        .wrap(from_fn(middleware::observe))
}
