/**
 * Applies the numbered `migrations/NNN_name.sql` files in order, each in its own transaction, and
 * records them in `schema_migrations`. Refuses to run against a database that is ahead of the code
 * or whose applied migrations do not match the files (a different build wrote it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('./migrations/', import.meta.url));
const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export class SchemaMismatchError extends Error {
  override name = 'SchemaMismatchError';
}

export function readMigrations(directory = MIGRATIONS_DIRECTORY): Migration[] {
  return readdirSync(directory)
    .filter((file) => MIGRATION_FILE.test(file))
    .sort()
    .map((file, index) => {
      const version = Number(MIGRATION_FILE.exec(file)![1]);
      if (version !== index + 1) throw new Error(`Migration ${file} is out of sequence: expected number ${index + 1}`);
      const sql = readFileSync(`${directory}/${file}`, 'utf8');
      return { version, name: file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export function migrate(database: Database.Database, migrations = readMigrations()): void {
  database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied = database
    .prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version')
    .all() as Array<Pick<Migration, 'version' | 'name' | 'checksum'>>;

  const newest = migrations.at(-1)?.version ?? 0;
  const ahead = applied.filter((row) => row.version > newest);
  if (ahead.length > 0) {
    throw new SchemaMismatchError(
      `The database has schema version ${ahead.at(-1)!.version}, but this Leadtrail only knows up to ${newest}. ` +
        'It was written by a newer Leadtrail: upgrade Leadtrail, or point LEADTRAIL_DB at another file.',
    );
  }
  for (const row of applied) {
    const known = migrations[row.version - 1];
    if (!known || known.name !== row.name || known.checksum !== row.checksum) {
      throw new SchemaMismatchError(
        `Migration ${row.version} (${row.name}) in the database differs from ${known?.name ?? 'nothing'} in this Leadtrail. ` +
          'The database was written by a different build; refusing to start rather than guess.',
      );
    }
  }

  const record = database.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  for (const migration of migrations.slice(applied.length)) {
    database.transaction(() => {
      database.exec(migration.sql);
      record.run(migration.version, migration.name, migration.checksum, Date.now());
    })();
  }
}
