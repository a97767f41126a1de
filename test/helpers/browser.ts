/**
 * An installed Chromium or Chrome driven by playwright-core (no Playwright browser download):
 * TS_CHROMIUM_PATH names it (CI points it at the runner's preinstalled Chrome), else Debian's
 * /usr/bin/chromium. Each launch gets a fresh temporary profile from Playwright and none of
 * Chromium's background traffic.
 */
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.TS_CHROMIUM_PATH || process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync'
];

/**
 * True when the browser exists and can be executed. Without one the browser tests must not pass
 * unnoticed: this throws, saying what to install or set, unless TS_SKIP_BROWSER_TESTS=1 asks
 * for them to be skipped.
 */
export function chromiumAvailable(): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return true;
  } catch {
    if (process.env.TS_SKIP_BROWSER_TESTS === '1') return false;
    throw new Error(
      `No browser for the end-to-end tests at ${CHROMIUM_PATH}. Install Chromium (Debian: apt-get install chromium), ` +
        'or set TS_CHROMIUM_PATH to a Chrome or Chromium executable, or set TS_SKIP_BROWSER_TESTS=1 to skip these tests.'
    );
  }
}

/** Launches headless Chromium; close it with `browser.close()` (which also removes its profile). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000
  });
}
