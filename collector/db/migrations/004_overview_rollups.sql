-- The overview's rollups (collector/repositories/rollups.ts folds into them; overview.ts reads
-- them). A day is a calendar day in the site's reporting time zone, stored as its day number: the
-- local date's days since 1970-01-01.

-- The reporting time zone (IANA name), as GA4 has one per property.
ALTER TABLE sites ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- Per site: the zone its rollups were built in (a different sites.time_zone makes the next
-- refresh rebuild them) and how far raw events are folded in (events with id up to events_done).
CREATE TABLE rollup_sites (
  site_id      INTEGER PRIMARY KEY REFERENCES sites(id),
  time_zone    TEXT NOT NULL,
  events_done  INTEGER NOT NULL
);
INSERT INTO rollup_sites (site_id, time_zone, events_done) SELECT id, time_zone, 0 FROM sites;
-- A new site has no events yet: starting at the newest event spares it a pass over everyone else's.
CREATE TRIGGER rollup_site_added AFTER INSERT ON sites BEGIN
  INSERT INTO rollup_sites (site_id, time_zone, events_done) VALUES (NEW.id, NEW.time_zone, (SELECT coalesce(max(id), 0) FROM events));
END;

-- People whose visits must be counted again. Sessions and people change after they are written
-- (a late event moves a session's start or landing, identification gives a person an email or
-- moves their sessions to the person who has it, a browser's IP country changes), by whatever
-- process writes them: these triggers note who is affected, whoever made the change, and cost
-- nothing when nothing the overview counts changed. New events need no trigger: their ids only
-- grow, so rollup_sites.events_done marks how far they are folded.
CREATE TABLE rollup_dirty_people (person_id INTEGER PRIMARY KEY);
INSERT INTO rollup_dirty_people (person_id) SELECT id FROM people;

CREATE TRIGGER rollup_session_added AFTER INSERT ON sessions BEGIN
  INSERT OR IGNORE INTO rollup_dirty_people (person_id) VALUES (NEW.person_id);
END;
CREATE TRIGGER rollup_session_changed AFTER UPDATE OF person_id, started_at, channel, source ON sessions
  WHEN OLD.person_id IS NOT NEW.person_id OR OLD.started_at IS NOT NEW.started_at
    OR OLD.channel IS NOT NEW.channel OR OLD.source IS NOT NEW.source
BEGIN
  INSERT OR IGNORE INTO rollup_dirty_people (person_id) VALUES (OLD.person_id), (NEW.person_id);
END;
CREATE TRIGGER rollup_person_identified AFTER UPDATE OF email ON people WHEN OLD.email IS NOT NEW.email BEGIN
  INSERT OR IGNORE INTO rollup_dirty_people (person_id) VALUES (NEW.id);
END;
CREATE TRIGGER rollup_visitor_country AFTER UPDATE OF ip_country ON visitors WHEN OLD.ip_country IS NOT NEW.ip_country BEGIN
  INSERT OR IGNORE INTO rollup_dirty_people (person_id) SELECT DISTINCT person_id FROM sessions WHERE visitor_id = NEW.id;
END;

-- One row per site, day, person and what their sessions that day had in common: channel, source
-- and the browser's IP country ('' for none, since a primary key cannot hold NULL). A person's
-- rows are rewritten whole whenever they are dirty.
--
-- Distinct people over any range, counted exactly without a DISTINCT: taking a person's rows in
-- day order, each row carries the day of their row before it — of any row, of one with the same
-- channel, source, country — (the same day for a second row of a day; -1000000000, long before
-- any date, for the first row). Of a person's rows within [from, to], exactly one has that
-- previous day before `from`: counting those rows counts each person once, per group, in one
-- pass over the range. overview.ts reads it that way.
CREATE TABLE rollup_visits (
  site_id               INTEGER NOT NULL,
  day                   INTEGER NOT NULL,
  channel               TEXT NOT NULL,
  source                TEXT NOT NULL,
  country               TEXT NOT NULL,
  person_id             INTEGER NOT NULL,
  lead                  INTEGER NOT NULL,  -- 1 when the person has an email (now)
  sessions              INTEGER NOT NULL,
  previous_day          INTEGER NOT NULL,
  previous_channel_day  INTEGER NOT NULL,
  previous_source_day   INTEGER NOT NULL,
  previous_country_day  INTEGER NOT NULL,
  PRIMARY KEY (site_id, day, channel, source, country, person_id)
) WITHOUT ROWID;
CREATE INDEX rollup_visits_by_person ON rollup_visits(person_id);

-- Event counts per site and day, added to as events are folded in.
CREATE TABLE rollup_days (
  site_id     INTEGER NOT NULL,
  day         INTEGER NOT NULL,
  form_fills  INTEGER NOT NULL,          -- form_submit, except outcome 'invalid'
  chat_opens  INTEGER NOT NULL,
  PRIMARY KEY (site_id, day)
) WITHOUT ROWID;

CREATE TABLE rollup_forms (
  site_id  INTEGER NOT NULL,
  day      INTEGER NOT NULL,
  form     TEXT NOT NULL,                -- the form's id or name; '' when the page gave none
  fills    INTEGER NOT NULL,
  PRIMARY KEY (site_id, day, form)
) WITHOUT ROWID;

-- Page views per page and day: ranks the top pages without touching the table below.
CREATE TABLE rollup_pages (
  site_id    INTEGER NOT NULL,
  day        INTEGER NOT NULL,
  url_id     INTEGER NOT NULL,
  pageviews  INTEGER NOT NULL,
  PRIMARY KEY (site_id, day, url_id)
) WITHOUT ROWID;

-- Page views per page, day and browser: distinct visitors of a top page over any range, exactly.
CREATE TABLE rollup_page_visitors (
  site_id     INTEGER NOT NULL,
  url_id      INTEGER NOT NULL,
  day         INTEGER NOT NULL,
  visitor_id  INTEGER NOT NULL,
  pageviews   INTEGER NOT NULL,
  PRIMARY KEY (site_id, url_id, day, visitor_id)
) WITHOUT ROWID;
