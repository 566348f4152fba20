/**
 * The snippet's size budget (STYLE rule 8): every byte of lt.js is downloaded by every visitor of
 * every exporter's site, and lt-forms.js by every visitor of a page with a form. Measured on the
 * built files that /lt.js and /lt-forms.js serve.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PUBLIC_DIRECTORY } from '../../collector/paths.js';

/**
 * lt.js: issue 3's budget, 3 KiB gzip (for comparison, Umami's script is 2,245 B and Plausible's
 * 2,694 B gzip). lt-forms.js: just above its built size (2,158 B on 2026-11-24) with every form
 * plugin, so nothing grows unnoticed. `node bench/snippet-size.mjs --modules` shows where the bytes are.
 */
const GZIP_BUDGET_BYTES = { 'lt.js': 3072, 'lt-forms.js': 2200 };

describe.each(Object.entries(GZIP_BUDGET_BYTES))('%s size', (name, budget) => {
  const built = readFileSync(join(PUBLIC_DIRECTORY, name));

  it(`stays within ${budget} bytes gzip`, () => {
    const gzipBytes = gzipSync(built, { level: 9 }).length;
    console.log(`${name}: ${built.length} B raw, ${gzipBytes} B gzip, ${brotliCompressSync(built).length} B brotli`);
    expect(gzipBytes).toBeLessThanOrEqual(budget);
  });
});
