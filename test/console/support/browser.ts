import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`.ci/run` installs it); NIMBUS_TEST_CHROMIUM points elsewhere. No browser is downloaded. */
export const CHROMIUM_PATH = process.env['NIMBUS_TEST_CHROMIUM'] || '/usr/bin/chromium';

/** Why the browser tests cannot run here, or false when they can (for `describe(..., { skip })`). */
export function browserSkipReason(): string | false {
  return existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set NIMBUS_TEST_CHROMIUM)`;
}

/** One headless browser per test file; each test takes a fresh context from it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true });
}
