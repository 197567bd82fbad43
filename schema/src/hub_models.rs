//! Rows of the joint IT hub, in storage form (JSON columns as text; the backend parses them).

use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A programme: an acceleration programme, a hackathon, a demo day or a co-investment call.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::hub_tables::hub_programmes, treat_none_as_null = true)]
pub struct HubProgramme {
    pub id: String,
    pub slug: String,
    pub kind: String,
    pub state: String,
    pub title: String,
    pub description: String,
    pub translations_json: String,
    pub applications_open_at: NaiveDateTime,
    pub applications_close_at: NaiveDateTime,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub location: String,
    pub countries_json: String,
    pub stages_json: String,
    pub sectors_json: String,
    pub questions_json: String,
    pub criteria_json: String,
    pub capacity: Option<i32>,
    pub funds_json: String,
    pub results_published_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    /// Raised by every change, so two concurrent changes cannot both apply.
    pub version: i32,
}

/// An organisation that runs (or has been asked to run) a programme.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::hub_tables::hub_programme_organisers)]
pub struct HubOrganiser {
    pub programme_id: String,
    pub organisation_id: String,
    pub added_by: String,
    pub added_at: NaiveDateTime,
    /// `None` until one of the organisation's editors confirms.
    pub confirmed_at: Option<NaiveDateTime>,
}

/// A startup's application to a programme.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::hub_tables::hub_applications, treat_none_as_null = true)]
pub struct HubApplication {
    pub id: String,
    pub programme_id: String,
    pub startup_id: String,
    pub state: String,
    pub stage: String,
    pub sector: String,
    pub answers_json: String,
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    pub version: i32,
}

/// A file answering one `file` question of an application's form.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::hub_tables::hub_application_files)]
pub struct HubApplicationFile {
    pub application_id: String,
    pub question_id: String,
    pub object_key: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
}

/// A person on a programme's review panel.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::hub_tables::hub_reviewers)]
pub struct HubReviewer {
    pub programme_id: String,
    pub user_id: String,
    pub appointed_by: String,
    pub appointed_at: NaiveDateTime,
}

/// A conflict of interest a reviewer declared.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::hub_tables::hub_conflicts)]
pub struct HubConflict {
    pub programme_id: String,
    pub user_id: String,
    pub startup_id: String,
    pub reason: String,
    pub declared_at: NaiveDateTime,
}

/// One reviewer's scores of one application.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::hub_tables::hub_reviews)]
pub struct HubReview {
    pub application_id: String,
    pub reviewer_id: String,
    pub scores_json: String,
    pub comment: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A hackathon team.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::hub_tables::hub_teams)]
pub struct HubTeam {
    pub id: String,
    pub programme_id: String,
    pub name: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

/// A person's place at a hackathon or demo day.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::hub_tables::hub_registrations, treat_none_as_null = true)]
pub struct HubRegistration {
    pub programme_id: String,
    pub user_id: String,
    pub state: String,
    pub team_id: Option<String>,
    pub registered_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What an investor commits to an accepted startup of a co-investment call.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::hub_tables::hub_commitments)]
pub struct HubCommitment {
    pub application_id: String,
    pub investor_id: String,
    pub amount: i64,
    pub currency: String,
    pub committed_by: String,
    pub committed_at: NaiveDateTime,
}
