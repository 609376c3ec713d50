import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { SANDBOX_GID, SANDBOX_UID } from './bwrap-args.js';

/**
 * The descriptor bwrap reads its options from (`--args`), NUL-separated.
 * Its command line is then `bwrap --args 4 <node command>`: inside the
 * sandbox PID 1 is bwrap's init, whose /proc/1/cmdline would otherwise list
 * every host path it binds; on the host, `ps` would show the sandbox's
 * environment.
 */
export const BWRAP_ARGS_FD = 4;
/** Where the launcher's tools are looked for: the system folders, never the node's own PATH. */
const TOOL_PATH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute paths of the programs a launch runs, so the launcher needs no PATH. */
export interface LaunchTools {
  bwrap: string;
  nsenter: string;
  setpriv: string;
}

export interface LaunchPlan {
  /** cgroup.procs files to join before anything else runs, so every sandbox process is counted. */
  cgroupProcsFiles: readonly string[];
  /** A prepared network namespace (/run/netns/…) to enter, or none. */
  netnsPath?: string;
  /** Running as root: drop to the sandbox uid before bwrap, so it cannot change its namespace's settings. */
  dropPrivileges: boolean;
  tools: LaunchTools;
  /** What bwrap runs (its options travel through BWRAP_ARGS_FD). */
  command: readonly string[];
}

/**
 * A tiny /bin/sh prologue that runs as the child the host spawned, then
 * execs its way into bwrap (so the host's child pid stays bwrap's pid and
 * fd 3, the instance channel, is passed all the way down):
 * join the cgroups → no core dumps → enter the network slot → drop root → bwrap.
 * Spawn it with an empty environment and `/` as its folder (see
 * LAUNCH_SPAWN_OPTIONS): bwrap's own environment, which its init shows as
 * /proc/1/environ inside the sandbox, is then empty, and its arguments come
 * from BWRAP_ARGS_FD (write them with encodeBwrapArgs).
 */
export function launchCommand(plan: LaunchPlan): { file: string; args: string[] } {
  // The shell exports the folder it started in as PWD even from an empty environment.
  const steps = ['unset PWD OLDPWD', ...plan.cgroupProcsFiles.map((file) => `echo $$ > ${shellQuote(file)}`)];
  // Hard and soft RLIMIT_CORE 0: nothing in the sandbox can raise it again.
  steps.push('ulimit -c 0');
  const chain: string[] = [];
  if (plan.netnsPath) chain.push(plan.tools.nsenter, `--net=${plan.netnsPath}`, '--');
  if (plan.dropPrivileges) {
    chain.push(
      plan.tools.setpriv,
      `--reuid=${SANDBOX_UID}`,
      `--regid=${SANDBOX_GID}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
    );
  }
  // bwrap reads options only from --args: the command it runs stays on its command line.
  chain.push(plan.tools.bwrap, '--args', String(BWRAP_ARGS_FD));
  steps.push(`exec ${chain.map(shellQuote).join(' ')} "$@"`);
  return { file: '/bin/sh', args: ['-c', steps.join(' && '), 'nimbus-sandbox', ...plan.command] };
}

/** How the launcher is spawned: no inherited environment, no host folder as its working directory. */
export const LAUNCH_SPAWN_OPTIONS = { env: {}, cwd: '/' } as const;

/** bwrap's options as `--args` reads them: each one ended by a NUL. */
export function encodeBwrapArgs(args: readonly string[]): Buffer {
  const bad = args.find((arg) => arg.includes('\0'));
  if (bad !== undefined) throw new Error(`a sandbox argument contains a NUL character: ${JSON.stringify(bad)}`);
  return Buffer.from(args.map((arg) => `${arg}\0`).join(''), 'utf8');
}

/** The launch tools, found once in the system folders; a name that is not found is left for the shell to report. */
export function resolveLaunchTools(bwrapPath = 'bwrap'): LaunchTools {
  return { bwrap: findTool(bwrapPath), nsenter: findTool('nsenter'), setpriv: findTool('setpriv') };
}

function findTool(name: string): string {
  if (name.includes('/')) return name;
  for (const dir of TOOL_PATH) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not in this folder.
    }
  }
  return name;
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
