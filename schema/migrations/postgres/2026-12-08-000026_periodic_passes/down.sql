DROP TABLE periodic_passes;
