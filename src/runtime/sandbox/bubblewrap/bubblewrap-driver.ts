import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { CgroupTree } from '../cgroups/cgroup-tree.js';
import { detectCgroupHierarchy } from '../cgroups/hierarchy.js';
import { cgroupLimitsFor } from '../cgroups/limits.js';
import type { SandboxCgroup } from '../cgroups/sandbox-cgroup.js';
import type { Sandbox, SandboxDriver, SandboxShape } from '../driver.js';
import { hostDnsServers } from '../network/dns-servers.js';
import { NetworkSlots, type NetworkSlot } from '../network/network-slots.js';
import { BubblewrapSandbox } from './bubblewrap-sandbox.js';
import { bwrapArgs, RUNTIME_DIR, TMP_DIR } from './bwrap-args.js';
import { instanceNodeArgs } from '../instance-node-args.js';
import { WARMUP_BUNDLE } from '../../instance/import-bundle.js';
import { BWRAP_ARGS_FD, encodeBwrapArgs, LAUNCH_SPAWN_OPTIONS, launchCommand, resolveLaunchTools, type LaunchTools } from './launcher.js';
import { nodeBinds, type ReadOnlyBind } from './node-binds.js';
import { makeAppDir, placeReadableCopy, removeDir, writeSandboxEtc } from './sandbox-files.js';
import { reapLeftovers, STATE_DIR_PREFIX } from './leftovers.js';
import { ownerRecords } from '../owners.js';

/** /tmp inside a sandbox: a private tmpfs of this size (its pages count against the sandbox's memory). */
export const DEFAULT_TMP_MB = 64;
const MB = 1024 * 1024;
const SANDBOX_TMP_DIR_MODE = 0o711;

export interface BubblewrapDriverOptions {
  /** The bundled instance runtime (one file). */
  instanceScript: string;
  /** Where per-sandbox folders live; default a fresh folder under the OS temp dir. Never the data folder. */
  stateDir?: string;
  /** Distinguishes this node's cgroups and nftables table; default random. Letters, digits, underscores. */
  nodeId?: string;
  nodePath?: string;
  bwrapPath?: string;
  tmpMb?: number;
  /** Use Node's permission model inside the sandbox too (default: when the running Node supports it). */
  permissionModel?: boolean;
  /**
   * Network isolation: 'nftables' (root: per-sandbox namespace + host rules, every policy enforced),
   * 'unshared' (every sandbox gets an empty namespace: only `none` can be honoured),
   * 'host' (sandboxes share the host network: policies are not enforced and `none` is refused).
   * Default: 'nftables' when running as root, else 'host'.
   */
  network?: 'nftables' | 'unshared' | 'host';
  /** Resolvers sandboxes may query; default the host's IPv4 non-loopback nameservers. */
  dnsServers?: string[];
  /** Pass false to run without cgroups (not strict). Default: use them when detected. */
  cgroups?: boolean;
  /** Extra Node flags before the runtime script. */
  nodeArgs?: string[];
  /** Where owner records live (root only): what drivers killed without cleanup left is found through them. Default /run/nimbus/owners. */
  ownersDir?: string;
}

/**
 * The strict driver: each sandbox is Node under bubblewrap as uid 65534 in
 * new user, pid, ipc, uts, mount and network namespaces, in its own cgroup,
 * seeing only Node, its libraries, the instance runtime, its own /app and a
 * size-capped /tmp.
 */
export class BubblewrapDriver implements SandboxDriver {
  readonly name = 'bubblewrap';
  readonly isolation: 'strict' | 'basic';
  readonly #options: BubblewrapDriverOptions;
  readonly #stateDir: string;
  readonly #runtimeScript: string;
  readonly #systemBinds: ReadOnlyBind[];
  readonly #tools: LaunchTools;
  readonly #cgroups: CgroupTree | undefined;
  readonly #slots: NetworkSlots | undefined;
  readonly #etcDir: string;
  readonly #networkMode: 'nftables' | 'unshared' | 'host';
  /** Drops this driver's owner record once everything it made is gone. */
  readonly #releaseOwner: (() => Promise<void>) | null;
  readonly #pendingReleases = new Set<Promise<void>>();
  readonly #live = new Set<BubblewrapSandbox>();
  readonly #spawning = new Set<Promise<Sandbox>>();
  #disposed = false;
  #counter = 0;

  private constructor(init: {
    options: BubblewrapDriverOptions;
    stateDir: string;
    runtimeScript: string;
    cgroups: CgroupTree | undefined;
    slots: NetworkSlots | undefined;
    networkMode: 'nftables' | 'unshared' | 'host';
    release: (() => Promise<void>) | null;
  }) {
    this.#releaseOwner = init.release;
    this.#options = init.options;
    this.#stateDir = init.stateDir;
    this.#runtimeScript = init.runtimeScript;
    this.#cgroups = init.cgroups;
    this.#slots = init.slots;
    this.#networkMode = init.networkMode;
    this.#etcDir = join(init.stateDir, 'etc');
    this.#systemBinds = nodeBinds(init.options.nodePath ?? process.execPath);
    this.#tools = resolveLaunchTools(init.options.bwrapPath);
    this.isolation = init.cgroups && init.networkMode === 'nftables' ? 'strict' : 'basic';
  }

  static async create(options: BubblewrapDriverOptions): Promise<BubblewrapDriver> {
    const tag = (options.nodeId ?? randomBytes(4).toString('hex')).replace(/\W/g, '_');
    const isRoot = process.getuid?.() === 0;
    const networkMode = options.network ?? (isRoot ? 'nftables' : 'host');
    const hierarchy = options.cgroups !== false ? detectCgroupHierarchy() : undefined;
    const owners = ownerRecords(options.ownersDir);
    if (isRoot) {
      // Before making anything: reap what killed nodes left, then record this process as the owner of what follows.
      await reapLeftovers(tag, owners, { hierarchy, network: networkMode === 'nftables', stateParent: tmpdir() });
      await owners.claim(tag);
    }
    const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), `${STATE_DIR_PREFIX}${tag}-`)));
    // "nobody" (bwrap after the privilege drop) must traverse to the folders it binds, but not list them.
    await chmod(stateDir, SANDBOX_TMP_DIR_MODE);
    const runtimeDir = join(stateDir, 'runtime');
    const runtimeScript = await placeReadableCopy(options.instanceScript, runtimeDir);
    // The warm-up bundle beside the runtime, where there is one (scripts/bundle-instance.mjs makes it).
    for (const name of [WARMUP_BUNDLE, `${WARMUP_BUNDLE}.map`]) {
      await placeReadableCopy(join(dirname(options.instanceScript), name), runtimeDir).catch(() => undefined);
    }

    let cgroups: CgroupTree | undefined;
    let slots: NetworkSlots | undefined;
    try {
      if (hierarchy && hierarchy.version !== 'none') cgroups = await CgroupTree.create(hierarchy, tag);
      if (networkMode === 'nftables') {
        slots = await NetworkSlots.create(tag, options.dnsServers ? { dnsServers: options.dnsServers } : {});
      }
      const driver = new BubblewrapDriver({ options, stateDir, runtimeScript, cgroups, slots, networkMode, release: isRoot ? () => owners.release(tag) : null });
      await writeSandboxEtc(driver.#etcDir, slots?.dnsServers ?? options.dnsServers ?? hostDnsServers());
      return driver;
    } catch (error) {
      await slots?.dispose();
      await cgroups?.dispose();
      await removeDir(stateDir);
      if (isRoot) await owners.release(tag);
      throw error;
    }
  }

  /** Which kind of network isolation sandboxes of this driver get. */
  /** A sandbox on the host network cannot be cut off from it. */
  get acceptsNetworkNone(): boolean {
    return this.#networkMode !== 'host';
  }

  get networkMode(): 'nftables' | 'unshared' | 'host' {
    return this.#networkMode;
  }

  async spawn(shape: SandboxShape): Promise<Sandbox> {
    if (this.#disposed) throw new Error('the sandbox driver is shut down');
    // Tracked until it joins #live: dispose() must not remove the cgroup parent under a spawn still making its group.
    const spawning = this.#spawn(shape);
    this.#spawning.add(spawning);
    try {
      return await spawning;
    } finally {
      this.#spawning.delete(spawning);
    }
  }

  async #spawn(shape: SandboxShape): Promise<Sandbox> {
    const id = `sb${++this.#counter}-${randomBytes(3).toString('hex')}`;
    const appDir = join(this.#stateDir, id, 'app');
    let cgroup: SandboxCgroup | undefined;
    let slot: NetworkSlot | undefined;
    const release = async (): Promise<void> => {
      if (cgroup) await this.#cgroups?.removeSandboxGroup(cgroup).catch(() => undefined);
      if (slot) await this.#slots?.releaseSlot(slot).catch(() => undefined);
      await removeDir(join(this.#stateDir, id));
    };
    try {
      await makeAppDir(appDir);
      // Made now, in the warm pool: joining a fresh cgroup and wiring a slot are the slow parts.
      const [madeCgroup, madeSlot] = await Promise.all([this.#cgroups?.createSandboxGroup(id), this.#slots?.createSlot()]);
      cgroup = madeCgroup;
      slot = madeSlot;
      // Until assign, a warm sandbox is held to its shape's memory and the default pids ceiling.
      const limits = cgroup ? cgroupLimitsFor({ memoryMb: shape.memoryMb }) : undefined;
      if (limits) await cgroup?.setLimits(limits);
      const child = this.#launch(shape, appDir, cgroup, slot);
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      const sandbox = new BubblewrapSandbox(id, shape, child, {
        cgroup,
        limits,
        slot,
        slots: this.#slots,
        appDir,
        networkUnshared: !slot && this.#networkMode !== 'host',
        release: () => this.#track(release()),
      });
      this.#live.add(sandbox);
      void sandbox.exited.then(() => this.#live.delete(sandbox));
      return sandbox;
    } catch (error) {
      await release();
      throw error;
    }
  }

  #launch(shape: SandboxShape, appDir: string, cgroup: SandboxCgroup | undefined, slot: NetworkSlot | undefined) {
    const nodePath = this.#options.nodePath ?? process.execPath;
    const nodeArgs = instanceNodeArgs(shape.memoryMb);
    if (this.#options.permissionModel ?? supportsPermissionModel()) {
      nodeArgs.push(
        '--experimental-permission',
        '--allow-fs-read=/app/*',
        `--allow-fs-read=${RUNTIME_DIR}/*`,
        `--allow-fs-read=${TMP_DIR}/*`,
        `--allow-fs-write=${TMP_DIR}/*`,
      );
    }
    nodeArgs.push(...(this.#options.nodeArgs ?? []));
    const bwrap = bwrapArgs(
      {
        systemBinds: this.#systemBinds,
        instanceScript: this.#runtimeScript,
        appDir,
        etcDir: this.#etcDir,
        tmpBytes: (this.#options.tmpMb ?? DEFAULT_TMP_MB) * MB,
        unshareNet: !slot && this.#networkMode !== 'host',
        env: { HOME: TMP_DIR, TMPDIR: TMP_DIR, PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
        nodePath,
        nodeArgs,
      },
    );
    const command = launchCommand({
      cgroupProcsFiles: cgroup?.procsFiles ?? [],
      ...(slot ? { netnsPath: slot.netnsPath } : {}),
      dropPrivileges: process.getuid?.() === 0,
      tools: this.#tools,
      command: bwrap.command,
    });
    const child = spawn(command.file, command.args, {
      // fd 3 is the instance channel; BWRAP_ARGS_FD carries bwrap's arguments and is closed by bwrap once read.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      ...LAUNCH_SPAWN_OPTIONS,
    });
    const argsPipe = child.stdio[BWRAP_ARGS_FD] as Writable;
    // A launcher that dies before reading them breaks the pipe: its exit is reported, not this.
    argsPipe.on('error', () => undefined);
    argsPipe.end(encodeBwrapArgs(bwrap.options));
    return child;
  }

  #track(release: Promise<void>): Promise<void> {
    this.#pendingReleases.add(release);
    void release.finally(() => this.#pendingReleases.delete(release));
    return release;
  }

  /** Resolves once every exited sandbox's cgroup, slot and folders are gone. */
  async settled(): Promise<void> {
    await Promise.all([...this.#pendingReleases]);
  }

  /** Kills what is still running, waits for every release, then removes the cgroup parent, the nft table and the state folder. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    await Promise.allSettled([...this.#spawning]);
    const live = [...this.#live];
    for (const sandbox of live) sandbox.kill('the driver is shutting down');
    await Promise.all(live.map((sandbox) => sandbox.exited));
    await Promise.all([...this.#pendingReleases]);
    await this.#slots?.dispose();
    await this.#cgroups?.dispose();
    await removeDir(this.#stateDir);
    await this.#releaseOwner?.();
  }
}

export function supportsPermissionModel(): boolean {
  return process.allowedNodeEnvironmentFlags.has('--experimental-permission') || process.allowedNodeEnvironmentFlags.has('--permission');
}
