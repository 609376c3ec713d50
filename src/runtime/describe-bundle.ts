import type { DescribedFunction } from './instance/protocol.js';
import type { WarmPool } from './pool/warm-pool.js';

export const DESCRIBE_TIMEOUT_MS = 10_000;
const DESCRIBE_MEMORY_MB = 128;

/**
 * Loads an uploaded bundle in a sandbox (never in the node itself: it is
 * untrusted code) and returns the function definitions it exports. `env` is
 * what the app's instances get as environment besides each function's own
 * (its secrets): definitions built from settings read at load time
 * describe what will run.
 */
export async function describeBundle(warmPool: WarmPool, app: string, bundlePath: string, sourceMapPath?: string, env: Readonly<Record<string, string>> = {}): Promise<DescribedFunction[]> {
  const instance = await warmPool.take({ memoryMb: DESCRIBE_MEMORY_MB });
  instance.assignment = { app, version: 0, functionName: '(deploy)' };
  let timer: NodeJS.Timeout | undefined;
  try {
    const seen = await instance.sandbox.assign({
      app, version: 0, functionName: '(deploy)', bundlePath, ...(sourceMapPath ? { sourceMapPath } : {}),
      memoryMb: DESCRIBE_MEMORY_MB, cpuShares: 0, // proportional to memory, as the warm sandbox already is
      // Untrusted code at deploy: no network where the sandbox can do without it.
      network: warmPool.driver.acceptsNetworkNone ? 'none' : 'outbound', env: { ...env },
    });
    const loaded = await Promise.race([
      instance.load({ bundlePath: seen.bundlePath, app, version: 0, functionName: null, env: { ...env } }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`loading the bundle took longer than ${DESCRIBE_TIMEOUT_MS} ms`)), DESCRIBE_TIMEOUT_MS);
      }),
    ]);
    return loaded.functions;
  } finally {
    clearTimeout(timer);
    instance.kill('crashed', 'deploy inspection finished');
  }
}
