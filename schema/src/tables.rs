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
        is_moderator -> Bool,
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
    invitations (id) {
        id -> Text,
        token_hash -> Text,
        organisation_id -> Nullable<Text>,
        role -> Nullable<Text>,
        platform_admin -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        accepted_by -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
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
        successor_sealed -> Nullable<Text>,
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

diesel::table! {
    listing_categories (slug) {
        slug -> Text,
        name -> Text,
        names_json -> Text,
        position -> Integer,
    }
}

diesel::table! {
    listings (id) {
        id -> Text,
        organisation_id -> Text,
        kind -> Text,
        state -> Text,
        title -> Text,
        description -> Text,
        translations_json -> Text,
        price_model -> Text,
        price_min -> Nullable<BigInt>,
        price_max -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        contact_email -> Nullable<Text>,
        contact_url -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        pending_revision -> Nullable<Integer>,
    }
}

diesel::table! {
    listing_countries (listing_id, country) {
        listing_id -> Text,
        country -> Text,
    }
}

diesel::table! {
    listing_category_links (listing_id, category_slug) {
        listing_id -> Text,
        category_slug -> Text,
    }
}

diesel::table! {
    listing_revisions (listing_id, revision) {
        listing_id -> Text,
        revision -> Integer,
        content_json -> Text,
        submitted_by -> Text,
        submitted_at -> Timestamp,
        decision -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    enquiries (id) {
        id -> Text,
        listing_id -> Text,
        organisation_id -> Text,
        sender_id -> Text,
        message -> Text,
        reply_to -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    listing_media (id) {
        id -> Text,
        listing_id -> Text,
        object_key -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    publications (id) {
        id -> Text,
        organisation_id -> Text,
        publication_type -> Text,
        language -> Text,
        title -> Text,
        abstract_text -> Text,
        translations_json -> Text,
        authors_json -> Text,
        keywords_json -> Text,
        subjects_json -> Text,
        issued -> Text,
        year -> Integer,
        venue -> Nullable<Text>,
        doi -> Nullable<Text>,
        licence -> Text,
        access_level -> Text,
        embargo_until -> Nullable<Date>,
        version -> Integer,
        ever_open -> Bool,
        deleted_at -> Nullable<Timestamp>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    publication_languages (publication_id, lang) {
        publication_id -> Text,
        lang -> Text,
    }
}

diesel::table! {
    publication_versions (publication_id, version) {
        publication_id -> Text,
        version -> Integer,
        content_json -> Text,
        edited_by -> Text,
        edited_at -> Timestamp,
    }
}

diesel::table! {
    publication_files (id) {
        id -> Text,
        publication_id -> Text,
        object_key -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(publications -> organisations (organisation_id));
diesel::joinable!(publication_languages -> publications (publication_id));
diesel::joinable!(publication_versions -> publications (publication_id));
diesel::joinable!(publication_files -> publications (publication_id));

diesel::table! {
    imei_tacs (tac) {
        tac -> Integer,
        brand -> Text,
        model -> Text,
        device_type -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    imei_tac_imports (file_sha256) {
        file_sha256 -> Text,
        records_done -> BigInt,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    imei_devices (imei) {
        imei -> BigInt,
        status -> Text,
        reason -> Nullable<Text>,
        country -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        case_reference -> Nullable<Text>,
        grace_until -> Nullable<Timestamp>,
        registered_by -> Nullable<Text>,
        registered_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    imei_events (id) {
        id -> BigInt,
        imei -> BigInt,
        at -> Timestamp,
        action -> Text,
        status -> Text,
        reason -> Nullable<Text>,
        country -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        actor -> Text,
        case_reference -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    imei_sightings (imei, imsi) {
        imei -> BigInt,
        imsi -> Text,
        operator_id -> Text,
        first_seen -> Timestamp,
        last_seen -> Timestamp,
    }
}

diesel::table! {
    imei_cases (id) {
        id -> Text,
        reference -> Text,
        kind -> Text,
        state -> Text,
        confidentiality -> Text,
        organisation_id -> Text,
        country -> Text,
        summary -> Text,
        contact_key_id -> Nullable<Text>,
        contact_nonce -> Nullable<Binary>,
        contact_sealed -> Nullable<Binary>,
        found_by -> Nullable<Text>,
        found_country -> Nullable<Text>,
        held_at -> Nullable<Text>,
        embassy_id -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    imei_case_devices (case_id, imei) {
        case_id -> Text,
        imei -> BigInt,
    }
}

diesel::table! {
    imei_case_events (id) {
        id -> Text,
        case_id -> Text,
        kind -> Text,
        state -> Text,
        actor -> Text,
        organisation_id -> Nullable<Text>,
        country -> Nullable<Text>,
        imei -> Nullable<BigInt>,
        note -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::table! {
    imei_case_links (case_id, linked_case_id) {
        case_id -> Text,
        linked_case_id -> Text,
        linked_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    imei_reads (id) {
        id -> BigInt,
        at -> Timestamp,
        actor -> Text,
        imei -> BigInt,
        channel -> Text,
        status -> Text,
    }
}

diesel::table! {
    biometric_consents (id) {
        id -> Text,
        partner_id -> Text,
        subject_ref -> Text,
        purpose -> Text,
        granted_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    biometric_templates (id) {
        id -> Text,
        partner_id -> Text,
        subject_ref -> Text,
        format -> Text,
        dimension -> Integer,
        vendor -> Text,
        quality -> Integer,
        key_id -> Text,
        nonce -> Binary,
        ciphertext -> Binary,
        created_at -> Timestamp,
    }
}

diesel::table! {
    biometric_sharing (owner_partner_id, grantee_partner_id) {
        owner_partner_id -> Text,
        grantee_partner_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    biometric_thresholds (partner_id, format) {
        partner_id -> Text,
        format -> Text,
        threshold -> Double,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(listing_media -> listings (listing_id));
diesel::joinable!(listings -> organisations (organisation_id));
diesel::joinable!(listing_countries -> listings (listing_id));
diesel::joinable!(listing_category_links -> listings (listing_id));
diesel::joinable!(listing_revisions -> listings (listing_id));
diesel::joinable!(enquiries -> listings (listing_id));
diesel::joinable!(user_identities -> users (user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::table! {
    datasets (id) {
        id -> Text,
        name -> Text,
        organisation_id -> Text,
        language -> Text,
        title -> Text,
        notes -> Text,
        translations_json -> Text,
        licence_id -> Text,
        author -> Nullable<Text>,
        author_email -> Nullable<Text>,
        maintainer -> Nullable<Text>,
        maintainer_email -> Nullable<Text>,
        version -> Nullable<Text>,
        source_url -> Nullable<Text>,
        temporal_start -> Nullable<Date>,
        temporal_end -> Nullable<Date>,
        spatial -> Nullable<Text>,
        frequency -> Nullable<Text>,
        private -> Bool,
        state -> Text,
        extras_json -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    dataset_tags (dataset_id, tag) {
        dataset_id -> Text,
        tag -> Text,
    }
}

diesel::table! {
    dataset_themes (dataset_id, theme) {
        dataset_id -> Text,
        theme -> Text,
    }
}

diesel::table! {
    dataset_resources (id) {
        id -> Text,
        dataset_id -> Text,
        position -> Integer,
        name -> Text,
        description -> Text,
        format -> Text,
        media_type -> Nullable<Text>,
        url -> Nullable<Text>,
        object_key -> Nullable<Text>,
        file_name -> Nullable<Text>,
        size_bytes -> Nullable<BigInt>,
        sha256 -> Nullable<Text>,
        preview_json -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(datasets -> organisations (organisation_id));
diesel::joinable!(dataset_tags -> datasets (dataset_id));
diesel::joinable!(dataset_themes -> datasets (dataset_id));
diesel::joinable!(dataset_resources -> datasets (dataset_id));

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        organisation_id -> Text,
        algorithm -> Text,
        public_key -> Text,
        sealed_seed -> Nullable<Binary>,
        nonce -> Nullable<Binary>,
        sealing_key_id -> Nullable<Text>,
        valid_from -> Timestamp,
        valid_until -> Nullable<Timestamp>,
        custody -> Text,
        statement -> Nullable<Text>,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        sender_id -> Text,
        subject -> Text,
        document_type -> Text,
        reference_number -> Text,
        confidentiality -> Text,
        state -> Text,
        content_digest -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    document_recipients (document_id, organisation_id) {
        document_id -> Text,
        organisation_id -> Text,
        state -> Text,
        reason -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    document_files (id) {
        id -> Text,
        document_id -> Text,
        object_key -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    document_steps (document_id, seq) {
        document_id -> Text,
        seq -> Integer,
        action -> Text,
        actor_id -> Text,
        recipient_id -> Nullable<Text>,
        jws -> Text,
        step_hash -> Text,
        created_at -> Timestamp,
        countersignature -> Nullable<Text>,
    }
}

diesel::table! {
    /// An organisation's webhook: where every module's events for it are pushed.
    organisation_webhooks (organisation_id) {
        organisation_id -> Text,
        url -> Text,
        sealed_secret -> Binary,
        nonce -> Binary,
        sealing_key_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// The outbox of events for organisations (documents' steps, IMEI cases' sightings…):
    /// polled, and pushed to the organisation's webhook.
    organisation_events (id) {
        id -> Text,
        organisation_id -> Text,
        event_type -> Text,
        /// What the event is about: a document's or a case's id.
        subject -> Text,
        payload -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        /// Commit-safe position (see the migration `document_event_order`): the writing
        /// transaction's id on PostgreSQL (0 on SQLite) and an insert sequence.
        txid -> BigInt,
        seq -> BigInt,
        /// Given up (too many attempts, or too old): skipped until redelivered.
        dead_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(document_recipients -> documents (document_id));
diesel::joinable!(document_files -> documents (document_id));
diesel::joinable!(document_steps -> documents (document_id));
diesel::joinable!(imei_case_devices -> imei_cases (case_id));
diesel::joinable!(imei_case_events -> imei_cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    users,
    memberships,
    user_identities,
    sessions,
    invitations,
    refresh_tokens,
    partners,
    listings,
    listing_countries,
    listing_category_links,
    listing_revisions,
    listing_categories,
    listing_media,
    enquiries,
    publications,
    publication_languages,
    publication_versions,
    publication_files,
    imei_tacs,
    imei_devices,
    imei_events,
    imei_sightings,
    imei_reads,
    imei_cases,
    imei_case_devices,
    imei_case_events,
    biometric_consents,
    biometric_templates,
    biometric_sharing,
    biometric_thresholds,
    datasets,
    dataset_tags,
    dataset_themes,
    dataset_resources,
    signing_keys,
    documents,
    document_recipients,
    document_files,
    document_steps,
    organisation_webhooks,
    organisation_events,
    organisation_event_deliveries
);

diesel::table! {
    /// The fingerprints of the platform's keys (`backend/src/key_ledger.rs`).
    platform_keys (name) {
        name -> Text,
        fingerprint -> Text,
        recorded_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Signed checkpoints of the audit chain (`backend/src/audit_checkpoints.rs`).
    audit_checkpoints (length) {
        length -> BigInt,
        head -> Text,
        signed_at -> Timestamp,
        kid -> Text,
        signature -> Text,
    }
}

diesel::table! {
    /// Every webhook delivery attempt: its outcome and latency (`backend/src/outbox`).
    organisation_event_deliveries (id) {
        id -> Text,
        event_id -> Text,
        organisation_id -> Text,
        attempt -> Integer,
        at -> Timestamp,
        outcome -> Text,
        status -> Nullable<Integer>,
        error -> Nullable<Text>,
        latency_ms -> BigInt,
    }
}

diesel::table! {
    /// Shared rate-limit budgets (GCRA, `backend/src/rate_limits.rs`); PostgreSQL only.
    rate_limits (key) {
        key -> Text,
        tat -> BigInt,
    }
}

diesel::table! {
    /// Periodic passes that run once per period for the whole cluster (`backend/src/leases.rs`).
    periodic_passes (job) {
        job -> Text,
        next_due -> Timestamp,
        epoch -> BigInt,
        holder -> Text,
        claimed_at -> Timestamp,
    }
}

diesel::table! {
    /// How far each node's search index has applied the change log (retention).
    index_positions (node) {
        node -> Text,
        txid -> BigInt,
        id -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The newest change-log position deleted by retention (one row).
    change_log_pruned (one) {
        one -> Integer,
        txid -> BigInt,
        id -> BigInt,
        pruned_at -> Timestamp,
    }
}
