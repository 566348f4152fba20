// Makes sure Debian's Chromium (and a font with Chinese glyphs, for the 简体中文 screenshots) is
// present for the browser tests, so `npm test` passes on a fresh machine. Playwright's own browser
// download cannot work here (no internet but npm and Debian), so we install the distribution
// packages instead, as root, once.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CHROMIUM_PATH = process.env.LEADTRAIL_CHROMIUM ?? '/usr/bin/chromium';
/** Without it Chromium draws Chinese text as empty boxes in screenshots (tests pass either way). */
const CHINESE_FONT_PATH = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';

const missing = [];
if (!existsSync(CHROMIUM_PATH)) missing.push('chromium');
if (!existsSync(CHINESE_FONT_PATH)) missing.push('fonts-wqy-microhei');
if (missing.length === 0) process.exit(0);

if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  if (missing.includes('chromium')) {
    console.error(`Chromium is missing at ${CHROMIUM_PATH}. Install it (Debian: apt-get install -y chromium) or set LEADTRAIL_CHROMIUM.`);
    process.exit(1);
  }
  console.warn('fonts-wqy-microhei is missing: Chinese text in screenshots will show as boxes.');
  process.exit(0);
}

console.log(`Installing Debian packages for the browser tests: ${missing.join(', ')}…`);
const environment = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update'], { stdio: 'inherit', env: environment });
execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env: environment });
if (!existsSync(CHROMIUM_PATH)) {
  console.error(`apt-get finished but ${CHROMIUM_PATH} is still missing.`);
  process.exit(1);
}
