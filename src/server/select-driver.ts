import type { Logger } from 'pino';
import { BubblewrapDriver } from '../runtime/sandbox/bubblewrap/bubblewrap-driver.js';
import { detectIsolation, type IsolationReport } from '../runtime/sandbox/detect-isolation.js';
import type { SandboxDriver } from '../runtime/sandbox/driver.js';
import { ProcessSandboxDriver } from '../runtime/sandbox/process/process-driver.js';

export type IsolationSetting = 'strict' | 'auto' | 'basic';

/**
 * Picks the sandbox driver: bubblewrap with cgroups and network policy where
 * the host allows it, plain processes otherwise (said loudly). `strict`
 * refuses to start without the strong one; `basic` never tries it.
 */
export async function selectDriver(options: {
  isolation: IsolationSetting; instanceScript: string; bundlesDir: string; nodeId: string; log: Logger; cpuProfileDir?: string;
}): Promise<{ driver: SandboxDriver; report: IsolationReport | null }> {
  const basic = () => new ProcessSandboxDriver({
    instanceScript: options.instanceScript, bundlesDir: options.bundlesDir,
    ...(options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
  });
  if (options.isolation === 'basic') return { driver: basic(), report: null };
  if (options.cpuProfileDir) throw new Error('instance CPU profiles are only taken under isolation "basic"');
  const report = await detectIsolation();
  const bubblewrap = () => BubblewrapDriver.create({ instanceScript: options.instanceScript, nodeId: safeNodeId(options.nodeId) });
  if (report.level === 'strict') {
    const driver = await bubblewrap();
    options.log.info({ driver: driver.name, cgroups: report.cgroups, network: report.network }, 'strict isolation: bubblewrap namespaces, cgroups and network policy');
    return { driver, report };
  }
  if (options.isolation === 'strict') {
    throw new Error(`isolation "strict" is not available on this host: ${report.missing.join('; ')}`);
  }
  if (report.bubblewrap && report.userNamespaces) {
    // Not root: namespaces still isolate files, processes and IPC; memory and CPU are watched from the host.
    const driver = await bubblewrap();
    options.log.warn(
      { driver: driver.name, missing: report.missing },
      'PARTIAL ISOLATION: bubblewrap namespaces without cgroups or network policy (they need root); network policies are not enforced and network "none" functions are refused. Run `nimbus doctor` for what is missing.',
    );
    return { driver, report };
  }
  options.log.warn(
    { missing: report.missing },
    'STRICT ISOLATION UNAVAILABLE: instances run as plain processes; memory and CPU are watched from the host, files are limited by the Node permission model only, the network is not isolated. Run `nimbus doctor` for what is missing.',
  );
  return { driver: basic(), report };
}

/** cgroup and nftables names take letters, digits and underscores. */
function safeNodeId(nodeId: string): string {
  return nodeId.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 24);
}
