import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_DIRECTORY } from '../../collector/paths.js';
import { createTestCollector, type TestCollector } from '../helpers/collector.js';

// lt.js, and lt-forms.js (form capture, which lt.js imports) served the same way.
describe.each(['lt.js', 'lt-forms.js'])('GET /%s', (name) => {
  let collector: TestCollector;
  const url = `/${name}`;
  const built = readFileSync(join(PUBLIC_DIRECTORY, name));

  beforeAll(async () => {
    collector = await createTestCollector();
  });
  afterAll(() => collector.close());

  it('serves the built snippet as JavaScript with caching headers', async () => {
    const response = await collector.app.inject({ url });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(response.headers.etag).toMatch(/^".+"$/);
    expect(response.rawPayload.equals(built)).toBe(true);
  });

  it('compresses with brotli or gzip as the browser offers', async () => {
    const brotli = await collector.app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(brotli.rawPayload).equals(built)).toBe(true);
    const gzip = await collector.app.inject({ url, headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).equals(built)).toBe(true);
    expect(gzip.headers.vary).toBe('Accept-Encoding');
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    const { etag } = (await collector.app.inject({ url })).headers;
    const revalidated = await collector.app.inject({ url, headers: { 'if-none-match': String(etag) } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
  });
});

describe('GET /lt-forms.js', () => {
  let collector: TestCollector;

  beforeAll(async () => {
    collector = await createTestCollector();
  });
  afterAll(() => collector.close());

  it('lets any site load it as a module script (import() fetches with CORS), also on revalidation', async () => {
    const response = await collector.app.inject({ url: '/lt-forms.js', headers: { origin: 'https://exporter.example' } });
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const revalidated = await collector.app.inject({ url: '/lt-forms.js', headers: { 'if-none-match': String(response.headers.etag) } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.headers['access-control-allow-origin']).toBe('*');
  });
});
