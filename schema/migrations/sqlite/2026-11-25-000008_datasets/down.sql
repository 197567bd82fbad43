DROP TABLE dataset_resources;
DROP TABLE dataset_themes;
DROP TABLE dataset_tags;
DROP TABLE datasets;
