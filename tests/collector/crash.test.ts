/**
 * Durability (issue 4): `kill -9` of the real server in the middle of a load, then a restart —
 * every event answered 204 is stored exactly once, and SQLite's integrity check passes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BASE_TIME, MINUTE, batch, event, pageview } from '../helpers/batches.js';
import { DESKTOP_CHROME_USER_AGENT } from '../helpers/browser.js';
import { runCommand, startServerProcess } from '../helpers/process.js';

describe('kill -9 during a load', () => {
  it('keeps every acknowledged event, once, and a sound database', async () => {
    const database = join(mkdtempSync(join(tmpdir(), 'leadtrail-crash-')), 'leadtrail.db');
    const environment = { LEADTRAIL_DB: database, LEADTRAIL_RATE_LIMIT: '0' };
    const added = await runCommand(['site', 'add', 'Acme', '--domain', 'acme-valves.com'], environment);
    const siteKey = /Site key: (\w+)/.exec(added.stdout)![1]!;
    const server = await startServerProcess(environment);

    const acknowledged: string[] = [];
    let sent = 0;
    let stopped = false;
    // 20 browsers sending batches of 3 as fast as the server answers, until the server dies.
    const senders = Array.from({ length: 20 }, async (_, sender) => {
      for (let round = 0; !stopped; round++) {
        const visitor = `crash-visitor-${sender}-${Math.floor(round / 5)}`;
        const events = [
          pageview(BASE_TIME + round * MINUTE, `https://acme-valves.com/p/${round}`),
          event('engagement', BASE_TIME + round * MINUTE + 1000, `https://acme-valves.com/p/${round}`, { seconds: 5, scroll: 50 }),
          event('chat_open', BASE_TIME + round * MINUTE + 2000, `https://acme-valves.com/p/${round}`, { provider: 'whatsapp', target: '8613800000000' }),
        ];
        sent += 1;
        try {
          const response = await fetch(`${server.url}/collect`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain', 'user-agent': DESKTOP_CHROME_USER_AGENT },
            body: JSON.stringify(batch(siteKey, visitor, events)),
          });
          if (response.status === 204) acknowledged.push(...events.map((item) => item.id));
        } catch {
          // The server is gone: this batch was never acknowledged.
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await server.stop('SIGKILL')).toBeNull();
    stopped = true;
    await Promise.all(senders);
    expect(acknowledged.length).toBeGreaterThan(100);

    // The restart runs recovery (WAL replay) and serves again.
    const restarted = await startServerProcess(environment);
    await restarted.stop();

    const raw = new Database(database, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    const storedIds = new Set(raw.prepare('SELECT client_event_id FROM events').pluck().all() as string[]);
    const missing = acknowledged.filter((id) => !storedIds.has(id));
    expect(missing).toEqual([]);
    const total = raw.prepare('SELECT count(*) FROM events').pluck().get() as number;
    // Once: no id twice, and nothing beyond what was sent.
    expect(storedIds.size).toBe(total);
    expect(total).toBeLessThanOrEqual(sent * 3);
    raw.close();
  });
});
