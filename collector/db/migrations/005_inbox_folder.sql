-- The inbox moves out of the database into a folder of append-only files next to it
-- (collector/ingest/inbox-writer.ts): appending a line and syncing it is cheaper than a commit, and
-- takes no lock the stitching worker needs. The database keeps how far stitching has read that
-- folder, and the records stitching refused.

-- One row: the next record to stitch starts `offset` bytes into segment file `segment`. Saved in
-- the transaction that stitched the records before it, so each lands exactly once.
CREATE TABLE ingest_inbox_position (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  segment  INTEGER NOT NULL,
  offset   INTEGER NOT NULL
);

-- Records (or, from ingest_inbox, batches) that could not be stitched: kept for inspection.
CREATE TABLE ingest_failures (
  id         INTEGER PRIMARY KEY,
  failed_at  INTEGER NOT NULL,
  record     TEXT NOT NULL,
  failure    TEXT NOT NULL
);

-- ingest_inbox (migration 002) stays for the batches an earlier version acknowledged and had not
-- stitched when it stopped: the worker stitches them at start. Those it had set aside move now.
INSERT INTO ingest_failures (failed_at, record, failure)
  SELECT received_at, batch, failure FROM ingest_inbox WHERE failure IS NOT NULL ORDER BY id;
DELETE FROM ingest_inbox WHERE failure IS NOT NULL;
