//! Where modules register their REST handlers. The same `routes` function of each module
//! feeds two registries: utoipa's, which collects the OpenAPI document (built once per
//! process), and actix's own, which each worker uses to serve. A worker therefore builds no
//! documentation: utoipa's per-registration path and schema building cost every worker
//! several megabytes the allocator kept.

use actix_web::dev::HttpServiceFactory;
use utoipa_actix_web::OpenApiFactory;

/// A registry of documented handlers.
pub trait Routes {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static;
}

impl Routes for utoipa_actix_web::service_config::ServiceConfig<'_> {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        utoipa_actix_web::service_config::ServiceConfig::service(self, factory)
    }
}

impl Routes for actix_web::web::ServiceConfig {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        actix_web::web::ServiceConfig::service(self, factory)
    }
}
