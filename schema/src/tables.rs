//! diesel table definitions, shared by both backends (the migrations keep them identical).

diesel::table! {
    organisations (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        names_json -> Text,
        kind -> Text,
        country -> Text,
        website -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        country -> Nullable<Text>,
        is_platform_admin -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    memberships (organisation_id, user_id) {
        organisation_id -> Text,
        user_id -> Text,
        role -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    change_log (id) {
        id -> BigInt,
        txid -> BigInt,
        entity_kind -> Text,
        entity_id -> Text,
        operation -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(memberships -> organisations (organisation_id));
diesel::joinable!(memberships -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(organisations, users, memberships, change_log);
