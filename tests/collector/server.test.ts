/**
 * The shipped command end to end: `leadtrail serve` as a real process (built dist/), its logs,
 * its graceful stop, and the one-shot commands against the same database file.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BASE_TIME, MINUTE, batch, formSubmit, pageview } from '../helpers/batches.js';
import { DESKTOP_CHROME_USER_AGENT } from '../helpers/browser.js';
import { runCommand, startServerProcess } from '../helpers/process.js';

const temporaryDatabase = () => join(mkdtempSync(join(tmpdir(), 'leadtrail-server-')), 'nested', 'leadtrail.db');
const PASSWORD = 'export-manager-2026';

async function login(url: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password }) });
  expect(response.status).toBe(200);
  return response.headers.getSetCookie()[0]!.split(';')[0]!;
}

describe('leadtrail serve', () => {
  it('serves lt.js, logs in with LEADTRAIL_ADMIN_PASSWORD, and keeps accepted events across a SIGTERM restart', async () => {
    const database = temporaryDatabase();
    const environment = { LEADTRAIL_DB: database, LEADTRAIL_ADMIN_PASSWORD: PASSWORD };
    const first = await startServerProcess(environment);
    try {
      expect(first.logs.find((entry) => entry.msg === 'Leadtrail dashboard')).toMatchObject({ url: `${first.url}/` });
      const script = await fetch(`${first.url}/lt.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toMatch(/javascript/);

      const cookie = await login(first.url, PASSWORD);
      const site = await (await fetch(`${first.url}/api/sites`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Acme', domains: ['acme-valves.com'] }) })).json();
      const events = [pageview(BASE_TIME, 'https://acme-valves.com/'), formSubmit(BASE_TIME + MINUTE, 'https://acme-valves.com/contact', { email: 'buyer@example.com' })];
      const collected = await fetch(`${first.url}/collect`, { method: 'POST', headers: { 'content-type': 'text/plain', 'user-agent': DESKTOP_CHROME_USER_AGENT }, body: JSON.stringify(batch(site.key, 'visitor-restart', events)) });
      expect(collected.status).toBe(204);
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }

    const second = await startServerProcess(environment);
    try {
      const cookie = await login(second.url, PASSWORD);
      const [site] = (await (await fetch(`${second.url}/api/sites`, { headers: { cookie } })).json()).sites;
      const csv = await (await fetch(`${second.url}/api/leads.csv?site=${site.key}`, { headers: { cookie } })).text();
      expect(csv).toContain('buyer@example.com');
    } finally {
      expect(await second.stop('SIGINT')).toBe(0);
    }
    const raw = new Database(database, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
  });

  it('generates an admin password on first start without LEADTRAIL_ADMIN_PASSWORD and prints it once', async () => {
    const environment = { LEADTRAIL_DB: temporaryDatabase(), LEADTRAIL_ADMIN_PASSWORD: '' };
    const server = await startServerProcess(environment);
    let password: string;
    try {
      const announcement = server.logs.find((entry) => typeof entry.password === 'string');
      password = announcement!.password as string;
      expect(password.length).toBeGreaterThanOrEqual(16);
      await login(server.url, password);
    } finally {
      await server.stop();
    }
    const again = await startServerProcess(environment);
    try {
      expect(again.logs.some((entry) => 'password' in entry)).toBe(false);
      await login(again.url, password);
    } finally {
      await again.stop();
    }
  });

  it('refuses to start on a database from a newer Leadtrail, saying why', async () => {
    const database = temporaryDatabase();
    expect((await runCommand(['site', 'add', 'Acme', '--domain', 'acme.com'], { LEADTRAIL_DB: database })).code).toBe(0);
    const raw = new Database(database);
    raw.prepare("INSERT INTO schema_migrations VALUES (99, '099_future.sql', 'x', 0)").run();
    raw.close();
    const result = await runCommand(['serve'], { LEADTRAIL_DB: database, PORT: '0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/newer Leadtrail/);
  });
});

describe('leadtrail commands', () => {
  it('adds a site, exports its leads to a file, and erases a person by email', async () => {
    const database = temporaryDatabase();
    const environment = { LEADTRAIL_DB: database, LEADTRAIL_PUBLIC_URL: 'https://track.acme-valves.com' };
    const added = await runCommand(['site', 'add', 'Acme Valves', '--domain', 'acme-valves.com', '--domain', 'acme.de'], environment);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`days reported in ${Intl.DateTimeFormat().resolvedOptions().timeZone}`);
    const key = /Site key: (\w+)/.exec(added.stdout)![1]!;
    expect(added.stdout).toContain(`<script defer src="https://track.acme-valves.com/lt.js" data-site="${key}"></script>`);

    // Events arrive through the same app the server runs.
    const server = await startServerProcess({ LEADTRAIL_DB: database });
    try {
      const body = batch(key, 'visitor-cli', [formSubmit(BASE_TIME, 'https://acme.de/kontakt', { email: 'Einkauf@Kunde.de', name: 'Jürgen Käufer' })]);
      const response = await fetch(`${server.url}/collect`, { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://www.acme.de', 'user-agent': DESKTOP_CHROME_USER_AGENT }, body: JSON.stringify(body) });
      expect(response.status).toBe(204);
    } finally {
      await server.stop();
    }

    const out = join(mkdtempSync(join(tmpdir(), 'leadtrail-export-')), 'leads.csv');
    const exported = await runCommand(['export', 'leads', '--site', key, '--out', out], environment);
    expect(exported.code).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv.startsWith('\uFEFFemail,name,')).toBe(true);
    expect(csv).toContain('einkauf@kunde.de,Jürgen Käufer');
    expect(csv).toContain('https://track.acme-valves.com/people/');

    const erased = await runCommand(['erase', '--email', 'EINKAUF@kunde.de'], environment);
    expect(erased.stdout).toMatch(/Erased 1 person/);
    const toStdout = await runCommand(['export', 'leads', '--site', key], environment);
    expect(toStdout.stdout.trimEnd().split('\r\n')).toHaveLength(1);
  });

  it('adds a site that reports in the time zone given', async () => {
    const added = await runCommand(['site', 'add', 'Acme', '--domain', 'acme.com', '--time-zone', 'Asia/Kolkata'], { LEADTRAIL_DB: temporaryDatabase() });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('days reported in Asia/Kolkata');
  });

  it('explains bad usage with exit code 2', async () => {
    const environment = { LEADTRAIL_DB: temporaryDatabase() };
    const badZone = ['site', 'add', 'Acme', '--domain', 'acme.com', '--time-zone', 'Mars/Olympus_Mons'];
    for (const args of [['site', 'add', 'No domain'], badZone, ['export', 'leads'], ['erase', '--email', 'nope'], ['frobnicate']]) {
      const result = await runCommand(args, environment);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(/Usage: leadtrail/);
    }
  });
});
