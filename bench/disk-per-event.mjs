// Disk bytes per event: 1 M realistic events (bench/realistic-traffic.mjs) stored through the real
// ingest path (inbox and stitcher), with the overview's rollups folded, then the SQLite file size (with its indexes, after a checkpoint folds in the WAL)
// divided by the number of events, and where the bytes are (SQLite's dbstat).
//
//   node bench/disk-per-event.mjs [--events 1000000]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../dist/collector/db/open.js';
import { createRepositories } from '../dist/collector/repositories/index.js';
import { createRollupRepository } from '../dist/collector/repositories/rollups.js';
import { storeRealisticTraffic } from './realistic-traffic.mjs';

const { values } = parseArgs({ options: { events: { type: 'string', default: '1000000' } } });

const directory = mkdtempSync(join(tmpdir(), 'leadtrail-disk-'));
const file = join(directory, 'leadtrail.db');
const database = openDatabase(file);
const repositories = createRepositories(database);
const site = await repositories.sites.createSite({ name: 'Acme', domains: ['acme-valves.com'] });
const startedAt = Date.now();
await storeRealisticTraffic(database, file, site, Number(values.events));
// A running server keeps the overview's rollups in the same file: fold them in before measuring.
await createRollupRepository(database).refreshRollups();
database.pragma('wal_checkpoint(TRUNCATE)');
const events = database.prepare('SELECT count(*) FROM events').pluck().get();
const tables = database.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all();
database.close();
const bytes = statSync(file).size;
// A million events take some 200 MB: a run leaves nothing behind.
rmSync(directory, { recursive: true, force: true });
console.log(`${events} events, ${(bytes / 2 ** 20).toFixed(1)} MiB, ${(bytes / events).toFixed(1)} bytes per event, stored in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
console.table(tables.map((table) => ({ ...table, perEvent: +(table.bytes / events).toFixed(1) })));
