//! The REST rows: one per operation of `schema/openapi.json` (the test fails when an
//! operation has no row, or a row no operation), plus the harvesters' endpoints outside it
//! (OAI-PMH, CKAN, DCAT). Each row names the objects it runs against and, per caller in the
//! order of `world::CALLERS` (anonymous, member, editor, admin of stat-uz, editor elsewhere in
//! UZ, editor in AZ, platform admin, partner with every scope, partner with none), what it
//! must answer:
//!
//! `o` 2xx · `v` authorised (2xx, or 400/404/409/413/415/422 about the input) · `u` 401 ·
//! `f` 403 · `n` 404 · `s` 2xx if the caller may see the object, else 404 · `x` 403 if it may
//! see the object, else 404 · `e` authorised for stat-uz's editors and admins on stat-uz's
//! objects, else as `x` · `m` 2xx for stat-uz's members on its objects, else as `x` ·
//! `w` authorised if it may see the object, else 404 · `r` 403 or 422 (refused before any
//! object is read: no organisation to act for) ·
//! `a` 401 if it may see the object, else 404 (GraphQL reads: the object is looked up
//! before the caller is asked for credentials, and one it may not see is not found) ·
//! `-` not run (a destructive call whose success the module tests cover).

use serde_json::{Value, json};

use super::world::{Variant, World};

/// Which objects fill a row's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    None,
    Publication,
    Dataset,
    Listing,
    Document,
}

/// A request body.
#[derive(Clone, Copy)]
pub enum Body {
    None,
    Json(fn(&World, Variant) -> Value),
    Bytes(&'static str, &'static [u8]),
    Form(&'static str),
}

#[derive(Clone, Copy)]
pub struct Row {
    pub method: &'static str,
    pub path: &'static str,
    /// Appended to the filled path.
    pub query: &'static str,
    pub target: Target,
    pub expect: &'static str,
    pub body: Body,
    /// Changes or removes what later rows use: run last, after every other row.
    pub destructive: bool,
    /// Ends the caller's session: run after everything else.
    pub signs_out: bool,
}

const fn row(
    method: &'static str,
    path: &'static str,
    target: Target,
    expect: &'static str,
) -> Row {
    Row {
        method,
        path,
        query: "",
        target,
        expect,
        body: Body::None,
        destructive: false,
        signs_out: false,
    }
}

impl Row {
    const fn q(mut self, query: &'static str) -> Self {
        self.query = query;
        self
    }
    const fn json(mut self, body: fn(&World, Variant) -> Value) -> Self {
        self.body = Body::Json(body);
        self
    }
    const fn bytes(mut self, content_type: &'static str, bytes: &'static [u8]) -> Self {
        self.body = Body::Bytes(content_type, bytes);
        self
    }
    const fn form(mut self, form: &'static str) -> Self {
        self.body = Body::Form(form);
        self
    }
    const fn last(mut self) -> Self {
        self.destructive = true;
        self
    }
    const fn signs_out(mut self) -> Self {
        self.signs_out = true;
        self
    }
}

use Target::{Dataset as D, Document as Doc, Listing as L, None as N, Publication as P};

fn probe(_: &World, _: Variant) -> Value {
    json!({"probe": super::super::biometrics::float_template(5, 1), "maxResults": 3})
}
fn verify(w: &World, _: Variant) -> Value {
    json!({"subjectId": "matrix-0001", "probe": super::super::biometrics::float_template(5, 1), "ownerPartnerId": w.partner_all_id})
}
fn enrol(_: &World, _: Variant) -> Value {
    json!({"subjectId": "matrix-0001", "template": super::super::biometrics::float_template(5, 0)})
}
pub fn publication_body(_: &World, v: Variant) -> Value {
    let (access, title) = match v {
        Variant::Restricted(1) => ("embargoed", "Matrix CANARYEMBARGOPUB study"),
        Variant::Restricted(_) => ("organisation", "Matrix CANARYORGPUB study"),
        _ => ("open", "Matrix open publication"),
    };
    let mut body = super::super::research::publication(
        json!({"doi": null, "title": title, "access_level": access, "embargo_until": (access == "embargoed").then_some("2099-01-01")}),
    );
    body.as_object_mut().unwrap().remove("organisation");
    body
}
fn new_publication(_: &World, _: Variant) -> Value {
    super::super::research::publication(json!({"doi": null, "title": "Matrix new"}))
}
pub fn dataset_body(w: &World, v: Variant) -> Value {
    let name = w
        .datasets
        .iter()
        .find(|(var, _)| *var == v)
        .map_or("matrix-x", |(_, o)| o.name.as_str());
    let restricted = matches!(v, Variant::Restricted(_));
    let title = if restricted {
        "Matrix CANARYPRIVATEDATA"
    } else {
        "Matrix public data"
    };
    super::super::datasets::dataset(
        json!({"name": name, "title": title, "private": restricted, "tags": ["matrix"]}),
    )
}
pub fn new_dataset_body(_: &World, _: Variant) -> Value {
    let suffix = &silkbridge_schema::ids::new_id()[26..];
    super::super::datasets::dataset(
        json!({"name": format!("matrix-new-{}", suffix.to_lowercase()), "title": "New"}),
    )
}
fn patch(_: &World, _: Variant) -> Value {
    json!({"version": "2"})
}
fn link(_: &World, _: Variant) -> Value {
    json!({"url": "https://stat.uz/matrix.csv", "name": "Link"})
}
pub fn document_body(_: &World, _: Variant) -> Value {
    json!({"sender": "stat-uz", "subject": "Matrix letter", "document_type": "letter", "reference_number": "M-2", "recipients": ["azstat"]})
}
fn receipt(_: &World, _: Variant) -> Value {
    json!({"format": "x", "kind": "x", "keys": [], "manifest": {}, "recipient": "x", "steps": []})
}
fn step(_: &World, _: Variant) -> Value {
    json!({"step": "deliver"})
}
fn key_statement(_: &World, _: Variant) -> Value {
    json!({"statement": "not.a.statement"})
}
fn report(_: &World, _: Variant) -> Value {
    json!({"reason": "stolen", "caseReference": "M-1"})
}
fn greylist(_: &World, _: Variant) -> Value {
    json!({"reason": "customs_unregistered", "note": "matrix"})
}
fn empty(_: &World, _: Variant) -> Value {
    json!({})
}
fn registration(_: &World, _: Variant) -> Value {
    json!({"imeis": ["356938035643809"]})
}
pub fn listing_body(_: &World, v: Variant) -> Value {
    let title = if matches!(v, Variant::Restricted(_)) {
        "Matrix CANARYDRAFTLISTING"
    } else {
        "Matrix offer"
    };
    json!({"kind": "service", "title": title, "description": "Draft offer CANARYDRAFTLISTING.", "categories": ["cloud-hosting"],
           "countries": ["UZ"], "price_model": "subscription", "price_min": 1000, "currency": "UZS"})
}
fn new_listing(w: &World, v: Variant) -> Value {
    let mut body = listing_body(w, v);
    body["organisation"] = json!("stat-uz");
    body
}
fn decision(_: &World, _: Variant) -> Value {
    json!({"decision": "reject", "reason": "matrix"})
}
fn enquiry(_: &World, _: Variant) -> Value {
    json!({"message": "Is this available in Baku?"})
}
pub fn organisation_body(_: &World, _: Variant) -> Value {
    json!({"slug": format!("matrix-{}", &silkbridge_schema::ids::new_id()[28..].to_lowercase()), "name": "Matrix org", "country": "UZ", "kind": "agency"})
}
fn org_patch(_: &World, _: Variant) -> Value {
    json!({"website": "https://stat.uz"})
}
fn role(_: &World, _: Variant) -> Value {
    json!({"role": "member"})
}
fn new_case(_: &World, _: Variant) -> Value {
    json!({"kind": "fraud", "reference": "MATRIX-1", "imeis": ["356938035643809"]})
}

fn case_found(_: &World, _: Variant) -> Value {
    json!({"heldAt": "Matrix station"})
}

/// A valid programme run by stat-uz (its editors may create it).
pub fn new_programme(_: &World, _: Variant) -> Value {
    let now = chrono::Utc::now().naive_utc();
    json!({"kind": "hackathon", "organisation": "stat-uz", "slug": "matrix-hackathon",
           "title": "Matrix hackathon", "description": "Open data weekend",
           "applicationsOpenAt": now, "applicationsCloseAt": now + chrono::Duration::days(7),
           "startsAt": now + chrono::Duration::days(8), "endsAt": now + chrono::Duration::days(9),
           "countries": ["UZ", "AZ"], "criteria": [{"id": "impact", "label": "Impact"}]})
}

fn hub_organiser(_: &World, _: Variant) -> Value {
    json!({"organisation": "azstat"})
}

fn hub_reviewer(w: &World, _: Variant) -> Value {
    json!({"userId": w.member_id})
}

fn hub_conflict(_: &World, _: Variant) -> Value {
    json!({"startup": "registan-analytics"})
}

fn hub_team(_: &World, _: Variant) -> Value {
    json!({"name": "Matrix team"})
}

fn hub_commitment(_: &World, _: Variant) -> Value {
    json!({"investor": "stat-uz", "amount": 1000, "currency": "USD"})
}

fn hub_decision(_: &World, _: Variant) -> Value {
    json!({"decision": "accepted"})
}

fn new_application(_: &World, _: Variant) -> Value {
    json!({"startup": "registan-analytics", "stage": "mvp", "sector": "ai"})
}

fn review(_: &World, _: Variant) -> Value {
    json!({"scores": [{"criterion": "impact", "score": 3}]})
}

fn case_link(_: &World, _: Variant) -> Value {
    json!({"caseId": "no-such-case"})
}

fn invitation_token(_: &World, _: Variant) -> Value {
    json!({"token": "no-such-invitation-token"})
}
fn webhook(_: &World, _: Variant) -> Value {
    json!({"url": "https://hooks.example.org/matrix"})
}
fn partner(_: &World, _: Variant) -> Value {
    json!({"name": "Matrix partner", "scopes": ["imei:read"]})
}
fn moderator(_: &World, _: Variant) -> Value {
    json!({"moderator": false})
}
fn threshold(_: &World, _: Variant) -> Value {
    json!({"format": "float32", "threshold": 0.8})
}
fn sharing(w: &World, _: Variant) -> Value {
    json!({"ownerPartnerId": w.partner_all_id, "granteePartnerId": w.partner_none_id})
}
fn consent(_: &World, _: Variant) -> Value {
    json!({"subjectId": "matrix-0002", "purpose": "matrix"})
}
fn refresh(_: &World, _: Variant) -> Value {
    json!({"refresh_token": "not-a-token"})
}

pub const ROWS: &[Row] = &[
    row("GET", "/.well-known/jwks.json", N, "ooooooooo"),
    row("GET", "/healthz", N, "ooooooooo"),
    row("GET", "/readyz", N, "ooooooooo"),
    row("GET", "/metrics", N, "ooooooooo"),
    row("GET", "/api/v1/me", N, "uoooooooo"),
    // Biometrics: partners with the scopes; administrators for agreements and thresholds.
    row("POST", "/api/v1/biometrics/consents", N, "uffffffvf").json(consent),
    row(
        "POST",
        "/api/v1/biometrics/consents/{consent}/revoke",
        N,
        "uffffff-f",
    )
    .last(),
    row("POST", "/api/v1/biometrics/identify", N, "uffffffvf").json(probe),
    row(
        "PUT",
        "/api/v1/biometrics/partners/{partner}/threshold",
        N,
        "ufffffvff",
    )
    .json(threshold),
    row("GET", "/api/v1/biometrics/sharing", N, "ufffffoff"),
    row("POST", "/api/v1/biometrics/sharing", N, "ufffffvff").json(sharing),
    row(
        "DELETE",
        "/api/v1/biometrics/sharing/{owner}/{grantee}",
        N,
        "ufffffvff",
    )
    .last(),
    row(
        "DELETE",
        "/api/v1/biometrics/subjects/{subject}",
        N,
        "uffffff-f",
    )
    .last(),
    row("POST", "/api/v1/biometrics/templates", N, "uffffffvf").json(enrol),
    row("POST", "/api/v1/biometrics/verify", N, "uffffffvf").json(verify),
    // Open data.
    row("GET", "/api/v1/datasets", N, "ooooooooo"),
    row("POST", "/api/v1/datasets", N, "ufvvfffff").json(new_dataset_body),
    row("GET", "/api/v1/datasets/{key}", D, "sssssssss"),
    row("PUT", "/api/v1/datasets/{key}", D, "ueeexxxxx").json(dataset_body),
    row("PATCH", "/api/v1/datasets/{key}", D, "ueeexxxxx").json(patch),
    row("DELETE", "/api/v1/datasets/{key}", D, "ue-exxxxx").last(),
    row("POST", "/api/v1/datasets/{key}/resources", D, "ueeexxxxx").json(link),
    row(
        "POST",
        "/api/v1/datasets/{key}/resources/upload",
        D,
        "ueeexxxxx",
    )
    .q("?file_name=m.csv")
    .bytes("text/csv", b"a\n1\n"),
    row(
        "GET",
        "/api/v1/datasets/{key}/resources/{file}",
        D,
        "sssssssss",
    ),
    row(
        "DELETE",
        "/api/v1/datasets/{key}/resources/{file}",
        D,
        "ue-exxxxx",
    )
    .last(),
    row(
        "GET",
        "/api/v1/datasets/{key}/resources/{file}/download",
        D,
        "sssssssss",
    ),
    // Documents: the exchanging organisations' members only.
    row("GET", "/api/v1/documents", N, "uooooooof"),
    row("POST", "/api/v1/documents", N, "ufvvfffff").json(document_body),
    row("GET", "/api/v1/documents/events", N, "uooooooof"),
    row("POST", "/api/v1/documents/receipts/verify", N, "vvvvvvvvv").json(receipt),
    row("GET", "/api/v1/documents/{id}", Doc, "usssssssf"),
    row("PUT", "/api/v1/documents/{id}", Doc, "ueeexxxxf").json(document_body),
    row("POST", "/api/v1/documents/{id}/files", Doc, "ueeexxxxf")
        .q("?file_name=m.txt")
        .bytes("application/octet-stream", b"m"),
    row(
        "GET",
        "/api/v1/documents/{id}/files/{file}",
        Doc,
        "usssssssf",
    ),
    row("GET", "/api/v1/documents/{id}/history", Doc, "usssssssf"),
    row(
        "GET",
        "/api/v1/documents/{id}/receipts/{seq}",
        Doc,
        "uwwwwwwwf",
    ),
    row("POST", "/api/v1/documents/{id}/steps", Doc, "uxxxxxxxf").json(step),
    row(
        "POST",
        "/api/v1/documents/{id}/steps/prepare",
        Doc,
        "uxxxxxxxf",
    )
    .json(step),
    row("GET", "/api/v1/signing-keys", N, "ooooooooo"),
    // IMEI: partners by scope; citizens' public check.
    row("POST", "/api/v1/imei/checks", N, "uffffffof").bytes("text/plain", b"356938035643809\n"),
    row("GET", "/api/v1/imei/devices/{imei}", N, "uoooffoof"),
    row(
        "POST",
        "/api/v1/imei/devices/{imei}/greylist",
        N,
        "ufvvffrff",
    )
    .json(greylist),
    row(
        "POST",
        "/api/v1/imei/devices/{imei}/recovery",
        N,
        "ufvvffrff",
    )
    .json(empty),
    row(
        "POST",
        "/api/v1/imei/devices/{imei}/reports",
        N,
        "ufvvffrff",
    )
    .json(report),
    row("GET", "/api/v1/imei/devices/{imei}/status", N, "uffffffof"),
    row("POST", "/api/v1/imei/observations", N, "ufffffrff")
        .bytes("text/csv", b"imei,imsi,seen_at\n"),
    row("GET", "/api/v1/imei/public/{imei}", N, "ooooooooo"),
    row("POST", "/api/v1/imei/registrations", N, "ufvvffrff").json(registration),
    // IMEI cases: staff of agencies, police forces and embassies only (the matrix's
    // universities, administrators and partners are refused; an unknown case is not found).
    row("GET", "/api/v1/imei/cases", N, "uooofffff"),
    row("GET", "/api/v1/imei/cases/statistics", N, "uooofffff"),
    row("GET", "/api/v1/imei/cases/statistics.csv", N, "uooofffff"),
    row("POST", "/api/v1/imei/cases", N, "ufvvfffff").json(new_case),
    row("GET", "/api/v1/imei/cases/{case}", N, "unnnfffff"),
    row("GET", "/api/v1/imei/cases/{case}/events", N, "unnnfffff"),
    row("POST", "/api/v1/imei/cases/{case}/found", N, "unnnfffff").json(case_found),
    row(
        "POST",
        "/api/v1/imei/cases/{case}/handed-over",
        N,
        "unnnfffff",
    )
    .json(empty),
    row("POST", "/api/v1/imei/cases/{case}/close", N, "unnnfffff").json(empty),
    row("POST", "/api/v1/imei/cases/{case}/withdraw", N, "unnnfffff").json(empty),
    row("POST", "/api/v1/imei/cases/{case}/links", N, "unnnfffff").json(case_link),
    // The IT hub: programmes are public once published; everything about one that does
    // not exist (or is a draft of others) is not found; applications are for people.
    row("GET", "/api/v1/hub/programmes", N, "ooooooooo"),
    row("POST", "/api/v1/hub/programmes", N, "ufvvfffff").json(new_programme),
    row("GET", "/api/v1/hub/programmes/{programme}", N, "nnnnnnnnn"),
    row("PUT", "/api/v1/hub/programmes/{programme}", N, "unnnnnnnn").json(new_programme),
    row(
        "POST",
        "/api/v1/hub/programmes/{programme}/publish",
        N,
        "unnnnnnnn",
    ),
    row(
        "POST",
        "/api/v1/hub/programmes/{programme}/organisers",
        N,
        "unnnnnnnn",
    )
    .json(hub_organiser),
    row(
        "POST",
        "/api/v1/hub/programmes/{programme}/organisers/{organisation}/confirm",
        N,
        "unnnnnnnn",
    ),
    row(
        "GET",
        "/api/v1/hub/programmes/{programme}/reviewers",
        N,
        "unnnnnnnn",
    ),
    row(
        "POST",
        "/api/v1/hub/programmes/{programme}/reviewers",
        N,
        "unnnnnnnn",
    )
    .json(hub_reviewer),
    row(
        "DELETE",
        "/api/v1/hub/programmes/{programme}/reviewers/{user}",
        N,
        "unnnnnnnn",
    ),
    row(
        "POST",
        "/api/v1/hub/programmes/{programme}/conflicts",
        N,
        "unnnnnnnn",
    )
    .json(hub_conflict),
    row(
        "POST",
        "/api/v1/hub/programmes/{programme}/results",
        N,
        "unnnnnnnn",
    ),
    row(
        "GET",
        "/api/v1/hub/programmes/{programme}/applications",
        N,
        "unnnnnnff",
    ),
    row(
        "POST",
        "/api/v1/hub/programmes/{programme}/applications",
        N,
        "unnnnnnnn",
    )
    .json(new_application),
    row("GET", "/api/v1/hub/programmes.ics", N, "ooooooooo"),
    row(
        "POST",
        "/api/v1/hub/programmes/{programme}/registration",
        N,
        "unnnnnnff",
    ),
    row(
        "GET",
        "/api/v1/hub/programmes/{programme}/registration",
        N,
        "unnnnnnff",
    ),
    row(
        "DELETE",
        "/api/v1/hub/programmes/{programme}/registration",
        N,
        "unnnnnnff",
    ),
    row(
        "GET",
        "/api/v1/hub/programmes/{programme}/teams",
        N,
        "nnnnnnnnn",
    ),
    row(
        "POST",
        "/api/v1/hub/programmes/{programme}/teams",
        N,
        "unnnnnnff",
    )
    .json(hub_team),
    row(
        "GET",
        "/api/v1/hub/programmes/{programme}/participants",
        N,
        "unnnnnnnn",
    ),
    row(
        "GET",
        "/api/v1/hub/programmes/{programme}/accepted",
        N,
        "nnnnnnnnn",
    ),
    row("GET", "/api/v1/hub/applications", N, "uooooooff"),
    row(
        "GET",
        "/api/v1/hub/applications/{application}/commitments",
        N,
        "unnnnnnff",
    ),
    row(
        "POST",
        "/api/v1/hub/applications/{application}/commitments",
        N,
        "unnnnnnff",
    )
    .json(hub_commitment),
    row(
        "GET",
        "/api/v1/hub/applications/{application}",
        N,
        "unnnnnnff",
    ),
    row(
        "PUT",
        "/api/v1/hub/applications/{application}",
        N,
        "unnnnnnff",
    )
    .json(new_application),
    row(
        "POST",
        "/api/v1/hub/applications/{application}/submit",
        N,
        "unnnnnnff",
    ),
    row(
        "POST",
        "/api/v1/hub/applications/{application}/withdraw",
        N,
        "unnnnnnff",
    ),
    row(
        "PUT",
        "/api/v1/hub/applications/{application}/review",
        N,
        "unnnnnnff",
    )
    .json(review),
    row(
        "POST",
        "/api/v1/hub/applications/{application}/decision",
        N,
        "unnnnnnff",
    )
    .json(hub_decision),
    row(
        "PUT",
        "/api/v1/hub/applications/{application}/files/{question}",
        N,
        "unnnnnnff",
    )
    .q("?file_name=deck.pdf")
    .bytes("application/pdf", b"%PDF-1.4\n%%EOF\n"),
    row(
        "GET",
        "/api/v1/hub/applications/{application}/files/{question}",
        N,
        "unnnnnnff",
    ),
    row(
        "DELETE",
        "/api/v1/hub/applications/{application}/files/{question}",
        N,
        "unnnnnnff",
    ),
    // Marketplace.
    row("GET", "/api/v1/marketplace/categories", N, "ooooooooo"),
    row("GET", "/api/v1/marketplace/listings", N, "ooooooooo"),
    row("POST", "/api/v1/marketplace/listings", N, "ufvvfffff").json(new_listing),
    row("GET", "/api/v1/marketplace/listings/{id}", L, "sssssssss"),
    row("PUT", "/api/v1/marketplace/listings/{id}", L, "ueeexxxxx").json(listing_body),
    row(
        "POST",
        "/api/v1/marketplace/listings/{id}/archive",
        L,
        "ux--xxxxx",
    )
    .last(),
    row(
        "POST",
        "/api/v1/marketplace/listings/{id}/decision",
        L,
        "ufffffvff",
    )
    .json(decision),
    row(
        "POST",
        "/api/v1/marketplace/listings/{id}/enquiries",
        L,
        "uvvvvvvff",
    )
    .json(enquiry),
    row(
        "GET",
        "/api/v1/marketplace/listings/{id}/history",
        L,
        "ummmxxwxx",
    ),
    row(
        "POST",
        "/api/v1/marketplace/listings/{id}/media",
        L,
        "ueeexxxxx",
    )
    .q("?file_name=m.png")
    .bytes("image/png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDRmatrix"),
    row(
        "GET",
        "/api/v1/marketplace/listings/{id}/media/{file}",
        L,
        "sssssssss",
    ),
    row(
        "DELETE",
        "/api/v1/marketplace/listings/{id}/media/{file}",
        L,
        "ue-exxxxx",
    )
    .last(),
    row(
        "POST",
        "/api/v1/marketplace/listings/{id}/submit",
        L,
        "ux--xxxxx",
    )
    .last(),
    row("GET", "/api/v1/marketplace/review-queue", N, "ufffffoff"),
    // Organisations and members.
    row("GET", "/api/v1/organisations", N, "ooooooooo"),
    row("POST", "/api/v1/organisations", N, "ufffffvff").json(organisation_body),
    row("GET", "/api/v1/organisations/{slug}", N, "ooooooooo"),
    row("PATCH", "/api/v1/organisations/{slug}", N, "uffvffvff").json(org_patch),
    row(
        "GET",
        "/api/v1/organisations/{slug}/enquiries",
        N,
        "uooofffff",
    ),
    row(
        "GET",
        "/api/v1/organisations/{slug}/listings",
        N,
        "uooofffff",
    ),
    row(
        "GET",
        "/api/v1/organisations/{slug}/members",
        N,
        "uoooffoff",
    ),
    row(
        "PUT",
        "/api/v1/organisations/{slug}/members/{user}",
        N,
        "uffvfffff",
    )
    .json(role),
    row(
        "DELETE",
        "/api/v1/organisations/{slug}/members/{user}",
        N,
        "uff-fffff",
    )
    .last(),
    // Invitations: the organisation's admins invite and list (a platform administrator only
    // an organisation's first admin, and stat-uz has one); anyone signed in may try a token;
    // an invitation one may not manage is not found.
    row(
        "GET",
        "/api/v1/organisations/{slug}/invitations",
        N,
        "uffofffff",
    ),
    row(
        "POST",
        "/api/v1/organisations/{slug}/invitations",
        N,
        "uffvfffff",
    )
    .json(role),
    row("POST", "/api/v1/invitations/accept", N, "uvvvvvvff").json(invitation_token),
    row("DELETE", "/api/v1/invitations/{invitation}", N, "unnnnnnnn"),
    row(
        "GET",
        "/api/v1/organisations/{slug}/signing-keys",
        N,
        "ooooooooo",
    ),
    row(
        "POST",
        "/api/v1/organisations/{slug}/signing-keys",
        N,
        "uffvfffff",
    )
    .json(key_statement),
    row(
        "POST",
        "/api/v1/organisations/{slug}/signing-keys/rotate",
        N,
        "uff-fffff",
    )
    .last(),
    row(
        "GET",
        "/api/v1/organisations/{slug}/webhook",
        N,
        "uffvfffff",
    ),
    row(
        "PUT",
        "/api/v1/organisations/{slug}/webhook",
        N,
        "uffvfffff",
    )
    .json(webhook),
    row(
        "GET",
        "/api/v1/organisations/{slug}/webhook/deliveries",
        N,
        "uffofffff",
    ),
    row(
        "POST",
        "/api/v1/organisations/{slug}/webhook/events/{event}/redeliver",
        N,
        "uffvfffff",
    ),
    row(
        "DELETE",
        "/api/v1/organisations/{slug}/webhook",
        N,
        "uff-fffff",
    )
    .last(),
    // Partners and moderators: platform administrators.
    row("GET", "/api/v1/partners", N, "ufffffoff"),
    row("POST", "/api/v1/partners", N, "ufffffvff").json(partner),
    row("POST", "/api/v1/partners/{partner}/revoke", N, "ufffff-ff").last(),
    row("POST", "/api/v1/partners/{partner}/secret", N, "ufffff-ff").last(),
    row("PUT", "/api/v1/users/{user}/moderator", N, "ufffffvff").json(moderator),
    // Research.
    row("GET", "/api/v1/research/citations", P, "sssssssss").q("?ids={id}&format=bibtex"),
    row("GET", "/api/v1/research/publications", N, "ooooooooo"),
    row("POST", "/api/v1/research/publications", N, "ufvvfffff").json(new_publication),
    row("GET", "/api/v1/research/publications/{id}", P, "sssssssss"),
    row("PUT", "/api/v1/research/publications/{id}", P, "ueeexxxxx").json(publication_body),
    row(
        "DELETE",
        "/api/v1/research/publications/{id}",
        P,
        "ue-exxxxx",
    )
    .last(),
    row(
        "GET",
        "/api/v1/research/publications/{id}/citation",
        P,
        "sssssssss",
    )
    .q("?format=ris"),
    row(
        "POST",
        "/api/v1/research/publications/{id}/files",
        P,
        "ueeexxxxx",
    )
    .q("?file_name=m.txt")
    .bytes("text/plain", b"m"),
    row(
        "GET",
        "/api/v1/research/publications/{id}/files/{file}",
        P,
        "sssssssss",
    ),
    row(
        "DELETE",
        "/api/v1/research/publications/{id}/files/{file}",
        P,
        "ue-exxxxx",
    )
    .last(),
    row(
        "GET",
        "/api/v1/research/publications/{id}/versions",
        P,
        "sssssssss",
    ),
    // Search.
    row("GET", "/api/v1/search", N, "ooooooooo").q("?q=matrix"),
    // The audit trail's checkpoints: platform administrators and `audit:read` partners.
    row("GET", "/api/v1/audit/checkpoints/latest", N, "ufffffoof"),
    // Sign-in flows: no credentials to refuse; what they say must not depend on the caller.
    row("POST", "/auth/logout", N, "uoooooouu")
        .json(refresh)
        .signs_out(),
    row("POST", "/auth/refresh", N, "uuuuuuuuu").json(refresh),
    row("GET", "/auth/{country}/callback", N, "vvvvvvvvv"),
    row("GET", "/auth/{country}/login", N, "vvvvvvvvv"),
    row("POST", "/oauth/token", N, "uuuuuuuuu")
        .form("grant_type=client_credentials&client_id=x&client_secret=y"),
];

/// Paths outside the OpenAPI document: the harvesters' endpoints, and names for ids.
pub const EXTRA_ROWS: &[Row] = &[
    row("GET", "/api/v1/datasets/{name}", D, "sssssssss"),
    row("GET", "/oai", N, "ooooooooo").q("?verb=ListRecords&metadataPrefix=oai_dc"),
    row("GET", "/oai", N, "ooooooooo").q("?verb=ListIdentifiers&metadataPrefix=oai_dc"),
    row("GET", "/oai", N, "ooooooooo").q("?verb=ListSets"),
    row("GET", "/oai", P, "ooooooooo")
        .q("?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:silkbridge.local:{id}"),
    row("GET", "/api/3/action/package_search", N, "ooooooooo")
        .q("?q=matrix&facet.field=[\"tags\",\"organization\",\"res_format\"]&include_private=true"),
    row("GET", "/api/3/action/package_search", N, "ooooooooo")
        .q("?fq=tags:canaryprivatedata&include_private=true"),
    row("GET", "/api/3/action/package_list", N, "ooooooooo"),
    row("GET", "/api/3/action/package_show", D, "sssssssss").q("?id={key}"),
    row("GET", "/api/3/action/resource_show", D, "sssssssss").q("?id={file}"),
    row("GET", "/api/3/action/organization_show", N, "ooooooooo")
        .q("?id=stat-uz&include_datasets=true"),
    row("GET", "/api/3/action/tag_list", N, "ooooooooo"),
    row("GET", "/catalog.ttl", N, "ooooooooo"),
    row("GET", "/dataset/{name}.ttl", D, "sssssssss"),
    row("GET", "/api/v1/search", N, "ooooooooo").q("?q=CANARYORGPUB"),
    row("GET", "/api/v1/search", N, "ooooooooo").q("?q=matrix&kind=dataset&tag=canaryprivatedata"),
];
