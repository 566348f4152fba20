// Makes sure Debian's Chromium is present for the browser tests, so `npm test` passes on a fresh
// machine. Playwright's own browser download cannot work here (no internet but npm and Debian), so
// we install the distribution package instead, as root, once.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CHROMIUM_PATH = process.env.LEADTRAIL_CHROMIUM ?? '/usr/bin/chromium';

if (existsSync(CHROMIUM_PATH)) process.exit(0);

if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  console.error(`Chromium is missing at ${CHROMIUM_PATH}. Install it (Debian: apt-get install -y chromium) or set LEADTRAIL_CHROMIUM.`);
  process.exit(1);
}

console.log('Chromium is missing: installing Debian\'s chromium package for the browser tests…');
const environment = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update'], { stdio: 'inherit', env: environment });
execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env: environment });
if (!existsSync(CHROMIUM_PATH)) {
  console.error(`apt-get finished but ${CHROMIUM_PATH} is still missing.`);
  process.exit(1);
}
