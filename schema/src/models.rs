//! Row types: what a table holds, in storage form (plain strings for enumerations, naive UTC
//! timestamps). Validation and the domain enums live in the backend modules that own the rows.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::tables::{change_log, memberships, organisations, users};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: String,
    pub slug: String,
    pub name: String,
    /// Names by language tag (`uz-Latn`, `uz-Cyrl`, `az`, `ru`, `en`) as a JSON object.
    pub names_json: String,
    pub kind: String,
    pub country: String,
    pub website: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub country: Option<String>,
    pub is_platform_admin: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Reviews marketplace listings.
    pub is_moderator: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub organisation_id: String,
    pub user_id: String,
    pub role: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = change_log)]
pub struct ChangeLogEntry {
    pub id: i64,
    pub txid: i64,
    pub entity_kind: String,
    pub entity_id: String,
    pub operation: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = change_log)]
pub struct NewChange {
    pub entity_kind: String,
    pub entity_id: String,
    pub operation: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::user_identities)]
pub struct UserIdentity {
    pub issuer: String,
    pub subject: String,
    pub user_id: String,
    pub country: String,
    /// The national person identifier (PINFL in Uzbekistan, FIN in Azerbaijan) if given.
    pub person_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_login_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::login_attempts)]
pub struct LoginAttempt {
    pub state: String,
    pub country: String,
    pub pkce_verifier: String,
    pub nonce: String,
    pub return_to: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::sessions)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub last_refreshed_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

/// A one-time invitation to a role; the link's token is kept only as its SHA-256.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::invitations)]
pub struct Invitation {
    pub id: String,
    pub token_hash: String,
    /// The organisation joined with `role`, if any.
    pub organisation_id: Option<String>,
    pub role: Option<String>,
    /// Whether accepting makes the person a platform administrator.
    pub platform_admin: bool,
    /// `user:<id>` or `cli`.
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub accepted_by: Option<String>,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::refresh_tokens)]
pub struct RefreshToken {
    pub token_hash: String,
    pub session_id: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// The token that replaced this one, sealed with a key derived from this one.
    pub successor_sealed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::partners)]
pub struct Partner {
    pub id: String,
    pub name: String,
    pub organisation_id: Option<String>,
    pub client_id: String,
    /// SHA-256 of the client secret (secrets are 256-bit random, so a fast hash suffices).
    pub secret_hash: String,
    /// Granted scopes, space-separated as in OAuth2.
    pub scopes: String,
    pub rate_limit_per_minute: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = crate::tables::audit_log)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = crate::tables::audit_log)]
pub struct NewAuditEntry {
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = crate::tables::listing_categories)]
pub struct ListingCategory {
    pub slug: String,
    pub name: String,
    pub names_json: String,
    pub position: i32,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::tables::listings, treat_none_as_null = true)]
pub struct Listing {
    pub id: String,
    pub organisation_id: String,
    pub kind: String,
    pub state: String,
    pub title: String,
    pub description: String,
    /// `{lang: {title, description}}`.
    pub translations_json: String,
    pub price_model: String,
    /// Whole currency units.
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub currency: Option<String>,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub contact_email: Option<String>,
    pub contact_url: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    /// A revision of a published listing that awaits review.
    pub pending_revision: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::listing_revisions)]
pub struct ListingRevision {
    pub listing_id: String,
    pub revision: i32,
    pub content_json: String,
    pub submitted_by: String,
    pub submitted_at: NaiveDateTime,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::enquiries)]
pub struct Enquiry {
    pub id: String,
    pub listing_id: String,
    pub organisation_id: String,
    pub sender_id: String,
    pub message: String,
    pub reply_to: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::listing_media)]
pub struct ListingMedia {
    pub id: String,
    pub listing_id: String,
    /// Where the bytes are in the object store.
    pub object_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

/// A research publication's current content (earlier ones are in `publication_versions`).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::tables::publications, treat_none_as_null = true)]
pub struct Publication {
    pub id: String,
    pub organisation_id: String,
    pub publication_type: String,
    /// The language of `title` and `abstract_text`.
    pub language: String,
    pub title: String,
    pub abstract_text: String,
    /// `{lang: {title, abstract}}` for the other languages.
    pub translations_json: String,
    pub authors_json: String,
    pub keywords_json: String,
    pub subjects_json: String,
    /// ISO 8601 date, possibly partial: `2024`, `2024-05` or `2024-05-17`.
    pub issued: String,
    pub year: i32,
    pub venue: Option<String>,
    pub doi: Option<String>,
    /// An SPDX licence id.
    pub licence: String,
    pub access_level: String,
    pub embargo_until: Option<NaiveDate>,
    pub version: i32,
    /// Harvesters have seen it: OAI-PMH keeps reporting it (as deleted once it is not open).
    pub ever_open: bool,
    pub deleted_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::publication_versions)]
pub struct PublicationVersion {
    pub publication_id: String,
    pub version: i32,
    pub content_json: String,
    pub edited_by: String,
    pub edited_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::publication_files)]
pub struct PublicationFile {
    pub id: String,
    pub publication_id: String,
    /// Where the bytes are in the object store.
    pub object_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// A type allocation code: the first eight digits of an IMEI name brand and model.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::imei_tacs)]
pub struct ImeiTac {
    pub tac: i32,
    pub brand: String,
    pub model: String,
    pub device_type: String,
    pub updated_at: NaiveDateTime,
}

/// A device the registry knows and its list status now.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::tables::imei_devices, treat_none_as_null = true)]
pub struct ImeiDevice {
    pub imei: i64,
    pub status: String,
    pub reason: Option<String>,
    /// The country whose organisation set the current status.
    pub country: Option<String>,
    pub organisation_id: Option<String>,
    pub case_reference: Option<String>,
    /// A grey-listed device turns black when this passes.
    pub grace_until: Option<NaiveDateTime>,
    /// The manufacturer or importer that registered the device.
    pub registered_by: Option<String>,
    pub registered_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// One change in a device's history.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = crate::tables::imei_events)]
pub struct ImeiEvent {
    pub id: i64,
    pub imei: i64,
    pub at: NaiveDateTime,
    pub action: String,
    pub status: String,
    pub reason: Option<String>,
    pub country: Option<String>,
    pub organisation_id: Option<String>,
    pub actor: String,
    pub case_reference: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = crate::tables::imei_events)]
pub struct NewImeiEvent {
    pub imei: i64,
    pub at: NaiveDateTime,
    pub action: String,
    pub status: String,
    pub reason: Option<String>,
    pub country: Option<String>,
    pub organisation_id: Option<String>,
    pub actor: String,
    pub case_reference: Option<String>,
    pub note: Option<String>,
}

/// An IMEI seen with a subscriber identity.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::imei_sightings)]
pub struct ImeiSighting {
    pub imei: i64,
    pub imsi: String,
    pub operator_id: String,
    pub first_seen: NaiveDateTime,
    pub last_seen: NaiveDateTime,
}

/// Who asked about which IMEI, when.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = crate::tables::imei_reads, treat_none_as_default_value = false)]
pub struct NewImeiRead {
    pub at: NaiveDateTime,
    pub actor: String,
    pub imei: i64,
    pub channel: String,
    pub status: String,
}

/// A subject's consent to a partner's use of their templates.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::biometric_consents)]
pub struct BiometricConsent {
    pub id: String,
    pub partner_id: String,
    pub subject_ref: String,
    pub purpose: String,
    pub granted_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// An encrypted template (the plaintext never reaches the database).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::biometric_templates)]
pub struct BiometricTemplate {
    pub id: String,
    pub partner_id: String,
    pub subject_ref: String,
    pub format: String,
    pub dimension: i32,
    pub vendor: String,
    pub quality: i32,
    /// Which configured key encrypted it (for rotation).
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
    pub created_at: NaiveDateTime,
}

/// An open-data dataset (a CKAN "package"). Tags, themes and resources are rows of their own.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::tables::datasets, treat_none_as_null = true)]
pub struct Dataset {
    pub id: String,
    pub name: String,
    pub organisation_id: String,
    pub language: String,
    pub title: String,
    pub notes: String,
    pub translations_json: String,
    pub licence_id: String,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub maintainer: Option<String>,
    pub maintainer_email: Option<String>,
    pub version: Option<String>,
    pub source_url: Option<String>,
    pub temporal_start: Option<NaiveDate>,
    pub temporal_end: Option<NaiveDate>,
    pub spatial: Option<String>,
    pub frequency: Option<String>,
    pub private: bool,
    pub state: String,
    pub extras_json: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A dataset's resource: a link (`url`) or an uploaded file (`object_key` and its facts).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::tables::dataset_resources, treat_none_as_null = true)]
pub struct DatasetResource {
    pub id: String,
    pub dataset_id: String,
    pub position: i32,
    pub name: String,
    pub description: String,
    pub format: String,
    pub media_type: Option<String>,
    pub url: Option<String>,
    pub object_key: Option<String>,
    pub file_name: Option<String>,
    pub size_bytes: Option<i64>,
    pub sha256: Option<String>,
    /// JSON of the preview (first rows, inferred column types) of CSV, TSV and JSON files.
    pub preview_json: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An organisation's Ed25519 signing key: the public half published; the seed sealed when
/// the platform holds it (`custody` `platform`), absent when the organisation does
/// (`organisation`, with its self-signed registration `statement`).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::signing_keys)]
pub struct SigningKeyRow {
    pub kid: String,
    pub organisation_id: String,
    pub algorithm: String,
    /// Raw 32-byte public key, base64url without padding (a JWK's `x`).
    pub public_key: String,
    pub sealed_seed: Option<Vec<u8>>,
    pub nonce: Option<Vec<u8>>,
    pub sealing_key_id: Option<String>,
    pub valid_from: NaiveDateTime,
    pub valid_until: Option<NaiveDateTime>,
    pub custody: String,
    pub statement: Option<String>,
}

/// A document exchanged between organisations.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::tables::documents, treat_none_as_null = true)]
pub struct DocumentRow {
    pub id: String,
    pub sender_id: String,
    pub subject: String,
    pub document_type: String,
    pub reference_number: String,
    pub confidentiality: String,
    pub state: String,
    pub content_digest: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One recipient of a document and where its exchange stands.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::tables::document_recipients, treat_none_as_null = true)]
pub struct DocumentRecipientRow {
    pub document_id: String,
    pub organisation_id: String,
    pub state: String,
    pub reason: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// A file of a document.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::document_files)]
pub struct DocumentFileRow {
    pub id: String,
    pub document_id: String,
    pub object_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

/// One signed step of a document's history.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::document_steps)]
pub struct DocumentStepRow {
    pub document_id: String,
    pub seq: i32,
    pub action: String,
    pub actor_id: String,
    pub recipient_id: Option<String>,
    pub jws: String,
    pub step_hash: String,
    pub created_at: NaiveDateTime,
    /// The platform's countersignature (JSON) of a step signed with an organisation-held key.
    pub countersignature: Option<String>,
}

/// An organisation's webhook.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::organisation_webhooks)]
pub struct WebhookRow {
    pub organisation_id: String,
    pub url: String,
    pub sealed_secret: Vec<u8>,
    pub nonce: Vec<u8>,
    pub sealing_key_id: String,
    pub created_at: NaiveDateTime,
}

/// An event for an organisation (outbox row).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::tables::organisation_events)]
pub struct OrganisationEventRow {
    pub id: String,
    pub organisation_id: String,
    pub event_type: String,
    pub subject: String,
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}
