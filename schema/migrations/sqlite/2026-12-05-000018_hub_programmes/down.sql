DROP TABLE hub_reviews;
DROP TABLE hub_conflicts;
DROP TABLE hub_reviewers;
DROP TABLE hub_applications;
DROP TABLE hub_programme_organisers;
DROP TABLE hub_programmes;
