DROP TABLE enquiries;
DROP TABLE listing_revisions;
DROP TABLE listing_category_links;
DROP TABLE listing_countries;
DROP TABLE listings;
DROP TABLE listing_categories;
ALTER TABLE users DROP COLUMN is_moderator;
