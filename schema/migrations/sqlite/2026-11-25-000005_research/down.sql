DROP TABLE publication_files;
DROP TABLE publication_versions;
DROP TABLE publication_languages;
DROP TABLE publications;
