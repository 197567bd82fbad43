//! The GraphQL rows: one per root field of `schema/schema.graphql` (queries and mutations;
//! the test fails when a field has no row). The same letters as the REST table; an answer's
//! status is its first error's code (`unauthenticated` 401, `forbidden` and
//! `insufficient_scope` 403, `not_found` 404, input errors 400/422), a null object without an
//! error counts as 404, and an answer without errors as 200.

use serde_json::{Value, json};

use super::rest_table::Target;
use super::world::{Variant, World};

#[derive(Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    /// The document; `{id}`, `{key}`, `{file}` are filled from the row's object.
    pub query: &'static str,
    pub variables: fn(&World, Variant) -> Value,
    pub target: Target,
    pub expect: &'static str,
    pub mutation: bool,
    pub destructive: bool,
}

fn none(_: &World, _: Variant) -> Value {
    json!({})
}

const fn q(name: &'static str, query: &'static str, target: Target, expect: &'static str) -> Field {
    Field {
        name,
        query,
        variables: none,
        target,
        expect,
        mutation: false,
        destructive: false,
    }
}

const fn m(name: &'static str, query: &'static str, target: Target, expect: &'static str) -> Field {
    Field {
        name,
        query,
        variables: none,
        target,
        expect,
        mutation: true,
        destructive: false,
    }
}

impl Field {
    const fn vars(mut self, variables: fn(&World, Variant) -> Value) -> Self {
        self.variables = variables;
        self
    }
    const fn last(mut self) -> Self {
        self.destructive = true;
        self
    }
}

use Target::{Dataset as D, Document as Doc, Listing as L, None as N, Publication as P};

fn template(seed: u64) -> Value {
    super::super::biometrics::float_template(5, seed)
}
fn publication_input(w: &World, v: Variant) -> Value {
    let mut body = super::rest_table::publication_body(w, v);
    body.as_object_mut().unwrap().remove("organisation");
    json!({"input": camel(body)})
}
fn dataset_input(w: &World, v: Variant) -> Value {
    json!({"input": camel(super::rest_table::dataset_body(w, v))})
}
fn new_dataset_input(w: &World, v: Variant) -> Value {
    json!({"input": camel(super::rest_table::new_dataset_body(w, v))})
}
fn listing_input(w: &World, v: Variant) -> Value {
    json!({"input": camel(super::rest_table::listing_body(w, v))})
}
fn document_input(w: &World, v: Variant) -> Value {
    json!({"input": camel(super::rest_table::document_body(w, v))})
}
fn organisation_input(w: &World, v: Variant) -> Value {
    let mut input = super::rest_table::organisation_body(w, v);
    input["kind"] = json!("AGENCY");
    input["country"] = json!("UZ");
    json!({"input": input})
}
fn programme_input(w: &World, v: Variant) -> Value {
    let mut input = super::rest_table::new_programme(w, v);
    for field in [
        "applicationsOpenAt",
        "applicationsCloseAt",
        "startsAt",
        "endsAt",
    ] {
        // GraphQL's NaiveDateTime is the same text.
        input[field] = json!(input[field].as_str().unwrap_or_default());
    }
    json!({"input": input})
}
fn consent_input(_: &World, _: Variant) -> Value {
    json!({"input": {"subjectId": "matrix-0003", "purpose": "matrix"}})
}
fn enrol_input(_: &World, _: Variant) -> Value {
    json!({"input": {"subjectId": "matrix-0001", "template": template(0)}})
}
fn verify_input(w: &World, _: Variant) -> Value {
    json!({"input": {"subjectId": "matrix-0001", "probe": template(1), "ownerPartnerId": w.partner_all_id}})
}
fn identify_input(_: &World, _: Variant) -> Value {
    json!({"input": {"probe": template(1), "maxResults": 3}})
}
fn ids(w: &World, _: Variant) -> Value {
    json!({"owner": w.partner_all_id, "grantee": w.partner_none_id, "partner": w.partner_none_id,
           "user": w.member_id, "consent": w.consent_id, "imei": w.imei})
}

/// snake_case keys to camelCase, for inputs shared with the REST bodies.
pub fn camel(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let mut out = String::new();
                    let mut upper = false;
                    for c in k.chars() {
                        if c == '_' {
                            upper = true;
                        } else if upper {
                            out.extend(c.to_uppercase());
                            upper = false;
                        } else {
                            out.push(c);
                        }
                    }
                    (out, camel(v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel).collect()),
        other => other,
    }
}

pub const FIELDS: &[Field] = &[
    q("apiVersion", "{ apiVersion }", N, "ooooooooo"),
    q("organisations", "{ organisations(first: 50) { items { slug } } }", N, "ooooooooo"),
    q("organisation", "{ organisation(slug: \"stat-uz\") { slug } }", N, "ooooooooo"),
    q("me", "{ me { __typename } }", N, "uoooooooo"),
    q("members", "{ members(slug: \"stat-uz\") { __typename } }", N, "uoooffoff"),
    q("partners", "{ partners { id } }", N, "ufffffoff"),
    q("listingCategories", "{ listingCategories { __typename } }", N, "ooooooooo"),
    q("listings", "{ listings(first: 100) { items { id title } } }", N, "ooooooooo"),
    q("listing", "{ listing(id: \"{id}\") { id title } }", L, "sssssssss"),
    q("organisationListings", "{ organisationListings(slug: \"stat-uz\") { items { id title } } }", N, "uooofffff"),
    q("reviewQueue", "{ reviewQueue { id title } }", N, "ufffffoff"),
    q("listingHistory", "{ listingHistory(id: \"{id}\") { __typename } }", L, "ammmxxwxx"),
    q("enquiries", "{ enquiries(slug: \"stat-uz\") { __typename } }", N, "uooofffff"),
    q("publications", "{ publications(first: 100) { items { id title } } }", N, "ooooooooo"),
    q("publication", "{ publication(id: \"{id}\") { id title } }", P, "sssssssss"),
    q("publicationVersions", "{ publicationVersions(id: \"{id}\") { version content { title abstract } } }", P, "sssssssss"),
    q("citations", "{ citations(ids: [\"{id}\"], format: \"bibtex\") }", P, "sssssssss"),
    q("datasets", "{ datasets(first: 100) { items { id name title } } }", N, "ooooooooo"),
    q("dataset", "{ dataset(key: \"{key}\") { id title resources { id } } }", D, "sssssssss"),
    q("documents", "{ documents { items { id subject } } }", N, "uooooooof"),
    q("document", "{ document(id: \"{id}\") { id subject } }", Doc, "usssssssf"),
    q("documentHistory", "{ documentHistory(id: \"{id}\") { __typename } }", Doc, "usssssssf"),
    q("documentEvents", "{ documentEvents { documentId payload } }", N, "uooooooof"),
    q("documentWebhook", "{ documentWebhook(organisation: \"stat-uz\") { url } }", N, "uffvfffff"),
    q("webhookDeliveries", "{ webhookDeliveries(organisation: \"stat-uz\") { eventId outcome } }", N, "uffofffff"),
    q("signingKeys", "{ signingKeys(organisation: \"stat-uz\") { __typename } }", N, "ooooooooo"),
    q("signingKeyList", "{ signingKeyList { format } }", N, "ooooooooo"),
    q("imeiStatus", "query($imei: String!) { imeiStatus(imei: $imei) { __typename } }", N, "uffffffof").vars(ids),
    q("imeiPublicStatus", "query($imei: String!) { imeiPublicStatus(imei: $imei) { __typename } }", N, "ooooooooo").vars(ids),
    q("hubProgrammes", "{ hubProgrammes { id } }", N, "ooooooooo"),
    q("hubProgramme", "{ hubProgramme(key: \"no-such\") { id } }", N, "nnnnnnnnn"),
    q("hubReviewers", "{ hubReviewers(programme: \"no-such\") { userId } }", N, "nnnnnnnnn"),
    q("hubProgrammeApplications", "{ hubProgrammeApplications(programme: \"no-such\") { id } }", N, "unnnnnnff"),
    q("myHubApplications", "{ myHubApplications { id } }", N, "uooooooff"),
    q("hubApplication", "{ hubApplication(id: \"no-such\") { id } }", N, "unnnnnnff"),
    q("hubRegistration", "{ hubRegistration(programme: \"no-such\") { state } }", N, "unnnnnnff"),
    q("hubTeams", "{ hubTeams(programme: \"no-such\") { id } }", N, "nnnnnnnnn"),
    q("hubParticipants", "{ hubParticipants(programme: \"no-such\") { userId } }", N, "nnnnnnnnn"),
    q("hubAccepted", "{ hubAccepted(programme: \"no-such\") { id } }", N, "nnnnnnnnn"),
    q("hubCommitments", "{ hubCommitments(application: \"no-such\") { amount } }", N, "unnnnnnff"),
    q("imeiCases", "{ imeiCases { id } }", N, "uooofffff"),
    q("imeiCaseStatistics", "{ imeiCaseStatistics { from } }", N, "uooofffff"),
    q("imeiCase", "{ imeiCase(id: \"no-such-case\") { id } }", N, "unnnfffff"),
    q("imeiCaseEvents", "{ imeiCaseEvents(id: \"no-such-case\") { id } }", N, "unnnfffff"),
    q("imeiRecord", "query($imei: String!) { imeiRecord(imei: $imei) { __typename } }", N, "uoooffoof").vars(ids),
    q("biometricSharingAgreements", "{ biometricSharingAgreements { __typename } }", N, "ufffffoff"),
    q("search", "{ search(params: {q: \"matrix\"}) { total items { id title } } }", N, "ooooooooo"),
    // Mutations.
    m("createOrganisation", "mutation($input: OrganisationInput!) { createOrganisation(input: $input) { slug } }", N, "ufffffvff").vars(organisation_input),
    m("updateOrganisation", "mutation { updateOrganisation(slug: \"stat-uz\", website: \"https://stat.uz\") { slug } }", N, "uffvffvff"),
    m("setMembership", "mutation($user: String!) { setMembership(slug: \"stat-uz\", userId: $user, role: MEMBER) }", N, "uffvfffff").vars(ids),
    m("removeMembership", "mutation($user: String!) { removeMembership(slug: \"stat-uz\", userId: $user) }", N, "uff-fffff").vars(ids).last(),
    m("setModerator", "mutation($user: String!) { setModerator(userId: $user, moderator: false) }", N, "ufffffvff").vars(ids),
    m("createPartner", "mutation { createPartner(input: {name: \"Matrix\", scopes: [\"imei:read\"]}) { clientSecret } }", N, "ufffffvff"),
    m("rotatePartnerSecret", "mutation($partner: String!) { rotatePartnerSecret(id: $partner) { clientSecret } }", N, "ufffff-ff").vars(ids).last(),
    m("revokePartner", "mutation($partner: String!) { revokePartner(id: $partner) { id } }", N, "ufffff-ff").vars(ids).last(),
    m("createListing", "mutation($input: ListingInput!) { createListing(organisation: \"stat-uz\", input: $input) { id } }", N, "ufvvfffff").vars(listing_input),
    m("updateListing", "mutation($input: ListingInput!) { updateListing(id: \"{id}\", input: $input) { id } }", L, "ueeexxxxx").vars(listing_input),
    m("submitListing", "mutation { submitListing(id: \"{id}\") { id } }", L, "ux--xxxxx").last(),
    m("decideListing", "mutation { decideListing(id: \"{id}\", input: {decision: \"reject\", reason: \"matrix\"}) { id } }", L, "ufffffvff"),
    m("archiveListing", "mutation { archiveListing(id: \"{id}\") { id } }", L, "ux--xxxxx").last(),
    m("sendEnquiry", "mutation { sendEnquiry(listingId: \"{id}\", input: {message: \"Available in Baku?\"}) { __typename } }", L, "uvvvvvvff"),
    m("createPublication", "mutation($input: PublicationInput!) { createPublication(organisation: \"stat-uz\", input: $input) { id } }", N, "ufvvfffff").vars(publication_input),
    m("updatePublication", "mutation($input: PublicationInput!) { updatePublication(id: \"{id}\", input: $input) { id } }", P, "ueeexxxxx").vars(publication_input),
    m("deletePublication", "mutation { deletePublication(id: \"{id}\") }", P, "ue-exxxxx").last(),
    m("createDataset", "mutation($input: DatasetInput!) { createDataset(input: $input) { id } }", N, "ufvvfffff").vars(new_dataset_input),
    m("updateDataset", "mutation($input: DatasetInput!) { updateDataset(key: \"{key}\", input: $input) { id } }", D, "ueeexxxxx").vars(dataset_input),
    m("deleteDataset", "mutation { deleteDataset(key: \"{key}\") }", D, "ue-exxxxx").last(),
    m("addDatasetLink", "mutation { addDatasetLink(key: \"{key}\", input: {url: \"https://stat.uz/m.csv\"}) { id } }", D, "ueeexxxxx"),
    m("createDocument", "mutation($input: DocumentInput!) { createDocument(input: $input) { id } }", N, "ufvvfffff").vars(document_input),
    m("updateDocument", "mutation($input: DocumentInput!) { updateDocument(id: \"{id}\", input: $input) { id } }", Doc, "ueeexxxxf").vars(document_input),
    m("documentStep", "mutation { documentStep(id: \"{id}\", step: DELIVER) { id } }", Doc, "uxxxxxxxf"),
    m("prepareDocumentStep", "mutation { prepareDocumentStep(id: \"{id}\", step: DELIVER) { kid } }", Doc, "uxxxxxxxf"),
    m("registerSigningKey", "mutation { registerSigningKey(organisation: \"stat-uz\", statement: \"not.a.statement\") { kid } }", N, "uffvfffff"),
    m("verifyReceipt", "mutation { verifyReceipt(receipt: \"{}\") { __typename } }", N, "vvvvvvvvv"),
    m("redeliverWebhookEvent", "mutation { redeliverWebhookEvent(organisation: \"stat-uz\", event: \"no-such\") }", N, "uffvfffff"),
    m("deleteDocumentWebhook", "mutation { deleteDocumentWebhook(organisation: \"stat-uz\") }", N, "uff-fffff").last(),
    m("rotateSigningKey", "mutation { rotateSigningKey(organisation: \"stat-uz\") { __typename } }", N, "uff-fffff").last(),
    m("setDocumentWebhook", "mutation { setDocumentWebhook(organisation: \"stat-uz\", url: \"https://hooks.example.org/m\") { url } }", N, "uffvfffff"),
    m("openImeiCase", "mutation { openImeiCase(input: {kind: fraud, reference: \"MATRIX-G\", imeis: [\"356938035643809\"]}) { id } }", N, "ufvvfffff"),
    m("createHubProgramme", "mutation($input: HubProgrammeInput!) { createHubProgramme(input: $input) { id } }", N, "ufvvfffff").vars(programme_input),
    m("updateHubProgramme", "mutation($input: HubProgrammeInput!) { updateHubProgramme(key: \"no-such\", input: $input) { id } }", N, "unnnnnnnn").vars(programme_input),
    m("publishHubProgramme", "mutation { publishHubProgramme(key: \"no-such\") { id } }", N, "unnnnnnnn"),
    m("addHubOrganiser", "mutation { addHubOrganiser(key: \"no-such\", input: {organisation: \"azstat\"}) { id } }", N, "unnnnnnnn"),
    m("confirmHubOrganiser", "mutation { confirmHubOrganiser(key: \"no-such\", organisation: \"stat-uz\") { id } }", N, "unnnnnnnn"),
    m("appointHubReviewer", "mutation { appointHubReviewer(key: \"no-such\", input: {userId: \"x\"}) { userId } }", N, "unnnnnnnn"),
    m("removeHubReviewer", "mutation { removeHubReviewer(key: \"no-such\", userId: \"x\") }", N, "unnnnnnnn"),
    m("declareHubConflict", "mutation { declareHubConflict(key: \"no-such\", input: {startup: \"registan-analytics\"}) }", N, "unnnnnnnn"),
    m("publishHubResults", "mutation { publishHubResults(key: \"no-such\") { id } }", N, "unnnnnnnn"),
    m("createHubApplication", "mutation { createHubApplication(programme: \"no-such\", input: {startup: \"registan-analytics\", stage: \"mvp\", sector: \"ai\"}) { id } }", N, "unnnnnnnn"),
    m("updateHubApplication", "mutation { updateHubApplication(id: \"no-such\", input: {stage: \"mvp\", sector: \"ai\"}) { id } }", N, "unnnnnnff"),
    m("submitHubApplication", "mutation { submitHubApplication(id: \"no-such\") { id } }", N, "unnnnnnff"),
    m("withdrawHubApplication", "mutation { withdrawHubApplication(id: \"no-such\") { id } }", N, "unnnnnnff"),
    m("reviewHubApplication", "mutation { reviewHubApplication(id: \"no-such\", input: {scores: [{criterion: \"impact\", score: 3}]}) { id } }", N, "unnnnnnff"),
    m("decideHubApplication", "mutation { decideHubApplication(id: \"no-such\", input: {decision: \"accepted\"}) { id } }", N, "unnnnnnff"),
    m("registerForHubEvent", "mutation { registerForHubEvent(programme: \"no-such\") { state } }", N, "unnnnnnff"),
    m("cancelHubRegistration", "mutation { cancelHubRegistration(programme: \"no-such\") { state } }", N, "unnnnnnff"),
    m("joinHubTeam", "mutation { joinHubTeam(programme: \"no-such\", name: \"x\") { state } }", N, "unnnnnnff"),
    m("recordHubCommitment", "mutation { recordHubCommitment(application: \"no-such\", input: {investor: \"stat-uz\", amount: 1000, currency: \"USD\"}) { amount } }", N, "unnnnnnff"),
    m("imeiCaseFound", "mutation { imeiCaseFound(id: \"no-such-case\", input: {heldAt: \"x\"}) { id } }", N, "unnnfffff"),
    m("imeiCaseHandedOver", "mutation { imeiCaseHandedOver(id: \"no-such-case\") { id } }", N, "unnnfffff"),
    m("closeImeiCase", "mutation { closeImeiCase(id: \"no-such-case\") { id } }", N, "unnnfffff"),
    m("withdrawImeiCase", "mutation { withdrawImeiCase(id: \"no-such-case\") { id } }", N, "unnnfffff"),
    m("linkImeiCases", "mutation { linkImeiCases(id: \"no-such-case\", input: {caseId: \"x\"}) { id } }", N, "unnnfffff"),
    m("reportImei", "mutation($imei: String!) { reportImei(imei: $imei, input: {reason: \"stolen\", caseReference: \"M-1\"}) { __typename } }", N, "ufvvffrff").vars(ids),
    m("greylistImei", "mutation($imei: String!) { greylistImei(imei: $imei, input: {reason: \"customs_unregistered\"}) { __typename } }", N, "ufvvffrff").vars(ids),
    m("recoverImei", "mutation($imei: String!) { recoverImei(imei: $imei) { __typename } }", N, "ufvvffrff").vars(ids),
    m("registerImeis", "mutation($imei: String!) { registerImeis(input: {imeis: [$imei]}) { __typename } }", N, "ufvvffrff").vars(ids),
    m("grantBiometricConsent", "mutation($input: BiometricConsentInput!) { grantBiometricConsent(input: $input) { id } }", N, "uffffffvf").vars(consent_input),
    m("enrolBiometricTemplate", "mutation($input: BiometricEnrolInput!) { enrolBiometricTemplate(input: $input) { templateId } }", N, "uffffffvf").vars(enrol_input),
    m("verifyBiometric", "mutation($input: BiometricVerifyInput!) { verifyBiometric(input: $input) { decision band } }", N, "uffffffvf").vars(verify_input),
    m("identifyBiometric", "mutation($input: BiometricIdentifyInput!) { identifyBiometric(input: $input) { candidates { band } } }", N, "uffffffvf").vars(identify_input),
    m("revokeBiometricConsent", "mutation($consent: String!) { revokeBiometricConsent(id: $consent) }", N, "uffffff-f").vars(ids).last(),
    m("addBiometricSharing", "mutation($owner: String!, $grantee: String!) { addBiometricSharing(ownerPartnerId: $owner, granteePartnerId: $grantee) }", N, "ufffffvff").vars(ids),
    m("endBiometricSharing", "mutation($owner: String!, $grantee: String!) { endBiometricSharing(ownerPartnerId: $owner, granteePartnerId: $grantee) }", N, "ufffffvff").vars(ids).last(),
    m("setBiometricThreshold", "mutation($partner: String!) { setBiometricThreshold(partnerId: $partner, format: \"float32\", threshold: 0.8) }", N, "ufffffvff").vars(ids),
    m("eraseBiometricSubject", "mutation { eraseBiometricSubject(subjectId: \"matrix-0001\") }", N, "uffffff-f").last(),
];
