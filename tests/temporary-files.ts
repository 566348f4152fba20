/**
 * Every test makes its databases, inboxes and browser profiles under the system's temporary
 * folder (os.tmpdir()), and a run makes a few thousand of them, some 250 MB. Pointing TMPDIR at a
 * folder of this run's own — before the test processes start, which inherit it, as do the servers
 * and browsers they start — lets the run remove them all when it ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function useTemporaryFolderOfThisRun(): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'leadtrail-tests-'));
  process.env.TMPDIR = folder;
  return () => rmSync(folder, { recursive: true, force: true });
}
