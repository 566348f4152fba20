/**
 * What the database keeps about the inbox folder (migration 005): how far stitching has read it —
 * saved in the same transaction as what it stitched, so a record lands exactly once across a crash
 * — and the records stitching refused, set aside for inspection.
 *
 * Also the `ingest_inbox` table of versions before the folder: batches a crash left there are
 * stitched at the next start, one by one (the worker, at start).
 */
import type { SqliteDatabase } from '../db/open.js';
import type { InboxPosition } from '../ingest/inbox-files.js';

export interface LegacyInboxBatch {
  id: number;
  /** JSON of IngestBatch (collector/ingest/stitch.ts) as that version stored it. */
  batchJson: string;
}

export interface InboxRepository {
  /** Where stitching has read the inbox to; null before the first record. */
  position(): InboxPosition | null;
  /** Call inside the stitching transaction, so the position and the trails commit together. */
  savePosition(position: InboxPosition): void;
  /** Keeps a record that could not be stitched, with the reason. */
  setAside(record: string, failure: string): void;
  /** The oldest batch an earlier version left in its `ingest_inbox` table, if any. */
  oldestLegacyBatch(): LegacyInboxBatch | null;
  /** Call inside the transaction that stitched it. */
  removeLegacyBatch(id: number): void;
  /** Moves a legacy batch that cannot be stitched to the records set aside. */
  setAsideLegacyBatch(id: number, failure: string): void;
}

export function createInboxRepository(database: SqliteDatabase): InboxRepository {
  const statements = {
    position: database.prepare('SELECT segment, offset FROM ingest_inbox_position'),
    savePosition: database.prepare('INSERT INTO ingest_inbox_position (id, segment, offset) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET segment = excluded.segment, offset = excluded.offset'),
    setAside: database.prepare('INSERT INTO ingest_failures (failed_at, record, failure) VALUES (?, ?, ?)'),
    oldestLegacy: database.prepare('SELECT id, batch FROM ingest_inbox ORDER BY id LIMIT 1'),
    removeLegacy: database.prepare('DELETE FROM ingest_inbox WHERE id = ?'),
    moveLegacyToFailures: database.prepare('INSERT INTO ingest_failures (failed_at, record, failure) SELECT ?, batch, ? FROM ingest_inbox WHERE id = ?'),
  };
  const setAsideLegacy = database.transaction((id: number, failure: string) => {
    statements.moveLegacyToFailures.run(Date.now(), failure, id);
    statements.removeLegacy.run(id);
  });

  return {
    position() {
      return (statements.position.get() as InboxPosition | undefined) ?? null;
    },
    savePosition({ segment, offset }) {
      statements.savePosition.run(segment, offset);
    },
    setAside(record, failure) {
      statements.setAside.run(Date.now(), record, failure);
    },
    oldestLegacyBatch() {
      const row = statements.oldestLegacy.get() as { id: number; batch: string } | undefined;
      return row ? { id: row.id, batchJson: row.batch } : null;
    },
    removeLegacyBatch(id) {
      statements.removeLegacy.run(id);
    },
    setAsideLegacyBatch: setAsideLegacy,
  };
}
