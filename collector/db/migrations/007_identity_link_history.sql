-- A browser's links to people over time, one row per switch: A, then B, then A again keeps three rows
-- (the key was visitor and person, which kept only the first link to each). The person a browser
-- belonged to at any moment is read back from them: stitching gives a late event to the person of
-- its time, not to whoever the browser is now (collector/ingest/stitch.ts).
CREATE TABLE identity_links_by_time (
  visitor_id  INTEGER NOT NULL REFERENCES visitors(id),
  person_id   INTEGER NOT NULL REFERENCES people(id),
  linked_at   INTEGER NOT NULL,
  PRIMARY KEY (visitor_id, linked_at, person_id)
) WITHOUT ROWID;
INSERT INTO identity_links_by_time (visitor_id, person_id, linked_at) SELECT visitor_id, person_id, linked_at FROM identity_links;
DROP TABLE identity_links;
ALTER TABLE identity_links_by_time RENAME TO identity_links;
