import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestNode, type TestNode } from '../../helpers/test-node.js';
import { launchBrowser } from './browser.js';
import { openConsole, signIn, type ConsoleTab } from './console-page.js';

export interface SignedInConsole {
  node: TestNode;
  browser: Browser;
  tab: ConsoleTab;
  /** Closes the tab, the browser and the node, whatever of them started. */
  close(): Promise<void>;
}

/**
 * What a page's test file starts from: a real node with `apps` deployed (each app's
 * files bundled as the CLI would), a browser, and a tab signed in with the admin key.
 * `beforeSignIn` runs with the tab open and the apps live (invocations to show, permissions to grant).
 */
export async function signedInConsole(
  apps: Record<string, Record<string, string>> = {},
  beforeSignIn?: (parts: { node: TestNode; tab: ConsoleTab }) => Promise<void>,
): Promise<SignedInConsole> {
  const [node, browser] = await Promise.all([startTestNode(), launchBrowser()]);
  let tab: ConsoleTab | undefined;
  const close = async (): Promise<void> => {
    await tab?.close();
    await browser.close();
    await node.dispose();
  };
  try {
    for (const [app, files] of Object.entries(apps)) {
      const deployed = await node.deploy(app, files);
      assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    }
    tab = await openConsole(browser, node.url);
    await beforeSignIn?.({ node, tab });
    await signIn(tab.page, node.adminKey);
    await tab.page.getByRole('navigation', { name: 'Console' }).waitFor();
    return { node, browser, tab, close };
  } catch (err) {
    await close();
    throw err;
  }
}
