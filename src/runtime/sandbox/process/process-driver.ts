import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { attachChildStdio } from '../child-stdio.js';
import { HEAP_OOM_PATTERN } from '../heap-limit.js';
import { instanceNodeArgs } from '../instance-node-args.js';
import type { Sandbox, SandboxAssignment, SandboxDriver, SandboxExit, SandboxShape, SandboxUsage } from '../driver.js';
import { readProcStats } from './proc-stats.js';

export interface ProcessDriverOptions {
  /** The bundled instance runtime (dist/instance.mjs). */
  instanceScript: string;
  /** Folder of content-addressed bundles: the only app code an instance may read. */
  bundlesDir: string;
  nodePath?: string;
  /** Use Node's permission model (file reads limited to the runtime and bundles; no child processes). */
  permissionModel?: boolean;
  /**
   * Profiling only (the http-profile bench): instances run under
   * `node --cpu-prof` writing into this folder, and exit (so write their
   * profile) on SIGUSR2, since the host otherwise only ever SIGKILLs them.
   * Node's permission model is off for them: it refuses the profile's write.
   */
  cpuProfileDir?: string;
}

/** Loaded before the runtime of a profiled instance: a way to exit that lets --cpu-prof write. */
const EXIT_ON_SIGUSR2 = `--import=data:text/javascript,process.on('SIGUSR2',()=>process.exit(0))`;


/**
 * Plain child processes: the fallback where bubblewrap or cgroups are
 * missing. Memory and CPU are watched from the host; files are limited by
 * the permission model only.
 */
export class ProcessSandboxDriver implements SandboxDriver {
  readonly name = 'process';
  readonly isolation = 'basic' as const;
  /** Accepted, not enforced: basic isolation enforces no network policy (docs/security.md). */
  readonly acceptsNetworkNone = true;

  constructor(private readonly options: ProcessDriverOptions) {}

  async spawn(shape: SandboxShape): Promise<Sandbox> {
    const args = instanceNodeArgs(shape.memoryMb);
    const profileDir = this.options.cpuProfileDir;
    if (profileDir) args.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=200', EXIT_ON_SIGUSR2);
    else if (this.options.permissionModel !== false && supportsPermissionModel()) {
      // Node aborts on a repeated --allow-fs-read path, so each folder is named once.
      const readable = new Set([dirname(this.options.instanceScript), this.options.bundlesDir]);
      args.push('--experimental-permission', ...[...readable].map((dir) => `--allow-fs-read=${dir}/*`));
    }
    args.push(this.options.instanceScript);
    // A clean environment: nothing of the host's variables reaches function code.
    const child = spawn(this.options.nodePath ?? process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      env: {},
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new ProcessSandbox(child, shape);
  }

  async dispose(): Promise<void> {}
}

export function supportsPermissionModel(): boolean {
  return process.allowedNodeEnvironmentFlags.has('--experimental-permission') || process.allowedNodeEnvironmentFlags.has('--permission');
}

class ProcessSandbox implements Sandbox {
  readonly id = randomUUID();
  readonly pid: number;
  readonly channel: Duplex;
  readonly stdout;
  readonly stderr;
  readonly exited: Promise<SandboxExit>;
  #killReason: string | undefined;
  #killedForMemory = false;
  readonly #stderrTail: () => string;

  constructor(private readonly child: ChildProcess, readonly shape: SandboxShape) {
    this.pid = child.pid ?? -1;
    const stdio = attachChildStdio(child);
    this.channel = stdio.channel;
    this.stdout = stdio.stdout;
    this.stderr = stdio.stderr;
    this.#stderrTail = stdio.stderrTail;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const heapOom = HEAP_OOM_PATTERN.test(this.#stderrTail());
        resolve({
          code,
          signal,
          outOfMemory: this.#killedForMemory || heapOom,
          ...(this.#killReason || heapOom ? { reason: this.#killReason ?? 'the JavaScript heap is out of memory' } : {}),
        });
      });
    });
  }

  async assign(assignment: SandboxAssignment): Promise<{ bundlePath: string; sourceMapPath?: string }> {
    return { bundlePath: assignment.bundlePath, ...(assignment.sourceMapPath ? { sourceMapPath: assignment.sourceMapPath } : {}) };
  }

  usage(): Promise<SandboxUsage> {
    return readProcStats(this.pid);
  }

  kill(reason: string, outOfMemory = false): void {
    this.#killReason ??= reason;
    this.#killedForMemory ||= outOfMemory;
    this.child.kill('SIGKILL');
  }
}
