import type { Duplex, Readable } from 'node:stream';
import type { NetworkPolicy } from '../../sdk/settings.js';

/**
 * The seam between the runtime and the operating system. A driver makes
 * sandboxes ahead of time (the warm pool) and limits them when they are
 * assigned to a function. Implementations: `process` (plain child processes
 * with host-side watchdogs) and `bubblewrap` (namespaces + cgroups).
 */
export interface SandboxDriver {
  readonly name: string;
  /** 'strict': the OS enforces files, network, memory, CPU and pids. 'basic': host-side watchdogs only. */
  readonly isolation: 'strict' | 'basic';
  /** Whether `network: 'none'` can be given to a sandbox (a driver sharing the host network refuses it). */
  readonly acceptsNetworkNone: boolean;
  /** Boot a generic sandbox of the given shape; resolves once its instance runtime said READY. */
  spawn(shape: SandboxShape): Promise<Sandbox>;
  /** Release driver-wide resources (cgroup parents, network set-up). */
  dispose(): Promise<void>;
}

/** What must be fixed when the process starts (the V8 heap size), so warm pools are kept per shape. */
export interface SandboxShape {
  memoryMb: number;
}

/** Limits and identity written when a warm sandbox is given to one function. */
export interface SandboxAssignment {
  app: string;
  version: number;
  functionName: string;
  /** Host path of the content-addressed bundle file (ESM). */
  bundlePath: string;
  /** Host path of its source map, if stored. */
  sourceMapPath?: string;
  memoryMb: number;
  cpuShares: number;
  network: NetworkPolicy;
  /** App env and decrypted secrets; nothing of the host's environment. */
  env: Record<string, string>;
}

export interface SandboxUsage {
  rssBytes: number;
  /** CPU time used by everything in the sandbox since it started, in microseconds. */
  cpuMicros: number;
}

export interface SandboxExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The OS (cgroup OOM killer) or the host watchdog killed it for memory. */
  outOfMemory: boolean;
  /** Why the host killed it, if it did. */
  reason?: string;
}

export interface Sandbox {
  readonly id: string;
  readonly pid: number;
  readonly shape: SandboxShape;
  /** The framed host↔instance channel. */
  readonly channel: Duplex;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Apply limits and make the bundle visible; returns the bundle path as the instance sees it. */
  assign(assignment: SandboxAssignment): Promise<{ bundlePath: string; sourceMapPath?: string }>;
  usage(): Promise<SandboxUsage>;
  /** Kill now (SIGKILL); `reason` is reported in `exited`. */
  kill(reason: string, outOfMemory?: boolean): void;
  readonly exited: Promise<SandboxExit>;
}
