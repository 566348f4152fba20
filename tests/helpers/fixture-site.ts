/**
 * A stand-in for an exporter's website: serves the pages of a fixture folder (default
 * tests/fixtures/site) on its own origin (http://localhost:PORT, not the collector's), with
 * `{{COLLECTOR}}` and `{{SITE_KEY}}` filled in so each page carries the real tag, and
 * `/vendor/jquery.js` for pages that mimic jQuery-based plugins, and the folder's own `.js` files. POSTs answer with the page of
 * the path, as a form's thank-you page would; `/api/echo` answers AJAX posts with `{ ok: true }`.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join, normalize } from 'node:path';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const JQUERY = createRequire(import.meta.url).resolve('jquery/dist/jquery.min.js');

export interface FixtureSite {
  /** e.g. http://localhost:41234 */
  origin: string;
  /** Request bodies received at /api/echo, newest last. */
  echoed: string[];
  close(): Promise<void>;
}

export async function serveFixtureSite(values: { collector: string; siteKey: string; folder?: string }): Promise<FixtureSite> {
  const root = join(FIXTURES, values.folder ?? 'site');
  const echoed: string[] = [];
  const server: Server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/vendor/jquery.js') {
      return void response.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(JQUERY));
    }
    if (path === '/api/echo') {
      echoed.push(body);
      return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }
    // Pages are served without their .html, as sites do; scripts shared by a folder's pages as they are.
    const isScript = path.endsWith('.js');
    const file = normalize(join(root, path === '/' ? 'index.html' : path.endsWith('.html') || isScript ? path : `${path}.html`));
    if (!file.startsWith(root)) return void response.writeHead(403).end();
    try {
      const text = (await readFile(file, 'utf8')).replaceAll('{{COLLECTOR}}', values.collector).replaceAll('{{SITE_KEY}}', values.siteKey);
      response.writeHead(200, { 'content-type': isScript ? 'text/javascript' : 'text/html; charset=utf-8' }).end(text);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://localhost:${port}`,
    echoed,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
