//! silkbridge: the server and CLI of a platform that Uzbekistan's and Azerbaijan's agencies,
//! researchers and partners share. Each module (identity, marketplace, research, datasets,
//! documents, IMEI, biometrics) is a folder holding its model access,
//! service logic, REST handlers and GraphQL types; modules call each other's services only.

pub mod allocator;
pub mod app;
pub mod audit;
pub mod audit_checkpoints;
pub mod biometrics;
pub mod changes;
pub mod cli;
mod cli_admin;
mod cli_audit;
mod cli_signing;
pub mod config;
pub mod datasets;
pub mod db;
pub mod documents;
pub mod error;
#[cfg(test)]
pub mod fuzzing;
pub mod graphql;
pub mod health;
pub mod http;
pub mod hub;
pub mod identity;
pub mod imei;
pub mod key_ledger;
pub mod leases;
pub mod logging;
pub mod marketplace;
pub mod outbox;
pub mod periodic;
pub mod portal;
pub mod rate_limits;
pub mod research;
pub mod sealing;
pub mod search;
pub mod search_source;
pub mod seed;
pub mod server;
pub mod state;
pub mod storage;
pub mod sweep;
pub mod validate;
pub mod vocabulary;
