/**
 * Launches Debian's Chromium through playwright-core for the browser tests. `npm test` installs
 * Chromium first (scripts/ensure-chromium.mjs); Playwright's own download cannot work here.
 */
import { chromium, type Browser } from 'playwright-core';

/** A desktop Chrome user agent: headless Chromium says `HeadlessChrome`, which isbot rightly drops. */
export const DESKTOP_CHROME_USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.LEADTRAIL_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Set at launch, not per context: a per-context override misses beacons sent while a page unloads.
      `--user-agent=${DESKTOP_CHROME_USER_AGENT}`,
      '--disable-blink-features=AutomationControlled',
    ],
  });
}
