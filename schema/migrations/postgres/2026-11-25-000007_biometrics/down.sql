DROP TABLE biometric_thresholds;
DROP TABLE biometric_sharing;
DROP TABLE biometric_templates;
DROP TABLE biometric_consents;
