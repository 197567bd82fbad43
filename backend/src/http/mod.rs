//! HTTP plumbing shared by every module: middleware, extractor error handlers, health and
//! metrics endpoints, pagination, the OpenAPI document.

pub mod client;
pub mod egress;
pub mod extractors;
pub mod file_links;
pub mod files;
pub mod health;
pub mod lines;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod routes;
