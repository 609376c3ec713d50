import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface MachineFacts {
  date: string;
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  os: string;
  /** 1-minute load average when the run started: the machine is shared, so this says how noisy it was. */
  loadAverage1m: number;
}

export function machineFacts(): MachineFacts {
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: osName(),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

function osName(): string {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(release)?.[1] ?? process.platform;
  } catch {
    return process.platform;
  }
}
