//! Research: publications of the organisations of both countries in Uzbek (Latin or
//! Cyrillic), Azerbaijani, Russian and English, with their files, version history, citation
//! exports and an OAI-PMH 2.0 endpoint for harvesters. Open publications are for everyone;
//! organisation-only and embargoed ones for the organisation's members until they open.

pub mod citation;
pub mod citation_style;
pub mod demo;
pub mod domain;
pub mod embargo;
pub mod files;
pub mod graphql;
pub mod index;
pub mod input;
pub mod oai;
pub mod rest;
pub mod rest_files;
pub(crate) mod rules;
pub mod service;
mod store;
pub mod views;
