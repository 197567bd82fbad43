DROP TABLE imei_case_links;
DROP TABLE imei_case_events;
DROP TABLE imei_case_devices;
DROP TABLE imei_cases;
ALTER TABLE organisations DROP CONSTRAINT organisations_kind_check;
ALTER TABLE organisations ADD CONSTRAINT organisations_kind_check CHECK (kind IN ('agency', 'university', 'operator', 'manufacturer', 'company', 'startup'));
