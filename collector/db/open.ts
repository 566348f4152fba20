/**
 * Opens the SQLite file with the pragmas the collector relies on, and migrates it. Only db/ and
 * repositories/ import the driver; everything else goes through repositories.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate.js';

export type SqliteDatabase = Database.Database;

export function openDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  // WAL lets the dashboard read while ingest writes.
  database.pragma('journal_mode = WAL');
  // FULL syncs the WAL on every commit: a `204` from /collect promises the events survive a power
  // loss, not only a process crash. The commit is batched, so the fsync is shared.
  database.pragma('synchronous = FULL');
  // A checkpoint runs inside whichever commit crosses this many WAL pages (4 KiB each), holding
  // that thread. Under a flood of beacons SQLite's default (1,000) checkpoints several times a
  // second; at 10,000 a checkpoint comes about once a second and copies each hot page once.
  database.pragma('wal_autocheckpoint = 10000');
  database.pragma('foreign_keys = ON');
  // A CLI command may write while the server runs; wait instead of failing at once.
  database.pragma('busy_timeout = 5000');
  try {
    migrate(database);
  } catch (error) {
    database.close();
    throw error;
  }
  return database;
}
