//! HTTP plumbing shared by every module: middleware, extractor error handlers, metrics,
//! pagination, file transfer, client addresses, the OpenAPI document. It knows no module.

pub mod client;
pub mod consistency;
pub mod egress;
pub mod extractors;
pub mod file_links;
pub mod files;
pub mod lines;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pagination;
pub mod routes;
