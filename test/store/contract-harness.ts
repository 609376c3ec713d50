import { test } from 'node:test';

/**
 * `test`, each with a fresh harness from `newHarness` (a new, empty store of the
 * backend under test), closed afterwards whatever the test did.
 */
export function withFreshStore<H extends { close(): Promise<void> }>(newHarness: () => Promise<H>): (title: string, fn: (h: H) => Promise<void>) => void {
  return (title, fn) =>
    test(title, async () => {
      const h = await newHarness();
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    });
}
