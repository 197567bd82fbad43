//! Research's demo publications: written for the demo in Uzbek (both scripts), Azerbaijani
//! and Russian, and real ACL Anthology papers (CC BY 4.0) deposited with a Tashkent and a Baku
//! university for demonstration.

use serde::Deserialize;
use silkbridge_schema::DbConnection;

use super::input::{Author, PublicationInput};
use super::rules;
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::identity::demo::DemoOrganisation;

const PUBLICATIONS: &str = include_str!("../../demo/publications.json");
const ACL_PUBLICATIONS: &str = include_str!("../../demo/publications-acl.json");

/// Publications written for the demo in Uzbek (both scripts), Azerbaijani and Russian.
#[derive(Deserialize)]
struct DemoResearch {
    organisations: Vec<DemoOrganisation>,
    publications: Vec<DemoPublication>,
}

#[derive(Deserialize)]
struct DemoPublication {
    organisation: String,
    #[serde(flatten)]
    content: PublicationInput,
}

/// A record of the ACL Anthology corpus (real papers, CC BY 4.0).
#[derive(Deserialize)]
struct AclRecord {
    title: String,
    #[serde(rename = "abstract")]
    abstract_text: String,
    authors: Vec<String>,
    year: i32,
    venue: Option<String>,
    doi: Option<String>,
    publication_type: String,
    license: String,
}

/// The demo: the organisations it brings and its publications.
pub(crate) struct Demo {
    pub organisations: Vec<DemoOrganisation>,
    written: Vec<DemoPublication>,
    acl: Vec<AclRecord>,
}

pub(crate) fn demo() -> ApiResult<Demo> {
    let research: DemoResearch = serde_json::from_str(PUBLICATIONS).map_err(ApiError::internal)?;
    let acl: Vec<AclRecord> = serde_json::from_str(ACL_PUBLICATIONS).map_err(ApiError::internal)?;
    Ok(Demo {
        organisations: research.organisations,
        written: research.publications,
        acl,
    })
}

/// The written publications, then the ACL Anthology papers deposited alternately with a
/// Tashkent and a Baku university (demonstration only: neither wrote them). A few are
/// organisation-only or embargoed, to show access control.
pub(crate) fn seed(conn: &mut DbConnection, caller: &Caller, demo: Demo) -> ApiResult<usize> {
    let Demo { written, acl, .. } = demo;
    let mut count = 0;
    for publication in written {
        rules::create(conn, caller, &publication.organisation, publication.content)?;
        count += 1;
    }
    for (i, paper) in acl.into_iter().enumerate() {
        let (access_level, embargo_until) = match i % 40 {
            7 => ("organisation", None),
            19 => ("embargoed", chrono::NaiveDate::from_ymd_opt(2031, 1, 1)),
            _ => ("open", None),
        };
        let organisation = if i % 2 == 0 {
            "tuit"
        } else {
            "khazar-university"
        };
        let input = PublicationInput {
            publication_type: paper.publication_type,
            language: "en".into(),
            title: paper.title,
            abstract_text: paper.abstract_text,
            translations: Vec::new(),
            authors: paper
                .authors
                .into_iter()
                .map(|name| Author {
                    name,
                    orcid: None,
                    affiliation: None,
                    organisation: None,
                })
                .collect(),
            keywords: Vec::new(),
            subjects: vec!["6.2 Languages and literature".into()],
            issued: paper.year.to_string(),
            venue: paper.venue,
            doi: paper.doi,
            licence: paper.license,
            access_level: access_level.into(),
            embargo_until,
        };
        rules::create(conn, caller, organisation, input)?;
        count += 1;
    }
    Ok(count)
}
