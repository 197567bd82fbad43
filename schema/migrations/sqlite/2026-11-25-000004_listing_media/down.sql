DROP TABLE listing_media;
