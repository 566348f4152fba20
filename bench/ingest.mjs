// Ingest throughput: POST /collect of the real collector (`leadtrail serve`, built dist/) against
// bare Fastify answering 204, in the same run, from this second process with autocannon.
//
//   node bench/ingest.mjs [--duration 10] [--runs 3] [--connections 50] [--warmup 2] [--models realistic,worst]
//
// Each server first takes `--warmup` seconds of the same traffic, unmeasured (both the same way):
// the figures are of a warmed-up process — its code compiled by the JIT, its caches filled — as a
// server is after its first seconds in production.
//
// Traffic models (each batch: 3 events, about 700 bytes, as the snippet sends):
//   realistic  — visitors arrive over time; 500 are active at once, each sends 5 batches, then
//                the next 500 arrive (sequential arrival, as real sites see it);
//   worst      — every batch from a new random visitor.
// Afterwards the collector is stopped with SIGTERM, which stitches whatever the load left in the
// inbox folder (the time that takes is reported as the catch-up), and the events in the database
// are counted: every batch answered 204 must be in the trail, none set aside.
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';

const { values } = parseArgs({ options: { duration: { type: 'string', default: '10' }, runs: { type: 'string', default: '3' }, connections: { type: 'string', default: '50' }, warmup: { type: 'string', default: '2' }, models: { type: 'string', default: 'realistic,worst' } } });
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const RUNS = Number(values.runs);
const CONNECTIONS = Number(values.connections);
const ORIGIN = 'https://www.acme-valves.com';
const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const ACTIVE_VISITORS = 500;
const BATCHES_PER_VISITOR = 5;

function start(command, args, env) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      const text = chunk.toString();
      if (/ready|Leadtrail dashboard/.test(text)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

const stop = (child) => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });

let sequence = 0;
const runId = randomBytes(4).toString('hex');

/** One batch as the snippet sends it. `visitor` and `batchNumber` shape the traffic model. */
function batchBody(siteKey, visitor, batchNumber) {
  const now = Date.now();
  const page = `${ORIGIN}/products/valve-${batchNumber}`;
  const id = (k) => `${runId}${(sequence++).toString(36)}${k}`;
  return JSON.stringify({
    site: siteKey, visitor, sent_at: now, tz: 'Europe/Berlin', lang: 'de-DE', screen: '1920x1080',
    events: [
      { id: id('a'), type: 'pageview', ts: now - 3000, url: batchNumber === 0 ? `${page}?utm_source=alibaba.com&utm_medium=referral` : page, title: `Stainless ball valve DN${50 + batchNumber} — Acme Valves`, referrer: batchNumber === 0 ? 'https://message.alibaba.com/' : `${ORIGIN}/products` },
      { id: id('b'), type: 'engagement', ts: now - 1500, url: page, seconds: 14, scroll: 62 },
      { id: id('c'), type: 'chat_open', ts: now - 1000, url: page, provider: 'whatsapp', target: '8613800000000' },
    ],
  });
}

const trafficModels = {
  realistic(siteKey) {
    let index = 0;
    return () => {
      const round = Math.floor(index / (ACTIVE_VISITORS * BATCHES_PER_VISITOR));
      // 20 characters, as the snippet's visitor ids.
      const visitor = `${runId}v${String(round * ACTIVE_VISITORS + (index % ACTIVE_VISITORS)).padStart(11, '0')}`;
      const batchNumber = Math.floor(index / ACTIVE_VISITORS) % BATCHES_PER_VISITOR;
      index++;
      return batchBody(siteKey, visitor, batchNumber);
    };
  },
  worst(siteKey) {
    return () => batchBody(siteKey, randomBytes(10).toString('hex'), 0);
  },
};

/** More bodies than any server here can take in the run: built before it, so the client spends its time sending. */
const BODIES_PER_SECOND = 50_000;

/**
 * A full garbage collection of this process, between loads. The bodies of a load are hundreds of MB
 * of strings: without it, the next load's run pays for collecting the last one's, in this process
 * and on the cores the servers share with it.
 */
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

async function load(port, nextBody, duration = DURATION) {
  collectGarbage();
  const bodies = Array.from({ length: duration * BODIES_PER_SECOND }, nextBody);
  collectGarbage();
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration,
    requests: [{
      method: 'POST', path: '/collect',
      headers: { 'content-type': 'text/plain;charset=UTF-8', origin: ORIGIN, 'user-agent': USER_AGENT },
      setupRequest: (request) => ({ ...request, body: bodies[next++] ?? nextBody() }),
    }],
  });
  return { rps: result.requests.average, p99: result.latency.p99, ok: result['2xx'], non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

/** The warm-up, then the measured load, of the same traffic; `ok` and `non2xx` count both (every answered batch is checked). */
async function warmedUpLoad(port, nextBody) {
  const warmup = WARMUP > 0 ? await load(port, nextBody, WARMUP) : { ok: 0, non2xx: 0 };
  const measured = await load(port, nextBody);
  return { ...measured, ok: measured.ok + warmup.ok, non2xx: measured.non2xx + warmup.non2xx };
}

const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

const directory = mkdtempSync(join(tmpdir(), 'leadtrail-bench-'));
const report = [];
for (const model of values.models.split(',')) {
  if (!(model in trafficModels)) throw new Error(`unknown traffic model ${model}: ${Object.keys(trafficModels).join(', ')}`);
  const bare = [];
  const collect = [];
  let verified = true;
  for (let run = 0; run < RUNS; run++) {
    const barePort = 4100 + run;
    const bareServer = await start(process.execPath, ['bench/bare-fastify.mjs', String(barePort)]);
    bare.push(await warmedUpLoad(barePort, trafficModels[model]('bare')));
    await stop(bareServer);

    // Each run's database and inbox (hundreds of MB) go once they are counted.
    const runDirectory = join(directory, `${model}-${run}`);
    mkdirSync(runDirectory);
    const database = join(runDirectory, 'leadtrail.db');
    const environment = { LEADTRAIL_DB: database, LEADTRAIL_RATE_LIMIT: '0', LOG_LEVEL: 'info', LEADTRAIL_ADMIN_PASSWORD: 'bench-password' };
    const added = execFileSync(process.execPath, ['bin/leadtrail.js', 'site', 'add', 'Bench', '--domain', 'acme-valves.com'], { env: { ...process.env, ...environment } }).toString();
    const siteKey = /Site key: (\w+)/.exec(added)[1];
    const port = 4200 + run;
    const server = await start(process.execPath, ['bin/leadtrail.js', 'serve'], { ...environment, PORT: String(port) });
    const figures = await warmedUpLoad(port, trafficModels[model](siteKey));
    const stopping = Date.now();
    await stop(server);
    figures.catchUpSeconds = +((Date.now() - stopping) / 1000).toFixed(1);
    const stored = new Database(database, { readonly: true });
    figures.storedEvents = stored.prepare('SELECT count(*) FROM events').pluck().get();
    figures.setAside = stored.prepare('SELECT count(*) FROM ingest_failures').pluck().get();
    const usedBytes = (stored.pragma('page_count', { simple: true }) - stored.pragma('freelist_count', { simple: true })) * stored.pragma('page_size', { simple: true });
    figures.bytesPerEvent = Math.round(usedBytes / figures.storedEvents);
    stored.close();
    rmSync(runDirectory, { recursive: true, force: true });
    // Every batch answered 204 holds 3 events that must be on disk; batches still in flight when
    // the load stopped may be stored too, so more is fine, fewer is data loss.
    if (figures.storedEvents < figures.ok * 3 || figures.setAside > 0 || figures.non2xx > 0) verified = false;
    collect.push(figures);
    console.log(model, 'run', run + 1, 'bare', bare.at(-1), 'collect', figures);
  }
  const bareRps = median(bare.map((figure) => figure.rps));
  const collectRps = median(collect.map((figure) => figure.rps));
  report.push({ model, bareRps, bareP99: median(bare.map((f) => f.p99)), collectRps, collectP99: median(collect.map((f) => f.p99)), catchUpSeconds: median(collect.map((f) => f.catchUpSeconds)), ratio: +(collectRps / bareRps).toFixed(2), bytesPerEvent: median(collect.map((f) => f.bytesPerEvent)), everyAnsweredEventStored: verified });
}
rmSync(directory, { recursive: true, force: true });
console.table(report);
console.log(JSON.stringify(report));
