//! The hub's demo: one programme of each kind, run by IT Park Uzbekistan and Azerbaijan's
//! Innovation and Digital Development Agency — an accelerator and a co-investment call taking
//! applications, a hackathon with places, and a demo day whose accepted startups are public.
//! Dates are relative to the moment of seeding, so a fresh demo is always in season.

use std::collections::BTreeMap;

use chrono::Duration;
use serde::Deserialize;
use silkbridge_schema::{DbConnection, ids};

use super::input::{
    Answer, ApplicationInput, Criterion, DecisionInput, Fund, OrganiserInput, ProgrammeInput,
    ProgrammeText, Question,
};
use super::{applications, programmes, reviews};
use crate::error::{ApiError, ApiResult};
use crate::identity::caller::Caller;
use crate::identity::demo::DemoOrganisation;

pub(crate) const DEMO: &str = include_str!("../../demo/hub.json");

#[derive(Deserialize)]
pub(crate) struct Demo {
    pub organisations: Vec<DemoOrganisation>,
    programmes: Vec<DemoProgramme>,
}

#[derive(Deserialize)]
struct DemoProgramme {
    slug: String,
    kind: String,
    organisers: Vec<String>,
    title: String,
    description: String,
    #[serde(default)]
    translations: BTreeMap<String, (String, String)>,
    opens_in_days: i64,
    closes_in_days: i64,
    starts_in_days: i64,
    lasts_days: i64,
    location: String,
    countries: Vec<String>,
    #[serde(default)]
    stages: Vec<String>,
    #[serde(default)]
    sectors: Vec<String>,
    #[serde(default)]
    questions: Vec<Question>,
    criteria: Vec<Criterion>,
    capacity: Option<i32>,
    #[serde(default)]
    funds: Vec<Fund>,
    #[serde(default)]
    applications: Vec<DemoApplication>,
}

#[derive(Deserialize)]
struct DemoApplication {
    startup: String,
    stage: String,
    sector: String,
    decision: String,
}

pub(crate) fn demo() -> ApiResult<Demo> {
    serde_json::from_str(DEMO).map_err(ApiError::internal)
}

impl DemoProgramme {
    fn input(&self, opens: i64, closes: i64, starts: i64) -> ProgrammeInput {
        let day = |n: i64| ids::now() + Duration::days(n);
        ProgrammeInput {
            kind: self.kind.clone(),
            organisation: self.organisers.first().cloned(),
            slug: Some(self.slug.clone()),
            title: self.title.clone(),
            description: self.description.clone(),
            translations: self
                .translations
                .iter()
                .map(|(lang, (title, description))| ProgrammeText {
                    lang: lang.clone(),
                    title: title.clone(),
                    description: description.clone(),
                })
                .collect(),
            applications_open_at: day(opens),
            applications_close_at: day(closes),
            starts_at: day(starts),
            ends_at: day(starts + self.lasts_days),
            location: self.location.clone(),
            countries: self.countries.clone(),
            stages: self.stages.clone(),
            sectors: self.sectors.clone(),
            questions: self.questions.clone(),
            criteria: self.criteria.clone(),
            capacity: self.capacity,
            funds: self.funds.clone(),
        }
    }
}

/// Creates the demo programmes as their organisers' editors would (and, for the demo day,
/// the startups' applications and the published decisions); returns how many programmes.
pub(crate) fn seed(conn: &mut DbConnection, seeder: &Caller, demo: Demo) -> ApiResult<usize> {
    let user = seeder.user_id().unwrap_or("demo").to_owned();
    // The organisers act as their own editors, and each startup as its own: a caller who
    // belonged to both would see the applications as an applicant, not an organiser.
    let editor_of = |conn: &mut DbConnection, slugs: &[String]| -> ApiResult<Caller> {
        let mut ids = Vec::new();
        for slug in slugs {
            ids.push(crate::identity::rules::organisation_by_slug(conn, slug)?.id);
        }
        Ok(Caller::seeding_editor(&user, ids, false))
    };
    let mut count = 0;
    for programme in demo.programmes {
        let caller = &editor_of(conn, &programme.organisers)?;
        let decided = !programme.applications.is_empty();
        // A programme with decisions takes its applications while open, then moves to its
        // real (past) dates.
        let input = if decided {
            programme.input(-1, 1, 2)
        } else {
            programme.input(
                programme.opens_in_days,
                programme.closes_in_days,
                programme.starts_in_days,
            )
        };
        let created = programmes::create(conn, caller, input)?;
        for organiser in programme.organisers.iter().skip(1) {
            programmes::add_organiser(
                conn,
                caller,
                &created.id,
                OrganiserInput {
                    organisation: organiser.clone(),
                },
            )?;
            programmes::confirm_organiser(conn, caller, &created.id, organiser)?;
        }
        programmes::publish(conn, caller, &created.id)?;
        let mut applied = Vec::new();
        for application in &programme.applications {
            let startup = &editor_of(conn, std::slice::from_ref(&application.startup))?;
            let draft = applications::create(
                conn,
                startup,
                &created.id,
                ApplicationInput {
                    startup: Some(application.startup.clone()),
                    stage: application.stage.clone(),
                    sector: application.sector.clone(),
                    answers: Vec::<Answer>::new(),
                },
            )?;
            applications::submit(conn, startup, &draft.id)?;
            applied.push((draft.id, application.decision.clone()));
        }
        if decided {
            let mut past = programme.input(
                programme.opens_in_days,
                programme.closes_in_days,
                programme.starts_in_days,
            );
            past.slug = None;
            past.organisation = None;
            programmes::update(conn, caller, &created.id, past)?;
            for (id, decision) in applied {
                reviews::decide(conn, caller, &id, DecisionInput { decision })?;
            }
            reviews::publish_results(conn, caller, &created.id)?;
        }
        count += 1;
    }
    Ok(count)
}
