//! The joint IT hub: programmes (acceleration programmes, hackathons, demo days,
//! co-investment calls) run by organisations of both countries, startups' applications, and a
//! review panel with conflicts of interest excluded. `access` is who sees what; `programmes`,
//! `applications` and `reviews` are the rules; `service` is what every adapter calls.

mod access;
mod applications;
mod calendar;
pub mod commitments;
pub(crate) mod demo;
pub mod domain;
pub mod events;
pub mod files;
pub mod graphql;
pub mod index;
pub mod input;
mod programmes;
pub mod rest;
mod rest_applications;
mod rest_events;
mod rest_files;
mod reviews;
pub mod service;
mod store;
pub mod views;
