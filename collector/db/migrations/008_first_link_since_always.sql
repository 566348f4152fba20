-- A browser's first link, to the anonymous person it started as, holds from the start of time (0),
-- not from the time of the first event stored: an earlier event of the same browser may arrive
-- later, and an email switch it carries has to come after that link (collector/ingest/stitch.ts,
-- FIRST_LINK_AT). Each browser's earliest link moves to 0.
UPDATE identity_links SET linked_at = 0
WHERE linked_at = (SELECT min(first.linked_at) FROM identity_links AS first WHERE first.visitor_id = identity_links.visitor_id);
