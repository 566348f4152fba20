/**
 * The ingest worker runs from dist/ (Node 20 cannot start a worker thread from TypeScript), so a
 * test run must not use a stale build of it: when any collector source is newer than the compiled
 * worker, the server is compiled again first. `npm test` builds everything anyway; this covers
 * `npx vitest` straight after an edit.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { INGEST_WORKER_FILE, PACKAGE_ROOT } from '../collector/paths.js';

function newestChange(directory: string): number {
  return Math.max(
    ...readdirSync(directory, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? newestChange(join(directory, entry.name)) : statSync(join(directory, entry.name)).mtimeMs,
    ),
  );
}

export default function compileServerIfStale(): void {
  let builtAt = 0;
  try {
    builtAt = statSync(INGEST_WORKER_FILE).mtimeMs;
  } catch {
    // Never built: compile below.
  }
  if (newestChange(join(PACKAGE_ROOT, 'collector')) <= builtAt) return;
  execFileSync(process.execPath, [join(PACKAGE_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/copy-migrations.mjs'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
}
