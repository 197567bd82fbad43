DROP TABLE hub_application_files;
