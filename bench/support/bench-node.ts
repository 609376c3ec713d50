import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { bundleApp } from '../../src/cli/bundle/bundle-app.js';
import type { FunctionLogLine } from '../../src/runtime/lifecycle.js';
import type { BudgetState } from '../../src/budgets/budget.js';
import { startNode, type NodeOptions } from '../../src/server/node.js';
import { admin, instanceCount } from '../../test/helpers/admin-client.js';
import { bundleFiles } from '../../test/helpers/bundle.js';

export const BENCH_ADMIN_KEY = 'bench-admin-key';

/** A real node on 127.0.0.1 in this process, with a scratch data folder that `dispose` removes. */
export interface BenchNode {
  url: string;
  /** Bundles an app's `index.ts` source the way `nimbus deploy` does and makes it live. */
  deploy(app: string, source: string): Promise<void>;
  /** Writes an app folder and deploys it through the CLI's own bundler (format detection included: another platform's code too). */
  deployFolder(app: string, files: Record<string, string>): Promise<void>;
  /** Running instances of one function, as the admin API reports them. */
  instances(app: string, functionName: string): Promise<number>;
  /** Every line a function logs (how functions report timings measured inside them). */
  onFunctionLog(listener: (line: FunctionLogLine) => void): () => void;
  /** What the node's budgets look like now (limits, holders, waiters). */
  budgetStates(): BudgetState[];
  dispose(): Promise<void>;
}

export async function startBenchNode(options: Partial<NodeOptions> = {}): Promise<BenchNode> {
  const scratch = mkdtempSync(join(tmpdir(), 'nimbus-bench-'));
  const node = await startNode({
    host: '127.0.0.1', port: 0, dataDir: join(scratch, 'data'), logLevel: 'silent', adminKey: BENCH_ADMIN_KEY,
    drainTimeoutMs: 2_000, ...options,
  });
  let deploys = 0;
  return {
    url: node.url,
    async deploy(app, source) {
      const { bundle, sourceMap } = await bundleFiles(join(scratch, 'apps', `${app}-${deploys++}`), { 'index.ts': source });
      const answer = await admin(node, 'POST', `/apps/${app}/versions`, { bundle, sourceMap });
      if (answer.status !== 201) throw new Error(`deploying ${app} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    },
    async deployFolder(app, files) {
      const dir = join(scratch, 'apps', `${app}-${deploys++}`);
      for (const [name, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), content);
      }
      const { bundle, sourceMap } = await bundleApp(dir, { app, typecheck: false });
      const answer = await admin(node, 'POST', `/apps/${app}/versions`, { bundle, sourceMap });
      if (answer.status !== 201) throw new Error(`deploying ${app} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    },
    instances: (app, functionName) => instanceCount(node, app, functionName),
    onFunctionLog: (listener) => node.onFunctionLog(listener),
    budgetStates: () => node.budgets.states(),
    async dispose() {
      await node.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
