-- Dataset names are no longer unique across the whole platform: a private dataset's name
-- must not be confirmed to outsiders by "already in use". A name is unique for ever within its
-- organisation (a deleted dataset keeps its name, as in CKAN) and among datasets that are not
-- private; a private dataset may share its name with another organisation's private dataset.
ALTER TABLE datasets DROP CONSTRAINT datasets_name_key;
DROP INDEX datasets_organisation;
CREATE UNIQUE INDEX datasets_organisation ON datasets (organisation_id, name);
CREATE UNIQUE INDEX datasets_public_name ON datasets (name) WHERE NOT private;
CREATE INDEX datasets_name ON datasets (name);
