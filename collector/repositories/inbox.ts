/**
 * The ingest inbox (migration 002): acknowledged batches waiting to be stitched. Appends are one
 * unindexed insert per batch; the stitcher reads the oldest first and removes what it stitched
 * inside its own transaction.
 */
import type { SqliteDatabase } from '../db/open.js';
import type { IngestBatch } from '../ingest/stitch.js';

export interface InboxEntry {
  id: number;
  batch: IngestBatch;
}

export interface InboxRepository {
  /** Appends the batches (JSON of IngestBatch) in one transaction. */
  append(batchJsons: readonly string[], receivedAt: number): void;
  /** The oldest waiting batches, skipping those that failed to stitch. */
  oldest(limit: number): InboxEntry[];
  /** Call inside the stitching transaction, so removal and stitching commit together. */
  remove(ids: readonly number[]): void;
  markFailed(id: number, reason: string): void;
  /** Batches waiting, failed ones excluded. */
  waiting(): number;
}

export function createInboxRepository(database: SqliteDatabase): InboxRepository {
  const statements = {
    append: database.prepare('INSERT INTO ingest_inbox (received_at, batch) VALUES (?, ?)'),
    oldest: database.prepare('SELECT id, batch FROM ingest_inbox WHERE failure IS NULL ORDER BY id LIMIT ?'),
    remove: database.prepare('DELETE FROM ingest_inbox WHERE id IN (SELECT value FROM json_each(?))'),
    markFailed: database.prepare('UPDATE ingest_inbox SET failure = ? WHERE id = ?'),
    waiting: database.prepare('SELECT count(*) FROM ingest_inbox WHERE failure IS NULL').pluck(),
  };
  const appendAll = database.transaction((batchJsons: readonly string[], receivedAt: number) => {
    for (const batchJson of batchJsons) statements.append.run(receivedAt, batchJson);
  });

  return {
    append: appendAll,
    oldest(limit) {
      return (statements.oldest.all(limit) as Array<{ id: number; batch: string }>).map((row) => ({ id: row.id, batch: JSON.parse(row.batch) as IngestBatch }));
    },
    remove(ids) {
      statements.remove.run(JSON.stringify(ids));
    },
    markFailed(id, reason) {
      statements.markFailed.run(reason, id);
    },
    waiting() {
      return statements.waiting.get() as number;
    },
  };
}
