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

diesel::table! {
    user_identities (issuer, subject) {
        issuer -> Text,
        subject -> Text,
        user_id -> Text,
        country -> Text,
        person_id -> Nullable<Text>,
        created_at -> Timestamp,
        last_login_at -> Timestamp,
    }
}

diesel::table! {
    login_attempts (state) {
        state -> Text,
        country -> Text,
        pkce_verifier -> Text,
        nonce -> Text,
        return_to -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_refreshed_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    partners (id) {
        id -> Text,
        name -> Text,
        organisation_id -> Nullable<Text>,
        client_id -> Text,
        secret_hash -> Text,
        scopes -> Text,
        rate_limit_per_minute -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        target -> Text,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::joinable!(user_identities -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    users,
    memberships,
    user_identities,
    sessions,
    refresh_tokens,
    partners
);
