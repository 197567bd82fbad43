//! What a case tells organisations' own systems, through the outbox (their webhook): the
//! reporting organisation hears that its device was seen abroad, found and handed over; the
//! embassy assigned to a found device hears that it has one to hand over. Each notice is
//! written in the transaction of the step it tells of. A notice carries the case's id and
//! reference and the step's facts — never the owner's contact (the receiver reads the case
//! for that, if it may) and never a subscriber's identity.

use chrono::NaiveDateTime;
use serde_json::{Value, json};
use silkbridge_schema::DbConnection;
use silkbridge_schema::case_models::ImeiCase;

use crate::error::ApiResult;
use crate::identity::views::OrganisationView;
use crate::outbox;

/// The fields every case notice carries.
fn about(case: &ImeiCase, at: NaiveDateTime, more: Value) -> Value {
    let mut body = json!({
        "case_id": case.id,
        "reference": case.reference,
        "kind": case.kind,
        "state": case.state,
        "at": at.and_utc().to_rfc3339(),
    });
    if let (Some(body), Value::Object(more)) = (body.as_object_mut(), more) {
        body.extend(more);
    }
    body
}

/// `imei.case.sighted`, to the reporting organisation: which operator, of which country.
pub(super) fn sighted(
    conn: &mut DbConnection,
    case: &ImeiCase,
    operator: &OrganisationView,
    imei: &str,
    at: NaiveDateTime,
) -> ApiResult<()> {
    let body = about(
        case,
        at,
        json!({
            "imei": imei,
            "operator": { "id": operator.id, "slug": operator.slug, "name": operator.name },
            "country": operator.country.as_str(),
        }),
    );
    outbox::notify(
        conn,
        &case.organisation_id,
        "imei.case.sighted",
        &case.id,
        body,
    )?;
    Ok(())
}

/// `imei.case.found`, to the reporting organisation and to the embassy assigned to hand the
/// device over (when it was found abroad).
pub(super) fn found(
    conn: &mut DbConnection,
    case: &ImeiCase,
    finder: &OrganisationView,
) -> ApiResult<()> {
    let body = about(
        case,
        case.updated_at,
        json!({
            "found_by": { "id": finder.id, "slug": finder.slug, "name": finder.name },
            "country": finder.country.as_str(),
            "held_at": case.held_at,
            "embassy_id": case.embassy_id,
        }),
    );
    let mut told = vec![case.organisation_id.as_str()];
    told.extend(case.embassy_id.as_deref());
    for organisation in told {
        outbox::notify(
            conn,
            organisation,
            "imei.case.found",
            &case.id,
            body.clone(),
        )?;
    }
    Ok(())
}

/// `imei.case.handed_over`, to the reporting organisation (unless it handed it over itself).
pub(super) fn handed_over(conn: &mut DbConnection, case: &ImeiCase, by: &str) -> ApiResult<()> {
    if by == case.organisation_id {
        return Ok(());
    }
    let body = about(case, case.updated_at, json!({ "handed_over_by": by }));
    outbox::notify(
        conn,
        &case.organisation_id,
        "imei.case.handed_over",
        &case.id,
        body,
    )?;
    Ok(())
}
