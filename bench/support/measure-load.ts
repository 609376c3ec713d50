/**
 * One measured load run with the CPU it cost the serving side: the serving
 * process (a bare server's pid, or this process when it hosts a Nimbus node)
 * and, for a node, every instance process below it.
 */
import type { LoadClient } from '../load/load-client.js';
import type { LoadResult } from '../load/messages.js';
import type { BenchConfig } from './bench-config.js';
import { descendantsCpuMs, ownCpuMs, processCpuMs } from './process-cpu.js';

export interface MeasuredLoad {
  load: LoadResult;
  /** CPU used by the serving side per completed request (µs): this process (or the bare server), and its instance processes. */
  serverCpuUsPerReq: number;
  instanceCpuUsPerReq: number;
}

/**
 * Warms `url` up for `config.warmupSec`, then measures it for `config.measureSec`.
 * `others` are this process's children that are not instances (the load client, bare servers).
 */
export async function measureLoad(
  client: LoadClient, url: string, config: BenchConfig, others: ReadonlySet<number>, serverPid?: number,
): Promise<MeasuredLoad> {
  await client.load(url, config.connections, config.warmupSec);
  const serverCpu = (): number => (serverPid === undefined ? ownCpuMs() : processCpuMs(serverPid));
  const serverBefore = serverCpu();
  const instancesBefore = serverPid === undefined ? descendantsCpuMs(process.pid, others) : 0;
  const load = await client.load(url, config.connections, config.measureSec);
  const serverMs = serverCpu() - serverBefore;
  const instancesMs = serverPid === undefined ? descendantsCpuMs(process.pid, others) - instancesBefore : 0;
  const perReq = (ms: number): number => (ms * 1000) / Math.max(1, load.completed);
  return { load, serverCpuUsPerReq: perReq(serverMs), instanceCpuUsPerReq: perReq(instancesMs) };
}
