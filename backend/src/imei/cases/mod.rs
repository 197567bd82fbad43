//! IMEI cases: a lost or stolen phone followed from the report to its owner's hands —
//! through the owner's country's embassy when it turned up in the other country — and
//! devices in crimes and fraud shared between the two countries' agencies. See `domain` for
//! the states, `access` for who sees what.

pub mod access;
pub mod domain;
pub mod graphql;
mod notices;
pub mod rest;
pub mod service;
pub mod sightings;
pub mod statistics;
mod store;
pub mod transitions;
pub mod views;
