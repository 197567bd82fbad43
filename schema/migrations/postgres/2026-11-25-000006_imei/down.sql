DROP TABLE imei_reads;
DROP TABLE imei_sightings;
DROP TABLE imei_events;
DROP TABLE imei_devices;
DROP TABLE imei_tac_imports;
DROP TABLE imei_tacs;
