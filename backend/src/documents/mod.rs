//! Documents: official e-documents exchanged between organisations of both countries. A
//! sender drafts, attaches files and sends; each recipient delivers (acknowledges receipt),
//! accepts or rejects, and may sign; a sender may recall before anyone received it. Every
//! transition is signed by the acting organisation's Ed25519 key over the document's manifest
//! and the previous step, so the history is a verifiable chain; recipients' steps yield
//! receipts the sender can verify offline. Only the parties see a document.

pub mod chain;
pub mod demo;
pub mod domain;
pub mod graphql;
pub mod index;
pub mod input;
pub mod keys;
pub mod receipts;
pub mod rest;
pub(crate) mod rules;
pub mod service;
pub(crate) mod steps;
mod store;
pub mod verify;
pub mod views;
pub mod webhook_deliveries;
pub mod webhooks;
