/**
 * The web console: how soon a page is usable after navigation on loopback
 * (the target: first screen ready within 1 s), and the size of its
 * JavaScript against the 150 KB gzip budget.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { consoleAssetsDir } from '../../src/server/node.js';
import { browserSkipReason, launchBrowser } from '../../test/console/support/browser.js';
import type { BenchRow, BenchSection, SectionResult } from '../section.js';
import { startBenchNode, BENCH_ADMIN_KEY } from '../support/bench-node.js';
import { quantile, round } from '../support/stats.js';

const SAMPLES = 15;
const TARGET_MS = 1000;
const BUDGET_BYTES = 150 * 1024;
/** Where the console keeps the key for the tab (console/src/api/key-storage.ts). */
const KEY_ITEM = 'nimbus.console.key';

const APP = `
import { http } from 'nimbus-functions';
export const hello = http({ route: 'GET /hello' }, () => new Response('hi'));
`;

export const consoleSection: BenchSection = {
  name: 'console',
  title: 'Web console: navigation → first screen ready on loopback (fresh browser context, no cache) and JavaScript size vs budget',
  run: benchConsole,
};

export async function benchConsole(): Promise<SectionResult> {
  const size = sizeRow();
  const skip = browserSkipReason();
  if (skip) return { rows: [size], notes: [`Timings skipped: ${skip}.`] };
  const node = await startBenchNode();
  const browser = await launchBrowser();
  try {
    await node.deploy('bench', APP);
    for (let i = 0; i < 5; i++) await fetch(`${node.url}/hello`);
    const url = `${node.url}/_nimbus/console/`;
    const signIn = await timeScreen(browser, url, null, async (page) => page.getByLabel('Admin key or read key').waitFor());
    const overview = await timeScreen(browser, url, BENCH_ADMIN_KEY, async (page) => {
      await page.locator('.card', { hasText: 'Nodes alive' }).getByText('1 of 1').waitFor();
      await page.locator('[data-chart="invocations"] canvas').waitFor();
    });
    return {
      rows: [timingRow('sign-in page ready (form shown)', signIn), timingRow('Overview ready (signed in: counts and a drawn chart)', overview), size],
      notes: [
        'Each sample opens a new browser context (empty cache, new connection) and navigates; the time is the page\'s own performance.now() (from navigation start) once the named elements are on screen, as seen by Playwright\'s polling (which can add a few ms).',
        'The Overview sample includes the key check (GET /whoami) and the first /nodes, /apps and /stats answers.',
        `Headless Debian Chromium driven by playwright-core; ${SAMPLES} samples each.`,
      ],
    };
  } finally {
    await browser.close();
    await node.dispose();
  }
}

async function timeScreen(browser: Browser, url: string, key: string | null, ready: (page: import('playwright-core').Page) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const context = await browser.newContext();
    try {
      if (key !== null) await context.addInitScript(`sessionStorage.setItem(${JSON.stringify(KEY_ITEM)}, ${JSON.stringify(key)})`);
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'commit' });
      await ready(page);
      // The page's own clock starts at navigation: the browser's time, not the driver's.
      samples.push((await page.evaluate('performance.now()')) as number);
    } finally {
      await context.close();
    }
  }
  return samples;
}

function timingRow(measure: string, samples: number[]): BenchRow {
  const p50 = quantile(samples, 0.5);
  const worst = quantile(samples, 1);
  return { measure, samples: samples.length, p50: `${round(p50, 0)} ms`, worst: `${round(worst, 0)} ms`, target: `≤ ${TARGET_MS} ms`, met: worst <= TARGET_MS ? 'yes' : 'no' };
}

function sizeRow(): BenchRow {
  const dir = consoleAssetsDir();
  const gzip = readdirSync(dir).filter((n) => n.endsWith('.js')).reduce((sum, n) => sum + gzipSync(readFileSync(join(dir, n)), { level: 9 }).length, 0);
  return { measure: 'console JavaScript, gzip', samples: 1, p50: `${round(gzip / 1024, 1)} KB`, worst: '', target: `≤ ${BUDGET_BYTES / 1024} KB`, met: gzip <= BUDGET_BYTES ? 'yes' : 'no' };
}
