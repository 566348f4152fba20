import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_DIRECTORY } from '../../collector/paths.js';
import { createTestCollector, type TestCollector } from '../helpers/collector.js';

describe('GET /lt.js', () => {
  let collector: TestCollector;
  const built = readFileSync(join(PUBLIC_DIRECTORY, 'lt.js'));

  beforeAll(async () => {
    collector = await createTestCollector();
  });
  afterAll(() => collector.close());

  it('serves the built snippet as JavaScript with caching headers', async () => {
    const response = await collector.app.inject({ url: '/lt.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(response.headers.etag).toMatch(/^".+"$/);
    expect(response.rawPayload.equals(built)).toBe(true);
  });

  it('compresses with brotli or gzip as the browser offers', async () => {
    const brotli = await collector.app.inject({ url: '/lt.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(brotli.rawPayload).equals(built)).toBe(true);
    const gzip = await collector.app.inject({ url: '/lt.js', headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).equals(built)).toBe(true);
    expect(gzip.headers.vary).toBe('Accept-Encoding');
  });

  it('answers a matching If-None-Match with 304 and no body', async () => {
    const { etag } = (await collector.app.inject({ url: '/lt.js' })).headers;
    const revalidated = await collector.app.inject({ url: '/lt.js', headers: { 'if-none-match': String(etag) } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
  });
});
