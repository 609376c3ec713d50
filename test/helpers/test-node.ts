import { startNode, type NimbusNode, type NodeOptions } from '../../src/server/node.js';
import { admin } from './admin-client.js';
import { bundleFiles } from './bundle.js';
import { makeTempDir } from './temp-dir.js';

export interface TestNode extends NimbusNode {
  dataDir: string;
  /** Bundles and deploys an app; returns the admin API's answer. */
  deploy(app: string, files: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** Closes the node and removes its data folder (unless the caller gave it). */
  dispose(): Promise<void>;
}

/**
 * A real node on 127.0.0.1 with a fresh data folder, in this process; instances are real child processes.
 * With `dataDir` it runs on that folder instead (on a scratch mount, say), which dispose() leaves in place.
 */
export async function startTestNode(options: Partial<NodeOptions> = {}): Promise<TestNode> {
  const data = options.dataDir !== undefined ? { dir: options.dataDir, remove: () => {} } : makeTempDir('nimbus-node-');
  const apps = makeTempDir('nimbus-app-');
  const node = await startNode({
    // Plain processes unless a test asks for the strict sandbox (its own suite): they start faster.
    host: '127.0.0.1', port: 0, dataDir: data.dir, logLevel: 'silent', adminKey: 'test-admin-key', isolation: 'basic',
    warmPool: { sizePerShape: 1, initialShapes: [128] }, drainTimeoutMs: 2_000, ...options,
  });
  let n = 0;
  return Object.assign(Object.create(null) as object, {
    url: node.url, adminKey: node.adminKey, adminKeyGenerated: node.adminKeyGenerated,
    onFunctionLog: node.onFunctionLog, close: node.close, dataDir: data.dir, budgets: node.budgets,
    async deploy(app: string, files: Record<string, string>) {
      const { bundle, sourceMap } = await bundleFiles(`${apps.dir}/${app}-${n++}`, files);
      return admin(node, 'POST', `/apps/${app}/versions`, { bundle, sourceMap });
    },
    async dispose() {
      await node.close();
      data.remove();
      apps.remove();
    },
  }) as TestNode;
}
