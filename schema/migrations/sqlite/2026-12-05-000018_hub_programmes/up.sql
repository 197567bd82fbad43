-- The joint IT hub: programmes (acceleration programmes, hackathons, demo days,
-- co-investment calls) run by one or more organisations, startups' applications to them, and
-- the review panel that scores them. Questions, criteria and eligibility are JSON the backend
-- validates; what the database can hold to itself (states, one application per startup per
-- programme, one review per reviewer per application) it does.
CREATE TABLE hub_programmes (
    id                     TEXT PRIMARY KEY NOT NULL,
    slug                   TEXT NOT NULL UNIQUE,
    kind                   TEXT NOT NULL CHECK (kind IN ('accelerator', 'hackathon', 'demo_day', 'co_investment')),
    state                  TEXT NOT NULL CHECK (state IN ('draft', 'published')),
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL,
    -- {"<lang>": ["<title>", "<description>"]} for the other languages.
    translations_json      TEXT NOT NULL DEFAULT '{}',
    applications_open_at   TIMESTAMP NOT NULL,
    applications_close_at  TIMESTAMP NOT NULL,
    starts_at              TIMESTAMP NOT NULL,
    ends_at                TIMESTAMP NOT NULL,
    location               TEXT NOT NULL DEFAULT '',
    countries_json         TEXT NOT NULL,
    stages_json            TEXT NOT NULL,
    sectors_json           TEXT NOT NULL,
    questions_json         TEXT NOT NULL,
    criteria_json          TEXT NOT NULL,
    capacity               INTEGER,
    funds_json             TEXT NOT NULL DEFAULT '[]',
    results_published_at   TIMESTAMP,
    created_by             TEXT NOT NULL,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    published_at           TIMESTAMP,
    version                INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX hub_programmes_published ON hub_programmes (state, applications_close_at);

-- Who runs a programme. The creating organisation is confirmed at once; another one named as
-- co-organiser runs it (and is shown) only once one of its own editors confirms.
CREATE TABLE hub_programme_organisers (
    programme_id     TEXT NOT NULL REFERENCES hub_programmes (id) ON DELETE CASCADE,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    added_by         TEXT NOT NULL,
    added_at         TIMESTAMP NOT NULL,
    confirmed_at     TIMESTAMP,
    PRIMARY KEY (programme_id, organisation_id)
);
CREATE INDEX hub_programme_organisers_organisation ON hub_programme_organisers (organisation_id);

CREATE TABLE hub_applications (
    id            TEXT PRIMARY KEY NOT NULL,
    programme_id  TEXT NOT NULL REFERENCES hub_programmes (id) ON DELETE CASCADE,
    startup_id    TEXT NOT NULL REFERENCES organisations (id),
    state         TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'withdrawn')),
    stage         TEXT NOT NULL,
    sector        TEXT NOT NULL,
    answers_json  TEXT NOT NULL DEFAULT '{}',
    -- The organisers' decision; the applicant sees it once the results are published.
    decision      TEXT CHECK (decision IN ('accepted', 'waitlisted', 'declined')),
    decided_by    TEXT,
    decided_at    TIMESTAMP,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    submitted_at  TIMESTAMP,
    version       INTEGER NOT NULL DEFAULT 1,
    UNIQUE (programme_id, startup_id)
);
CREATE INDEX hub_applications_startup ON hub_applications (startup_id);

CREATE TABLE hub_reviewers (
    programme_id  TEXT NOT NULL REFERENCES hub_programmes (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    appointed_by  TEXT NOT NULL,
    appointed_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (programme_id, user_id)
);

-- Conflicts of interest a reviewer declared (membership of the applying startup needs no
-- declaration: it excludes by itself).
CREATE TABLE hub_conflicts (
    programme_id  TEXT NOT NULL REFERENCES hub_programmes (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    startup_id    TEXT NOT NULL REFERENCES organisations (id),
    reason        TEXT NOT NULL DEFAULT '',
    declared_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (programme_id, user_id, startup_id)
);

CREATE TABLE hub_reviews (
    application_id  TEXT NOT NULL REFERENCES hub_applications (id) ON DELETE CASCADE,
    reviewer_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- {"<criterion id>": 1..5}
    scores_json     TEXT NOT NULL,
    comment         TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (application_id, reviewer_id)
);
