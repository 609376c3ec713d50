import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CONSOLE_PATH = '/_nimbus/console/';
/** Long enough for a busy 2-core CI machine; every wait is for a condition, never a fixed time. */
export const UI_TIMEOUT_MS = 15_000;

export interface ConsoleTab {
  context: BrowserContext;
  page: Page;
  /** Script errors and console errors the page reported (a CSP refusal is one). */
  problems: string[];
  close(): Promise<void>;
}

/**
 * A fresh browser context (its own session storage) with one page, its errors collected.
 * `search` goes on the console's address, before the hash (`?pageSize=2`).
 */
export async function openConsole(browser: Browser, nodeUrl: string, search = ''): Promise<ConsoleTab> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A refused API call is logged as a failed resource load: the tests look at what the page shows for it instead.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console error: ${message.text()}`);
  });
  await page.goto(`${nodeUrl}${CONSOLE_PATH}${search}`);
  return { context, page, problems, close: () => context.close() };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('Admin key or read key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Opens a console page by its hash (`functions/shop/checkout`), each part encoded. */
export async function goTo(page: Page, ...parts: string[]): Promise<void> {
  await page.evaluate(`window.location.hash = ${JSON.stringify(`#/${parts.map(encodeURIComponent).join('/')}`)}`);
}
