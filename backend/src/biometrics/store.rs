//! The only code that touches the biometric tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use silkbridge_schema::DbConnection;
use silkbridge_schema::models::{BiometricConsent, BiometricTemplate};
use silkbridge_schema::tables::{
    biometric_consents, biometric_sharing, biometric_templates, biometric_thresholds,
};

use crate::error::ApiResult;

pub fn insert_consent(conn: &mut DbConnection, consent: &BiometricConsent) -> ApiResult<()> {
    diesel::insert_into(biometric_consents::table)
        .values(consent)
        .execute(conn)?;
    Ok(())
}

pub fn consent(conn: &mut DbConnection, id: &str) -> ApiResult<Option<BiometricConsent>> {
    Ok(biometric_consents::table
        .find(id)
        .select(BiometricConsent::as_select())
        .first(conn)
        .optional()?)
}

/// A consent of the subject to the partner that is neither revoked nor expired at `now`.
pub fn active_consent(
    conn: &mut DbConnection,
    partner_id: &str,
    subject: &str,
    now: NaiveDateTime,
) -> ApiResult<Option<BiometricConsent>> {
    Ok(biometric_consents::table
        .filter(biometric_consents::partner_id.eq(partner_id))
        .filter(biometric_consents::subject_ref.eq(subject))
        .filter(biometric_consents::revoked_at.is_null())
        .filter(
            biometric_consents::expires_at
                .is_null()
                .or(biometric_consents::expires_at.gt(now)),
        )
        .order(biometric_consents::granted_at.desc())
        .select(BiometricConsent::as_select())
        .first(conn)
        .optional()?)
}

/// Locks the subject's consents until the transaction ends. Enrolment, revocation, erasure
/// and the expiry purge all take this lock first, so on PostgreSQL they happen one after the
/// other for a subject: an enrolment that read a consent as active cannot write its template
/// after a revoke has erased the others. (SQLite's writers are serialised already.)
pub fn lock_consents(conn: &mut DbConnection, partner_id: &str, subject: &str) -> ApiResult<()> {
    if let DbConnection::Postgresql(pg) = conn {
        biometric_consents::table
            .filter(biometric_consents::partner_id.eq(partner_id))
            .filter(biometric_consents::subject_ref.eq(subject))
            .select(biometric_consents::id)
            .for_update()
            .load::<String>(pg)?;
    }
    Ok(())
}

/// Consents of these partners that have expired and that the purge has not ended yet
/// (oldest expiry first, at most `limit`).
pub fn lapsed_consents(
    conn: &mut DbConnection,
    partners: Option<&[String]>,
    now: NaiveDateTime,
    limit: i64,
) -> ApiResult<Vec<BiometricConsent>> {
    let mut query = biometric_consents::table
        .filter(biometric_consents::revoked_at.is_null())
        .filter(biometric_consents::expires_at.le(now))
        .order(biometric_consents::expires_at.asc())
        .select(BiometricConsent::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(partners) = partners {
        query = query.filter(biometric_consents::partner_id.eq_any(partners.to_vec()));
    }
    Ok(query.load(conn)?)
}

/// Ends a consent if it is still lapsed (expired and not ended): a conditional update, so two
/// purges, or a purge and a revoke, end it once. Returns whether this call ended it.
pub fn end_if_lapsed(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> ApiResult<bool> {
    let ended = diesel::update(
        biometric_consents::table
            .find(id)
            .filter(biometric_consents::revoked_at.is_null())
            .filter(biometric_consents::expires_at.le(now)),
    )
    .set(biometric_consents::revoked_at.eq(now))
    .execute(conn)?;
    Ok(ended == 1)
}

pub fn revoke_consent(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> ApiResult<()> {
    diesel::update(biometric_consents::table.find(id))
        .set(biometric_consents::revoked_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn insert_template(conn: &mut DbConnection, row: &BiometricTemplate) -> ApiResult<()> {
    diesel::insert_into(biometric_templates::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn subject_templates(
    conn: &mut DbConnection,
    partner_id: &str,
    subject: &str,
) -> ApiResult<Vec<BiometricTemplate>> {
    Ok(biometric_templates::table
        .filter(biometric_templates::partner_id.eq(partner_id))
        .filter(biometric_templates::subject_ref.eq(subject))
        .select(BiometricTemplate::as_select())
        .load(conn)?)
}

/// Deletes a subject's templates (keeping its consents); returns how many.
pub fn erase_templates(
    conn: &mut DbConnection,
    partner_id: &str,
    subject: &str,
) -> ApiResult<usize> {
    let templates = diesel::delete(
        biometric_templates::table
            .filter(biometric_templates::partner_id.eq(partner_id))
            .filter(biometric_templates::subject_ref.eq(subject)),
    )
    .execute(conn)?;
    Ok(templates)
}

/// Deletes a subject's templates and consents; returns the templates deleted.
pub fn erase_subject(conn: &mut DbConnection, partner_id: &str, subject: &str) -> ApiResult<usize> {
    let templates = erase_templates(conn, partner_id, subject)?;
    diesel::delete(
        biometric_consents::table
            .filter(biometric_consents::partner_id.eq(partner_id))
            .filter(biometric_consents::subject_ref.eq(subject)),
    )
    .execute(conn)?;
    Ok(templates)
}

/// Templates after `after_id`, in id order (for loading and re-encrypting page by page).
pub fn templates_after(
    conn: &mut DbConnection,
    after_id: &str,
    limit: i64,
) -> ApiResult<Vec<BiometricTemplate>> {
    Ok(biometric_templates::table
        .filter(biometric_templates::id.gt(after_id))
        .order(biometric_templates::id.asc())
        .limit(limit)
        .select(BiometricTemplate::as_select())
        .load(conn)?)
}

pub fn replace_ciphertext(
    conn: &mut DbConnection,
    id: &str,
    key_id: &str,
    nonce: &[u8],
    ciphertext: &[u8],
) -> ApiResult<()> {
    diesel::update(biometric_templates::table.find(id))
        .set((
            biometric_templates::key_id.eq(key_id),
            biometric_templates::nonce.eq(nonce),
            biometric_templates::ciphertext.eq(ciphertext),
        ))
        .execute(conn)?;
    Ok(())
}

/// Partners whose subjects `grantee` may match (by sharing agreements).
pub fn owners_sharing_with(conn: &mut DbConnection, grantee: &str) -> ApiResult<Vec<String>> {
    Ok(biometric_sharing::table
        .filter(biometric_sharing::grantee_partner_id.eq(grantee))
        .select(biometric_sharing::owner_partner_id)
        .load(conn)?)
}

pub fn add_sharing(
    conn: &mut DbConnection,
    owner: &str,
    grantee: &str,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let exists = biometric_sharing::table
        .find((owner, grantee))
        .count()
        .get_result::<i64>(conn)?
        > 0;
    if !exists {
        diesel::insert_into(biometric_sharing::table)
            .values((
                biometric_sharing::owner_partner_id.eq(owner),
                biometric_sharing::grantee_partner_id.eq(grantee),
                biometric_sharing::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Ends a sharing agreement; returns whether there was one.
pub fn remove_sharing(conn: &mut DbConnection, owner: &str, grantee: &str) -> ApiResult<bool> {
    Ok(diesel::delete(biometric_sharing::table.find((owner, grantee))).execute(conn)? > 0)
}

/// Every sharing agreement as (owner, grantee, since), oldest first.
pub fn sharing_agreements(
    conn: &mut DbConnection,
) -> ApiResult<Vec<(String, String, NaiveDateTime)>> {
    Ok(biometric_sharing::table
        .order(biometric_sharing::created_at.asc())
        .select((
            biometric_sharing::owner_partner_id,
            biometric_sharing::grantee_partner_id,
            biometric_sharing::created_at,
        ))
        .load(conn)?)
}

pub fn threshold(
    conn: &mut DbConnection,
    partner_id: &str,
    format: &str,
) -> ApiResult<Option<f64>> {
    Ok(biometric_thresholds::table
        .find((partner_id, format))
        .select(biometric_thresholds::threshold)
        .first(conn)
        .optional()?)
}

pub fn set_threshold(
    conn: &mut DbConnection,
    partner_id: &str,
    format: &str,
    threshold: f64,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let updated = diesel::update(biometric_thresholds::table.find((partner_id, format)))
        .set((
            biometric_thresholds::threshold.eq(threshold),
            biometric_thresholds::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(biometric_thresholds::table)
            .values((
                biometric_thresholds::partner_id.eq(partner_id),
                biometric_thresholds::format.eq(format),
                biometric_thresholds::threshold.eq(threshold),
                biometric_thresholds::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
