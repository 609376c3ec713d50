import type { Page } from 'playwright-core';

/** The accessible name of the focused element, roughly as a screen reader reads it (aria-label, its label, or its text). */
export async function focusedName(page: Page): Promise<string> {
  return (await page.evaluate(`(() => {
    const el = document.activeElement;
    if (!el) return '';
    const label = el.id ? document.querySelector('label[for="' + el.id + '"]') : null;
    return (el.getAttribute('aria-label') || (label && label.textContent) || el.textContent || '').trim();
  })()`)) as string;
}

/** Presses Tab until the focused element is the one named (bounded), as a keyboard user would. */
export async function tabTo(page: Page, name: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if ((await focusedName(page)) === name) return;
  }
  throw new Error(`${name} was not reached with ${limit} presses of Tab`);
}

/** Starts tabbing from the top of the page, as after a page load. */
export async function fromTheTop(page: Page): Promise<void> {
  await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');
  await page.locator('body').focus();
}

/**
 * The focused element's name once it is `expected`, or whatever has focus after
 * `timeoutMs`: a closed dialog hands focus back a moment after it leaves the page
 * (its cleanup runs after the removal is visible), so one read right away can see the body.
 */
export async function focusedNameSettling(page: Page, expected: string, timeoutMs = 2_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let name = await focusedName(page);
  while (name !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    name = await focusedName(page);
  }
  return name;
}
