// What lt.js (and lt-forms.js, which it imports on this page with forms) costs the page's main
// thread, in Chromium, against the real collector (`leadtrail serve` from the built dist/, on
// 127.0.0.1) — at load, and per form submit.
//
//   npm run build && node bench/snippet-cost.mjs [--runs 7] [--submits 20] [--throttle 1]
//
// A product page with a contact form is loaded with and without the tag, alternately, each time in
// a fresh browser context (nothing cached), `runs` times each:
//   load    — CDP Performance.getMetrics ScriptDuration and TaskDuration once the page has loaded and
//             lt.js has sent its first batch (1.3 s), with vs without the tag (median of the runs);
//             and, from a devtools.timeline trace of 3 more loads, the main-thread time of lt.js
//             and of lt-forms.js themselves: evaluating each, plus their callbacks that the event
//             loop ran (timers, listeners, fetch answers; the first send 1 s after load among them).
//   submit  — `submits` different forms submitted one by one (the page's own handler cancels the
//             navigation, as AJAX forms do); each submit timed around requestSubmit(), which runs
//             every submit listener synchronously, lt.js's included (read fields, queue, send).
// --throttle N slows the CPU N times (Emulation.setCPUThrottlingRate), e.g. 4 for a mid-range phone.
// Every run is checked against the collector's database: each submit stored once.
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, submits: { type: 'string', default: '20' }, throttle: { type: 'string', default: '1' } },
});
const RUNS = Math.min(Number(values.runs), 30);
const SUBMITS = Math.min(Number(values.submits), 100);
const THROTTLE = Number(values.throttle);
/** Traced loads (for lt.js's own main-thread time) run after the others: tracing slows the page. */
const TRACED_RUNS = Math.min(RUNS, 3);
/** lt.js sends its first batch a second after the pageview; the measurement waits past it. */
const SETTLE_MS = 1300;
/** Same flags as tests/helpers/browser.ts (a desktop user agent: the collector drops HeadlessChrome as a bot). */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-blink-features=AutomationControlled',
  '--user-agent=Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
];

const freePort = () =>
  new Promise((resolvePort, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });

async function startCollector(directory) {
  const environment = { ...process.env, LEADTRAIL_DB: join(directory, 'leadtrail.db'), LEADTRAIL_ADMIN_PASSWORD: 'bench-password', LOG_LEVEL: 'warn' };
  const added = execFileSync(process.execPath, [join(ROOT, 'bin/leadtrail.js'), 'site', 'add', 'Bench', '--domain', 'localhost'], { env: environment }).toString();
  const siteKey = /Site key: (\w+)/.exec(added)[1];
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'bin/leadtrail.js'), 'serve'], { env: { ...environment, PORT: String(port), LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolveStart, reject) => {
    child.stdout.on('data', (chunk) => /Leadtrail dashboard/.test(chunk.toString()) && resolveStart());
    child.once('exit', (code) => reject(new Error(`leadtrail serve exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    siteKey,
    database: environment.LEADTRAIL_DB,
    stop: () => new Promise((resolveStop) => (child.once('exit', resolveStop), child.kill('SIGTERM'))),
  };
}

/** An exporter's product page: a specification table, SUBMITS contact forms, the page's own AJAX handler. */
function productPage(tag) {
  const rows = Array.from({ length: 60 }, (_, index) => `<tr><td>CP-${index}</td><td>DN${15 + index * 5}</td><td>PN16</td><td>${(index * 1.7).toFixed(1)} m³/h</td></tr>`).join('');
  const forms = Array.from(
    { length: SUBMITS },
    (_, index) => `<form id="quote-${index}" action="/thanks" method="post">
      <label>First name <input name="first_name" value="Ana"></label><label>Last name <input name="last_name" value="Souza"></label>
      <label>Email <input type="email" name="email" value="ana.souza${index}@importadora.com.br"></label>
      <label>Phone <input type="tel" name="phone" value="+55 11 98765 4321"></label>
      <label>Company <input name="company" value="Importadora Souza Ltda"></label>
      <label>Country <select name="country"><option>Brazil</option><option>Chile</option></select></label>
      <label>Quantity <input name="quantity" value="200"></label>
      <label>Message <textarea name="message">Please quote 200 pcs CP-${index}, CIF Santos.</textarea></label>
      <input type="hidden" name="_wpnonce" value="abc123"><button>Send</button></form>`,
  ).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Centrifugal pumps — Ningbo Pumps</title>${tag}</head>
<body><nav>${'<a href="/p">Products</a> '.repeat(20)}</nav><h1>Centrifugal pumps</h1><table>${rows}</table>${forms}
<script>document.addEventListener('submit', (event) => event.preventDefault());</script></body></html>`;
}

async function servePages(collector) {
  const tag = `<script defer src="${collector.url}/lt.js" data-site="${collector.siteKey}"></script>`;
  const pages = { '/with': productPage(tag), '/without': productPage('') };
  const server = createServer((request, response) => {
    const page = pages[new URL(request.url, 'http://localhost').pathname];
    response.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(page ?? 'not found');
  });
  await new Promise((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return { origin: `http://localhost:${server.address().port}`, close: () => new Promise((resolveClose) => server.close(resolveClose)) };
}

/**
 * Main-thread milliseconds of `file` (lt.js or lt-forms.js) in a devtools.timeline trace: its
 * evaluation, and the callbacks the event loop ran in it (timers, listeners, fetch answers — the
 * first send among them). The submits are not in it: they run nested in the harness's own call,
 * and are timed on their own. lt-forms.js is a module: compiled (`v8.compileModule`, with its url)
 * apart from its evaluation (`v8.evaluateModule`, without one: the page has no other module).
 */
function snippetTime(trace, file) {
  let evaluate = 0;
  let callbacks = 0;
  for (const event of JSON.parse(trace).traceEvents) {
    if (event.ph !== 'X') continue;
    const ours = (event.args?.data?.url ?? '').endsWith(`/${file}`);
    if ((ours && (event.name === 'EvaluateScript' || event.name === 'v8.compileModule')) || (file === 'lt-forms.js' && event.name === 'v8.evaluateModule')) {
      evaluate += event.dur / 1000;
    } else if (ours && event.name === 'FunctionCall') callbacks += event.dur / 1000;
  }
  return { evaluate, callbacks };
}

/** One page load and its submits; `traced` records a devtools.timeline trace (which slows everything a little). */
async function measureRun(browser, site, variant, traced = false) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  if (THROTTLE > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
  if (traced) await browser.startTracing(page, { categories: ['devtools.timeline'] });
  await page.goto(`${site.origin}/${variant}`, { waitUntil: 'load' });
  if (variant === 'with') await page.waitForFunction(() => window.leadtrail && window.leadtrail.loaded);
  await page.waitForTimeout(SETTLE_MS);
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((metric) => [metric.name, metric.value]));
  const load = { script: metrics.ScriptDuration * 1000, task: metrics.TaskDuration * 1000 };
  const submits = await page.evaluate(() =>
    Array.from(document.forms, (form) => {
      const start = performance.now();
      form.requestSubmit();
      return performance.now() - start;
    }),
  );
  await page.waitForTimeout(300);
  const trace = traced ? (await browser.stopTracing()).toString() : undefined;
  await context.close();
  return { load, submits, snippet: trace && { core: snippetTime(trace, 'lt.js'), forms: snippetTime(trace, 'lt-forms.js') } };
}

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const percentile = (numbers, share) => [...numbers].sort((a, b) => a - b)[Math.min(numbers.length - 1, Math.floor(numbers.length * share))];
const round = (number) => Math.round(number * 100) / 100;

const directory = mkdtempSync(join(tmpdir(), 'leadtrail-bench-'));
const collector = await startCollector(directory);
const site = await servePages(collector);
const browser = await chromium.launch({ executablePath: process.env.LEADTRAIL_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version, chromium: browser.version(), loadavgAtStart: loadavg().map(round) };
console.log(`machine: ${JSON.stringify(machine)}; runs ${RUNS}, submits ${SUBMITS}, CPU throttle ${THROTTLE}x`);

const results = { with: [], without: [] };
const traced = [];
try {
  // One unmeasured load of each warms the collector and the browser's process pool.
  for (const variant of ['without', 'with']) await measureRun(browser, site, variant);
  for (let run = 0; run < RUNS; run++) {
    for (const variant of run % 2 ? ['with', 'without'] : ['without', 'with']) {
      const result = await measureRun(browser, site, variant);
      results[variant].push(result);
      console.log(`run ${run + 1} ${variant.padEnd(7)} script ${round(result.load.script)} ms, tasks ${round(result.load.task)} ms, submit median ${round(median(result.submits))} ms`);
    }
  }
  for (let run = 0; run < TRACED_RUNS; run++) {
    const { snippet } = await measureRun(browser, site, 'with', true);
    traced.push(snippet);
    const { core, forms } = snippet;
    console.log(`traced run ${run + 1}: lt.js evaluate ${round(core.evaluate)} ms, callbacks ${round(core.callbacks)} ms; lt-forms.js evaluate ${round(forms.evaluate)} ms, callbacks ${round(forms.callbacks)} ms`);
  }
} finally {
  await browser.close();
  await site.close();
  await collector.stop();
}

const database = new Database(collector.database, { readonly: true });
const storedSubmits = database.prepare("SELECT count(*) FROM events WHERE type = 'form_submit'").pluck().get();
const storedPageviews = database.prepare("SELECT count(*) FROM events WHERE type = 'pageview'").pluck().get();
database.close();
rmSync(directory, { recursive: true, force: true });

const loads = (variant, key) => median(results[variant].map((result) => result.load[key]));
const submitTimes = (variant) => results[variant].flatMap((result) => result.submits);
const summary = {
  date: new Date().toISOString().slice(0, 10),
  machine,
  runs: RUNS,
  submitsPerRun: SUBMITS,
  cpuThrottle: THROTTLE,
  loadScriptMs: { without: round(loads('without', 'script')), with: round(loads('with', 'script')), difference: round(loads('with', 'script') - loads('without', 'script')) },
  loadTaskMs: { without: round(loads('without', 'task')), with: round(loads('with', 'task')), difference: round(loads('with', 'task') - loads('without', 'task')) },
  snippetMainThreadMsTraced: Object.fromEntries(
    ['core', 'forms'].map((file) => [
      file,
      { evaluate: round(median(traced.map((snippet) => snippet[file].evaluate))), callbacks: round(median(traced.map((snippet) => snippet[file].callbacks))) },
    ]),
  ),
  submitMs: {
    withoutMedian: round(median(submitTimes('without'))),
    withMedian: round(median(submitTimes('with'))),
    withP90: round(percentile(submitTimes('with'), 0.9)),
    difference: round(median(submitTimes('with')) - median(submitTimes('without'))),
  },
  // The warm-up load counts too: every measured page sent its pageview, every submit arrived once.
  stored: { pageviews: storedPageviews, expectedPageviews: RUNS + 1 + TRACED_RUNS, formSubmits: storedSubmits, expectedFormSubmits: (RUNS + 1 + TRACED_RUNS) * SUBMITS },
};
console.log(JSON.stringify(summary, null, 2));
