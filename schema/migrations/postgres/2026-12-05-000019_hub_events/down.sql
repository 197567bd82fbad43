DROP TABLE hub_commitments;
DROP TABLE hub_registrations;
DROP TABLE hub_teams;
