//! Documents: official e-documents exchanged between organisations of both countries. A
//! sender drafts, attaches files and sends; each recipient delivers (acknowledges receipt),
//! accepts or rejects, and may sign; a sender may recall before anyone received it. Every
//! transition is signed by the acting organisation's Ed25519 key over the document's manifest
//! and the previous step, so the history is a verifiable chain; recipients' steps yield
//! receipts the sender can verify offline. An organisation may hold its own key and sign its
//! steps itself (`organisation_keys`, `step_signing`); the platform then verifies,
//! chains and countersigns them. Only the parties see a document.

pub mod chain;
pub mod demo;
pub mod domain;
pub mod graphql;
pub mod index;
pub mod input;
pub mod key_list;
pub mod keys;
pub mod organisation_keys;
pub mod receipts;
pub mod rest;
mod rest_signing;
pub(crate) mod rules;
pub mod service;
pub mod step_signing;
pub(crate) mod steps;
mod store;
pub mod verify;
pub mod views;
pub mod webhook_deliveries;
pub mod webhooks;
