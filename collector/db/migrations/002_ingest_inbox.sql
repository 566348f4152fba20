-- The ingest inbox: each accepted batch, validated and enriched, appended here and committed before
-- `POST /collect` answers 204. Stitching into visitors, sessions, people and events happens after,
-- off the request path, and deletes the rows it stitched in the same transaction: an acknowledged
-- batch is either here or in the trail, never lost and never stored twice.
-- No secondary index: appends go to the right edge of the rowid tree, which is what keeps the
-- acknowledged write cheap (PERF-NOTES.md).
CREATE TABLE ingest_inbox (
  id           INTEGER PRIMARY KEY,
  received_at  INTEGER NOT NULL,
  batch        TEXT NOT NULL,             -- JSON of IngestBatch (collector/ingest/stitch.ts)
  failure      TEXT                       -- set when stitching refused it; kept for inspection, skipped
);
