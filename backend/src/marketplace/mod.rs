//! Marketplace: joint listings of IT services, products, startup profiles, co-investment
//! calls and events by organisations of both countries. Listings go draft → pending review →
//! published → archived; moderators alone publish, and an edit of a published listing waits
//! for review while the public keeps seeing the approved version. Signed-in people send
//! enquiries to a listing's organisation.

pub mod demo;
pub mod domain;
pub(crate) mod enquiries;
pub mod graphql;
pub mod index;
pub mod input;
pub mod media;
pub mod rest;
pub mod rest_media;
pub(crate) mod rules;
pub mod service;
mod store;
pub mod views;
