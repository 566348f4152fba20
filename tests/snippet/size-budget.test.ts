/**
 * The snippet's size budget (STYLE rule 8): every byte of lt.js is downloaded by every visitor of
 * every exporter's site. Measured on the built file that /lt.js serves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PUBLIC_DIRECTORY } from '../../collector/paths.js';

/**
 * Today's ceiling, just above the built size (4,784 B on 2026-11-24) with every form plugin and chat
 * widget, so nothing grows unnoticed. Issue 3's target is 3,072 B gzip and is still not met; for
 * comparison, Umami's script is 2,245 B and Plausible's 2,694 B gzip. `node bench/snippet-size.mjs
 * --modules` shows where the bytes are.
 */
const GZIP_BUDGET_BYTES = 4800;

describe('lt.js size', () => {
  const built = readFileSync(join(PUBLIC_DIRECTORY, 'lt.js'));

  it(`stays within ${GZIP_BUDGET_BYTES} bytes gzip`, () => {
    const gzipBytes = gzipSync(built, { level: 9 }).length;
    console.log(`lt.js: ${built.length} B raw, ${gzipBytes} B gzip, ${brotliCompressSync(built).length} B brotli`);
    expect(gzipBytes).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
  });
});
