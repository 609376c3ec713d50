import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { cgroupLimitsFor, type CgroupLimits } from '../cgroups/limits.js';
import type { SandboxCgroup } from '../cgroups/sandbox-cgroup.js';
import type { Sandbox, SandboxAssignment, SandboxExit, SandboxShape, SandboxUsage } from '../driver.js';
import type { NetworkSlot, NetworkSlots } from '../network/network-slots.js';
import { APP_DIR } from './bwrap-args.js';
import { attachChildStdio } from '../child-stdio.js';
import { HEAP_OOM_PATTERN } from '../heap-limit.js';
import { processTreeUsage } from './process-tree-usage.js';
import { placeFile } from './sandbox-files.js';

/** bwrap reports a child killed by signal N as exit code 128 + N. */
const SIGNAL_EXIT_BASE = 128;

/** What a sandbox holds on the host and gives back when it exits. */
export interface SandboxResources {
  cgroup: SandboxCgroup | undefined;
  /** The limits written at spawn (from the shape); assign writes only when the function's differ. */
  limits: CgroupLimits | undefined;
  slot: NetworkSlot | undefined;
  slots: NetworkSlots | undefined;
  appDir: string;
  /** The driver's fallback when there is no slot: did this sandbox get an empty network namespace? */
  networkUnshared: boolean;
  /** Removes the cgroup, slot and folders; called once the process is gone. */
  release: () => Promise<void>;
}

export class BubblewrapSandbox implements Sandbox {
  readonly pid: number;
  readonly channel: Duplex;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<SandboxExit>;
  readonly #child: ChildProcess;
  readonly #resources: SandboxResources;
  #killReason: string | undefined;
  #killedForMemory = false;
  readonly #stderrTail: () => string;

  constructor(
    readonly id: string,
    readonly shape: SandboxShape,
    child: ChildProcess,
    resources: SandboxResources,
  ) {
    this.#child = child;
    this.#resources = resources;
    this.pid = child.pid ?? -1;
    const stdio = attachChildStdio(child);
    this.channel = stdio.channel;
    this.stdout = stdio.stdout;
    this.stderr = stdio.stderr;
    this.#stderrTail = stdio.stderrTail;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        void this.#onExit(code, signal).then(resolve);
      });
    });
  }

  async assign(assignment: SandboxAssignment): Promise<{ bundlePath: string; sourceMapPath?: string }> {
    const { cgroup, slot, slots } = this.#resources;
    if (!slot && assignment.network === 'none' && !this.#resources.networkUnshared) {
      throw new Error('this sandbox shares the host network (no nftables here) and cannot honour network: none');
    }
    const wanted = cgroupLimitsFor({ memoryMb: assignment.memoryMb, cpuShares: assignment.cpuShares });
    const limits = cgroup && JSON.stringify(wanted) !== JSON.stringify(this.#resources.limits) ? cgroup.setLimits(wanted) : undefined;
    this.#resources.limits = wanted;
    const network = slot && slots ? slots.applyPolicy(slot, assignment.network) : undefined;
    const bundle = placeFile(this.#resources.appDir, assignment.bundlePath);
    const map = assignment.sourceMapPath ? placeFile(this.#resources.appDir, assignment.sourceMapPath) : undefined;
    await Promise.all([limits, network]);
    return { bundlePath: join(APP_DIR, bundle), ...(map ? { sourceMapPath: join(APP_DIR, map) } : {}) };
  }

  async usage(): Promise<SandboxUsage> {
    if (!this.#resources.cgroup) return processTreeUsage(this.pid);
    const usage = await this.#resources.cgroup.usage();
    return { rssBytes: usage.memoryBytes, cpuMicros: usage.cpuMicros };
  }

  kill(reason: string, outOfMemory = false): void {
    this.#killReason ??= reason;
    this.#killedForMemory ||= outOfMemory;
    this.#child.kill('SIGKILL');
    // Whatever escaped the process tree (a fork bomb's children) is still in the cgroup.
    void this.#resources.cgroup?.killAll().catch(() => undefined);
  }

  async #onExit(code: number | null, signal: NodeJS.Signals | null): Promise<SandboxExit> {
    const oomKills = await this.#resources.cgroup?.oomKills().catch(() => 0);
    const heapOom = HEAP_OOM_PATTERN.test(this.#stderrTail());
    const outOfMemory = this.#killedForMemory || (oomKills ?? 0) > 0 || heapOom;
    const translated = code !== null && code > SIGNAL_EXIT_BASE ? signalName(code - SIGNAL_EXIT_BASE) : null;
    const reason = this.#killReason ?? (oomKills ? 'killed by the kernel: out of memory' : heapOom ? 'the JavaScript heap is out of memory' : undefined);
    // Release in the background: the caller learns about the exit without waiting for namespace teardown.
    void this.#resources.release().catch(() => undefined);
    return {
      code: translated ? null : code,
      signal: translated ?? signal,
      outOfMemory,
      ...(reason ? { reason } : {}),
    };
  }
}

function signalName(number: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, value]) => value === number);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

