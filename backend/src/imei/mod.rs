//! IMEI: the joint device registry of both countries' operators, manufacturers and agencies.
//! IMEIs are Luhn-checked; each device is white-, grey- or black-listed with a reason, the
//! country and organisation that listed it and a full history; a block set in one country is
//! seen by the other's operators on their next check. Status checks (single, bulk, 5G-EIR
//! shaped, public) are answered from an in-memory cache of the lists, and every read is
//! audited. Operators' IMEI–IMSI sightings flag likely clones. Cases (`cases`) follow lost
//! and stolen phones back to their owners and share crime and fraud devices between agencies.

pub mod cache;
pub mod cases;
pub mod demo;
pub mod domain;
pub mod graphql;
pub mod lifecycle;
pub mod observe;
pub mod reads;
pub mod rest;
pub mod service;
mod store;
pub mod tacs;
pub mod tasks;
pub mod views;
