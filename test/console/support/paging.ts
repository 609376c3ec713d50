import type { Page } from 'playwright-core';
import { eventually } from '../../helpers/admin-client.js';
import { UI_TIMEOUT_MS } from './console-page.js';

/**
 * Reads a paged list from its first page to its last, pressing Next until it
 * is disabled, as a person would: the items each page showed, in order.
 * `itemsShown` names the items on screen now (row ids, say).
 */
export async function readEveryPage(page: Page, pagerLabel: string, itemsShown: () => Promise<string[]>, maxPages = 20): Promise<string[][]> {
  const pager = page.getByRole('navigation', { name: `${pagerLabel} pages` });
  const pages: string[][] = [];
  for (let n = 1; n <= maxPages; n++) {
    await pager.getByText(`Page ${n}`, { exact: true }).waitFor();
    // Right after Next, the previous page's rows may still be on screen: wait for this page's own.
    const previous = pages.at(-1) ?? [];
    let items: string[] = [];
    await eventually(async () => {
      items = await itemsShown();
      return items.length > 0 && items.every((item) => !previous.includes(item));
    }, UI_TIMEOUT_MS, `page ${n} of ${pagerLabel} to show items that page ${n - 1} did not (an item repeated on the next page fails here)`);
    pages.push(items);
    const next = pager.getByRole('button', { name: 'Next' });
    if (await next.isDisabled()) return pages;
    await next.click();
  }
  throw new Error(`${pagerLabel} still had a next page after ${maxPages} pages`);
}
