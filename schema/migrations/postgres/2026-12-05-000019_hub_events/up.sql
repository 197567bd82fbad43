-- The hub's events and co-investment: people register for hackathons and demo days (with a
-- capacity and a waitlist), hackathon participants form teams, and the investors of a
-- co-investment call record what they commit to each accepted startup (no money moves here).
CREATE TABLE hub_teams (
    id            TEXT PRIMARY KEY NOT NULL,
    programme_id  TEXT NOT NULL REFERENCES hub_programmes (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    UNIQUE (programme_id, name)
);

CREATE TABLE hub_registrations (
    programme_id   TEXT NOT NULL REFERENCES hub_programmes (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state          TEXT NOT NULL CHECK (state IN ('registered', 'waitlisted', 'cancelled')),
    team_id        TEXT REFERENCES hub_teams (id),
    registered_at  TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (programme_id, user_id)
);
CREATE INDEX hub_registrations_state ON hub_registrations (programme_id, state, registered_at);

CREATE TABLE hub_commitments (
    application_id  TEXT NOT NULL REFERENCES hub_applications (id) ON DELETE CASCADE,
    investor_id     TEXT NOT NULL REFERENCES organisations (id),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    committed_by    TEXT NOT NULL,
    committed_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (application_id, investor_id)
);
CREATE INDEX hub_commitments_investor ON hub_commitments (investor_id);
