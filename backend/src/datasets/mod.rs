//! Open data: datasets (CKAN "packages") of the organisations of both countries, with
//! multilingual titles, tags, DCAT-AP themes, licences and resources (uploaded files with
//! previews, or links). Served over REST and GraphQL, over a CKAN-compatible Action API for
//! the clients and harvesters the field already uses, and as a DCAT-AP catalogue. Private
//! datasets exist only for their organisation's members, on every path.

pub mod ckan;
pub mod dcat;
pub mod demo;
pub mod domain;
pub mod graphql;
pub mod index;
pub mod input;
pub mod preview;
pub mod resources;
pub mod rest;
pub(crate) mod rules;
pub mod service;
mod store;
mod upload;
pub mod views;
