-- The newest-first list (the portal's landing page, `GET /research/publications`) walks this
-- index backwards and stops at its page, instead of sorting every publication.
CREATE INDEX publications_newest ON publications (updated_at, id);
