import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeployResult } from '../../../src/cli/admin-client.js';
import type { AppDeployer } from '../../../src/cli/deploy-app.js';
import { DevSession } from '../../../src/cli/dev/dev-session.js';
import { clockTime } from '../../../src/cli/dev/format-log-line.js';

test('a deploy\'s line is stamped when it went live, after the node\'s own "version live" line, not when it began', async () => {
  let now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const began = now;
  const result = { app: 'hello', version: 2, unchanged: false, functions: [] } as unknown as DeployResult;
  // Only the method the session calls: a deploy that takes 3 s.
  const deployer = {
    async deploy() {
      now += 3_000;
      return { result, steps: [], totalMs: 3_000 };
    },
  } as unknown as AppDeployer;
  const out: string[] = [];
  const session = new DevSession({ deployer, out: (line) => out.push(line), err: () => {}, now: () => now });
  await session.redeploy();
  assert.ok(out[0]!.startsWith(`${clockTime(began + 3_000)} Deployed hello v2`), out[0]);
});
