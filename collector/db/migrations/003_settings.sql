-- Per-site settings (the dashboard's Settings screen) and the people list's sort orders.

-- NULL: the server's LEADTRAIL_IP_MODE, so a site that never chose follows the environment.
ALTER TABLE sites ADD COLUMN ip_mode TEXT CHECK (ip_mode IN ('full', 'truncated', 'none'));
-- Days raw events are kept; NULL: forever.
ALTER TABLE sites ADD COLUMN retention_days INTEGER CHECK (retention_days > 0);

-- A person's number of visits, so the people list can sort by it through an index instead of
-- counting every person's sessions. Kept by triggers, whoever writes sessions: ingest, the merge
-- of an anonymous person into a lead, erasure and the retention purge.
ALTER TABLE people ADD COLUMN session_count INTEGER NOT NULL DEFAULT 0;
UPDATE people SET session_count = (SELECT count(*) FROM sessions WHERE sessions.person_id = people.id);

CREATE TRIGGER sessions_count_insert AFTER INSERT ON sessions BEGIN
  UPDATE people SET session_count = session_count + 1 WHERE id = new.person_id;
END;
CREATE TRIGGER sessions_count_delete AFTER DELETE ON sessions BEGIN
  UPDATE people SET session_count = session_count - 1 WHERE id = old.person_id;
END;
CREATE TRIGGER sessions_count_move AFTER UPDATE OF person_id ON sessions WHEN new.person_id IS NOT old.person_id BEGIN
  UPDATE people SET session_count = session_count - 1 WHERE id = old.person_id;
  UPDATE people SET session_count = session_count + 1 WHERE id = new.person_id;
END;

-- One index per sort of the people list (last seen has people_by_activity). Each also holds the
-- rowid, the tiebreaker of the cursor, and serves both directions. Ingest rarely changes these
-- values: names and companies when someone identifies, session_count once per visit.
CREATE INDEX people_by_first_seen ON people(site_id, first_seen);
CREATE INDEX people_by_label ON people(site_id, coalesce(name, email) COLLATE NOCASE);
CREATE INDEX people_by_company ON people(site_id, company COLLATE NOCASE);
CREATE INDEX people_by_country ON people(site_id, country COLLATE NOCASE);
CREATE INDEX people_by_session_count ON people(site_id, session_count);
