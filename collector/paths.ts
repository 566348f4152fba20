/**
 * Where the built browser assets live. The collector runs both from TypeScript sources (tests)
 * and from dist/ (npm start), so the package root is found by walking up to package.json.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let directory = start;
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`No package.json above ${start}`);
    directory = parent;
  }
  return directory;
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
/** rollup writes lt.js and the dashboard here (see rollup.config.mjs). */
export const PUBLIC_DIRECTORY = join(PACKAGE_ROOT, 'dist', 'public');
/**
 * The ingest worker thread's entry, always the compiled file: Node 20 cannot start a worker from
 * TypeScript, so tests that build the app from sources run the worker `npm run build` compiled.
 */
export const INGEST_WORKER_FILE = join(PACKAGE_ROOT, 'dist', 'collector', 'ingest', 'worker.js');
/** The inbox's sync thread (ingest/sync-thread.ts), compiled like the ingest worker. */
export const SYNC_THREAD_FILE = join(PACKAGE_ROOT, 'dist', 'collector', 'ingest', 'sync-thread-main.js');
