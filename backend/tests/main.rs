//! One integration-test binary for the backend (one link, shared by every module's tests).
//! Each test starts its own server on a loopback port over its own database: a temporary
//! SQLite file, or a fresh PostgreSQL schema when SILKBRIDGE_TEST_DATABASE_URL is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cast;
mod oidc_support;
mod support;

mod api {
    mod audit_chain;
    mod biometrics;
    mod browser;
    mod change_log;
    mod change_log_retention;
    mod cli;
    mod cluster_limits;
    mod cluster_passes;
    mod cluster_start;
    mod contracts;
    mod datasets;
    mod documents;
    mod graphql;
    mod health;
    mod hub;
    mod hub_events;
    mod hub_files;
    mod hub_support;
    mod id_tokens;
    mod identity_access;
    mod identity_login;
    mod imei;
    mod imei_case_access;
    mod imei_case_notices;
    mod imei_case_statistics;
    mod imei_cases;
    mod keys;
    mod marketplace;
    mod matrix;
    mod opendata_clients;
    mod organisation_keys;
    mod organisations;
    mod portal;
    mod portal_browser;
    mod portal_cases;
    mod portal_hub;
    mod portal_hub_browser;
    mod portal_publishing;
    mod portal_workspace;
    mod portal_workspace_browser;
    mod problems;
    mod read_your_writes;
    mod readiness;
    mod research;
    mod research_oai;
    mod s3;
    mod search;
    mod search_sync;
    mod security_access;
    mod security_biometrics;
    mod security_dataset_names;
    mod security_document_events;
    mod security_inputs;
    mod security_surface;
    mod webhook_delivery;
}
