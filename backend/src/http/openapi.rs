//! The OpenAPI document. Routes are registered only through utoipa-actix-web, so every route
//! the server answers under `/api/v1` is in the document, and the test against the checked-in
//! `schema/openapi.json` catches any drift.

use utoipa::OpenApi;

/// The document's fixed parts; paths and schemas are collected from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "silkbridge API",
        description = "Shared research, open data, document exchange, marketplace, identity, \
                       device registry and biometrics platform of Uzbekistan and Azerbaijan. \
                       Errors are RFC 9457 problem+json with a stable `code`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    components(schemas(crate::error::Problem, crate::error::ErrorCode, crate::error::FieldError)),
    tags(
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "auth", description = "Federated login, tokens and the OAuth2 token endpoint"),
        (name = "identity", description = "Organisations, members and the caller"),
        (name = "partners", description = "Partner clients (machine access)"),
        (name = "marketplace", description = "Listings of services, products, startups, co-investment calls and events"),
        (name = "research", description = "Publications, their files, versions and citation exports (OAI-PMH 2.0 is at /oai)"),
        (name = "datasets", description = "Open data: datasets, their resources (uploads with previews, or links); the CKAN Action API is at /api/3/action and the DCAT-AP catalogue at /catalog.ttl and /catalog.jsonld"),
        (name = "documents", description = "E-document exchange between organisations: drafts, files, signed transitions (send, recall, deliver, accept, reject, sign), receipts, events and webhooks, signing keys"),
        (name = "imei", description = "The joint device registry: status checks (single, bulk, public), reports, recovery, registration and observed IMEI–IMSI pairs (the 3GPP 5G-EIR path is at /n5g-eir-eic/v1/equipment-status)"),
        (name = "imei-cases", description = "Cases of lost and stolen phones (located abroad, found, handed over through the owner's embassy) and devices in crimes and fraud, shared between agencies of both countries; never partners or citizens"),
        (name = "hub", description = "The joint IT hub: acceleration programmes, hackathons, demo days and co-investment calls run by organisations of both countries; startups' applications, the review panel (conflicts of interest excluded), decisions"),
        (name = "biometrics", description = "Palm-vein templates for authorised partners: consent, enrolment, 1:1 verify, 1:N identify, erasure"),
        (name = "search", description = "One full-text search over everything the caller may see")
    ),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the bearer scheme the endpoints' `security(("bearer" = []))` refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
