import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type NimbusNode } from '../../src/server/node.js';
import { admin } from '../../test/helpers/admin-client.js';
import { bundleFiles } from '../../test/helpers/bundle.js';
import { BENCH_ADMIN_KEY } from '../support/bench-node.js';

/** A node whose functions report timings through their log lines (`mark <json>`), which the bench collects. */
export interface TriggerBenchNode {
  node: NimbusNode;
  marks: unknown[];
  deploy(app: string, source: string): Promise<void>;
  dispose(): Promise<void>;
}

export async function startTriggerBenchNode(): Promise<TriggerBenchNode> {
  const scratch = mkdtempSync(join(tmpdir(), 'nimbus-bench-'));
  const node = await startNode({
    host: '127.0.0.1', port: 0, dataDir: join(scratch, 'data'), logLevel: 'silent', adminKey: BENCH_ADMIN_KEY, isolation: 'basic', drainTimeoutMs: 2_000,
  });
  const marks: unknown[] = [];
  node.onFunctionLog((line) => {
    if (line.message.startsWith('mark ')) marks.push(JSON.parse(line.message.slice(5)));
  });
  let deploys = 0;
  return {
    node, marks,
    async deploy(app, source) {
      const { bundle, sourceMap } = await bundleFiles(join(scratch, 'apps', `${app}-${deploys++}`), { 'index.ts': source });
      const answer = await admin(node, 'POST', `/apps/${app}/versions`, { bundle, sourceMap });
      if (answer.status !== 201) throw new Error(`deploying ${app} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    },
    async dispose() {
      await node.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Epoch milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const PRECISE_NOW = 'performance.timeOrigin + performance.now()';
