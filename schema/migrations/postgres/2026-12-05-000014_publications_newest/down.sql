DROP INDEX publications_newest;
