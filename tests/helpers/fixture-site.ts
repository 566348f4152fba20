/**
 * A stand-in for an exporter's website: serves tests/fixtures/site/*.html on its own origin
 * (http://localhost:PORT, a different origin from the collector), with `{{COLLECTOR}}` and
 * `{{SITE_KEY}}` filled in so each page carries the real tag. POSTs answer with the page of
 * the path, as a form's thank-you page would.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, normalize } from 'node:path';

const FIXTURES = fileURLToPath(new URL('../fixtures/site/', import.meta.url));

export interface FixtureSite {
  /** e.g. http://localhost:41234 */
  origin: string;
  close(): Promise<void>;
}

export async function serveFixtureSite(values: { collector: string; siteKey: string }): Promise<FixtureSite> {
  const server: Server = createServer(async (request, response) => {
    // Drain a form POST body before answering, as a real server would.
    for await (const _chunk of request) void _chunk;
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = normalize(join(FIXTURES, path === '/' ? 'index.html' : path.endsWith('.html') ? path : `${path}.html`));
    if (!file.startsWith(FIXTURES)) return void response.writeHead(403).end();
    try {
      const html = (await readFile(file, 'utf8')).replaceAll('{{COLLECTOR}}', values.collector).replaceAll('{{SITE_KEY}}', values.siteKey);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } catch {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
