//! The joint IT hub's tables: programmes, their organisers, startups' applications, the
//! review panel and its reviews.

use crate::tables::{organisations, users};

diesel::table! {
    hub_programmes (id) {
        id -> Text,
        slug -> Text,
        kind -> Text,
        state -> Text,
        title -> Text,
        description -> Text,
        translations_json -> Text,
        applications_open_at -> Timestamp,
        applications_close_at -> Timestamp,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        location -> Text,
        countries_json -> Text,
        stages_json -> Text,
        sectors_json -> Text,
        questions_json -> Text,
        criteria_json -> Text,
        capacity -> Nullable<Integer>,
        funds_json -> Text,
        results_published_at -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        version -> Integer,
    }
}

diesel::table! {
    hub_programme_organisers (programme_id, organisation_id) {
        programme_id -> Text,
        organisation_id -> Text,
        added_by -> Text,
        added_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    hub_applications (id) {
        id -> Text,
        programme_id -> Text,
        startup_id -> Text,
        state -> Text,
        stage -> Text,
        sector -> Text,
        answers_json -> Text,
        decision -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        version -> Integer,
    }
}

diesel::table! {
    hub_reviewers (programme_id, user_id) {
        programme_id -> Text,
        user_id -> Text,
        appointed_by -> Text,
        appointed_at -> Timestamp,
    }
}

diesel::table! {
    hub_conflicts (programme_id, user_id, startup_id) {
        programme_id -> Text,
        user_id -> Text,
        startup_id -> Text,
        reason -> Text,
        declared_at -> Timestamp,
    }
}

diesel::table! {
    hub_reviews (application_id, reviewer_id) {
        application_id -> Text,
        reviewer_id -> Text,
        scores_json -> Text,
        comment -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    hub_teams (id) {
        id -> Text,
        programme_id -> Text,
        name -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    hub_registrations (programme_id, user_id) {
        programme_id -> Text,
        user_id -> Text,
        state -> Text,
        team_id -> Nullable<Text>,
        registered_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    hub_commitments (application_id, investor_id) {
        application_id -> Text,
        investor_id -> Text,
        amount -> BigInt,
        currency -> Text,
        committed_by -> Text,
        committed_at -> Timestamp,
    }
}

diesel::table! {
    hub_application_files (application_id, question_id) {
        application_id -> Text,
        question_id -> Text,
        object_key -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
    }
}

diesel::joinable!(hub_application_files -> hub_applications (application_id));
diesel::joinable!(hub_programme_organisers -> hub_programmes (programme_id));
diesel::joinable!(hub_applications -> hub_programmes (programme_id));
diesel::joinable!(hub_reviews -> hub_applications (application_id));
diesel::joinable!(hub_reviewers -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    hub_programmes,
    hub_programme_organisers,
    hub_applications,
    hub_application_files,
    hub_reviewers,
    hub_conflicts,
    hub_reviews,
    hub_teams,
    hub_registrations,
    hub_commitments,
    organisations,
);
diesel::allow_tables_to_appear_in_same_query!(users, hub_reviewers);
