-- The first schema. Times are integer milliseconds since the epoch (UTC). Keys are sequential
-- integers so the rows that ingest touches sit at the right edge of each index (PERF-NOTES.md);
-- random client ids are looked up once per batch, never per event.

CREATE TABLE sites (
  id          INTEGER PRIMARY KEY,
  key         TEXT NOT NULL UNIQUE,       -- public site key in the tag (data-site)
  name        TEXT NOT NULL,
  domains     TEXT NOT NULL,              -- JSON array of host names; each covers www. and subdomains
  created_at  INTEGER NOT NULL
);

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  password_hash  TEXT NOT NULL,           -- scrypt$N$r$p$salt$hash
  created_at     INTEGER NOT NULL
);

CREATE TABLE login_sessions (
  token_hash  TEXT PRIMARY KEY,           -- sha256 of the cookie value; the value itself is never stored
  user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_tokens (
  id            INTEGER PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  token_hash    TEXT NOT NULL UNIQUE,     -- sha256 of the bearer token
  created_at    INTEGER NOT NULL,
  last_used_at  INTEGER
);

-- A person is one normalized email on one site (a lead), or, while email is NULL, the anonymous
-- owner of one browser's visits. Identification either fills in the email or moves the
-- anonymous sessions to the person who already has it.
CREATE TABLE people (
  id          INTEGER PRIMARY KEY,
  site_id     INTEGER NOT NULL REFERENCES sites(id),
  email       TEXT,
  name        TEXT,
  phone       TEXT,
  company     TEXT,
  country     TEXT,                       -- as the buyer stated it in a form
  message     TEXT,                       -- the latest inquiry text
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL
);
CREATE UNIQUE INDEX people_by_email ON people(site_id, email) WHERE email IS NOT NULL;
CREATE INDEX people_by_activity ON people(site_id, last_seen);

-- A visitor is one browser (the snippet's random visitor id).
CREATE TABLE visitors (
  id          INTEGER PRIMARY KEY,
  site_id     INTEGER NOT NULL REFERENCES sites(id),
  client_id   TEXT NOT NULL,
  person_id   INTEGER NOT NULL REFERENCES people(id),  -- who this browser's new events belong to
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  browser     TEXT,
  os          TEXT,
  device      TEXT,                       -- desktop / mobile / tablet / tv / bot
  ip          TEXT,                       -- as LEADTRAIL_IP_MODE allows: full, truncated (/24, /48) or NULL
  ip_country  TEXT,                       -- ISO 3166-1 alpha-2 from the full address
  asn         INTEGER,                    -- the network's autonomous system
  organisation TEXT,                      -- and its owner: for a B2B buyer often the company
  language    TEXT,
  time_zone   TEXT,
  screen      TEXT
);
CREATE UNIQUE INDEX visitors_by_client ON visitors(site_id, client_id);
CREATE INDEX visitors_by_person ON visitors(person_id);

-- Every link a browser made to a person, kept so a later audit can see who was identified when.
CREATE TABLE identity_links (
  visitor_id  INTEGER NOT NULL REFERENCES visitors(id),
  person_id   INTEGER NOT NULL REFERENCES people(id),
  linked_at   INTEGER NOT NULL,
  PRIMARY KEY (visitor_id, person_id)
) WITHOUT ROWID;

CREATE TABLE sessions (
  id            INTEGER PRIMARY KEY,
  visitor_id    INTEGER NOT NULL REFERENCES visitors(id),
  person_id     INTEGER NOT NULL REFERENCES people(id),
  started_at    INTEGER NOT NULL,
  ended_at      INTEGER NOT NULL,
  channel       TEXT NOT NULL,
  source        TEXT,
  medium        TEXT,
  campaign      TEXT,
  term          TEXT,
  content       TEXT,
  campaign_key  TEXT,                     -- identifies the campaign that opened it; a different one starts a new session
  click_ids     TEXT,                     -- JSON object, e.g. {"gclid":"…"}
  referrer      TEXT,
  landing_page  TEXT
);
CREATE INDEX sessions_by_visitor ON sessions(visitor_id, started_at);
CREATE INDEX sessions_by_person ON sessions(person_id, started_at);

-- Page URLs, stored once per site: an event row holds a small integer instead of the URL. The
-- title first seen on the page is kept here too; a page view stores its own title only when it
-- differs from this one.
CREATE TABLE urls (
  id       INTEGER PRIMARY KEY,
  site_id  INTEGER NOT NULL REFERENCES sites(id),
  url      TEXT NOT NULL,
  title    TEXT,
  UNIQUE (site_id, url)
);

-- Raw events. The only secondary index serves both de-duplication of re-sent events and a
-- visitor's trail; visitor ids are sequential, so inserts stay near the right edge.
CREATE TABLE events (
  id               INTEGER PRIMARY KEY,
  visitor_id       INTEGER NOT NULL REFERENCES visitors(id),
  session_id       INTEGER NOT NULL REFERENCES sessions(id),
  client_event_id  TEXT NOT NULL,
  type             TEXT NOT NULL,
  ts               INTEGER NOT NULL,      -- corrected for client clock skew
  url_id           INTEGER NOT NULL REFERENCES urls(id),
  data             TEXT                   -- JSON of the type's own fields (title, fields, provider, …)
);
CREATE UNIQUE INDEX events_by_visitor ON events(visitor_id, client_event_id);
