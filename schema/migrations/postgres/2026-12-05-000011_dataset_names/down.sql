DROP INDEX datasets_name;
DROP INDEX datasets_public_name;
DROP INDEX datasets_organisation;
CREATE INDEX datasets_organisation ON datasets (organisation_id, name);
ALTER TABLE datasets ADD CONSTRAINT datasets_name_key UNIQUE (name);
