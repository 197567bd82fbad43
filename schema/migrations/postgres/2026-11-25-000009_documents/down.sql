DROP TABLE document_events;
DROP TABLE document_webhooks;
DROP TABLE document_steps;
DROP TABLE document_files;
DROP TABLE document_recipients;
DROP TABLE documents;
DROP TABLE signing_keys;
