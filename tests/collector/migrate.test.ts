import { mkdtempSync, mkdirSync, readdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../collector/db/open.js';
import { SchemaMismatchError, migrate, readMigrations } from '../../collector/db/migrate.js';

const MIGRATIONS = fileURLToPath(new URL('../../collector/db/migrations/', import.meta.url));
const temporaryFile = () => join(mkdtempSync(join(tmpdir(), 'leadtrail-migrate-')), 'leadtrail.db');

describe('migrations', () => {
  it('applies every migration once, in order, and records it', () => {
    const file = temporaryFile();
    openDatabase(file).close();
    const database = openDatabase(file);
    const applied = database.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(applied).toEqual(readMigrations().map(({ version, name }) => ({ version, name })));
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    database.close();
  });

  it('refuses to start on a database written by a newer Leadtrail, with a clear message', () => {
    const file = temporaryFile();
    openDatabase(file).close();
    const raw = new Database(file);
    raw.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)').run(999, '999_future.sql', 'x', Date.now());
    raw.close();
    expect(() => openDatabase(file)).toThrow(SchemaMismatchError);
    expect(() => openDatabase(file)).toThrow(/schema version 999.*newer Leadtrail/);
  });

  it('refuses a database whose applied migration differs from the file of the same number', () => {
    const file = temporaryFile();
    openDatabase(file).close();
    const raw = new Database(file);
    raw.prepare("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1").run();
    raw.close();
    expect(() => openDatabase(file)).toThrow(/differs from/);
  });

  it('applies a new migration file to an existing database and keeps its data', () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadtrail-migrations-'));
    mkdirSync(directory, { recursive: true });
    for (const name of readdirSync(MIGRATIONS)) copyFileSync(join(MIGRATIONS, name), join(directory, name));
    const database = new Database(':memory:');
    migrate(database, readMigrations(directory));
    database.prepare("INSERT INTO sites (key, name, domains, created_at) VALUES ('k', 'n', '[]', 0)").run();
    const next = String(readMigrations(directory).length + 1).padStart(3, '0');
    writeFileSync(join(directory, `${next}_add_note.sql`), 'ALTER TABLE sites ADD COLUMN note TEXT;');
    migrate(database, readMigrations(directory));
    expect(database.prepare('SELECT key, note FROM sites').get()).toEqual({ key: 'k', note: null });
  });

  it('moves each browser\'s first identity link to the start of time (008), and leaves its switches', () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadtrail-migrations-'));
    const files = readdirSync(MIGRATIONS).filter((name) => name.endsWith('.sql')).sort();
    for (const name of files.filter((file) => file < '008')) copyFileSync(join(MIGRATIONS, name), join(directory, name));
    const database = new Database(':memory:');
    migrate(database, readMigrations(directory));
    // Only the links matter here, not the people and browsers they name.
    database.pragma('foreign_keys = OFF');
    const link = database.prepare('INSERT INTO identity_links (visitor_id, person_id, linked_at) VALUES (?, ?, ?)');
    // Browser 1: created at 1,000, switched to person 2 at 2,000 and back at 3,000; browser 2: created at 5,000.
    for (const row of [[1, 1, 1_000], [1, 2, 2_000], [1, 1, 3_000], [2, 3, 5_000]]) link.run(...row);
    copyFileSync(join(MIGRATIONS, files.find((name) => name.startsWith('008'))!), join(directory, files.find((name) => name.startsWith('008'))!));
    migrate(database, readMigrations(directory));
    expect(database.prepare('SELECT visitor_id, person_id, linked_at FROM identity_links ORDER BY visitor_id, linked_at').raw().all()).toEqual([
      [1, 1, 0],
      [1, 2, 2_000],
      [1, 1, 3_000],
      [2, 3, 0],
    ]);
  });

  it('rolls back a failing migration whole and records nothing for it', () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadtrail-migrations-'));
    writeFileSync(join(directory, '001_ok.sql'), 'CREATE TABLE a (x);');
    writeFileSync(join(directory, '002_broken.sql'), 'CREATE TABLE b (y); INSERT INTO nowhere VALUES (1);');
    const database = new Database(':memory:');
    expect(() => migrate(database, readMigrations(directory))).toThrow(/nowhere/);
    expect(database.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
    expect(database.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual([1]);
  });
});
