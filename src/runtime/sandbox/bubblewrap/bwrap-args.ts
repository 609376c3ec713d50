import { basename, dirname } from 'node:path';
import type { ReadOnlyBind } from './node-binds.js';

/** The uid/gid a sandbox runs as, inside and outside its user namespace ("nobody"). */
export const SANDBOX_UID = 65534;
export const SANDBOX_GID = 65534;
/** Where things appear inside the sandbox. */
export const APP_DIR = '/app';
export const RUNTIME_DIR = '/nimbus';
export const TMP_DIR = '/tmp';
export const ETC_DIR = '/etc';

export interface BwrapPlan {
  /** Node binary and its libraries. */
  systemBinds: ReadOnlyBind[];
  /** Host path of the bundled instance runtime, in a folder of its own (shown as a whole at /nimbus). */
  instanceScript: string;
  /** Host folder shown read-only at /app; the bundle is placed there at assign. */
  appDir: string;
  /** Host folder with the sandbox's generated /etc files (hosts, resolv.conf, nsswitch.conf, passwd, group). */
  etcDir: string;
  tmpBytes: number;
  /** true: a fresh empty network namespace; false: stay in the namespace the launcher entered (a network slot). */
  unshareNet: boolean;
  env: Record<string, string>;
  nodePath: string;
  nodeArgs: string[];
}

/**
 * bwrap's options (namespaces, files, environment), passed through
 * `--args` so no host path or setting shows in a command line, and the
 * command it runs (node on the runtime), which bwrap must get on its command
 * line and which the instance sees as its own anyway.
 */
export interface BwrapInvocation {
  options: string[];
  command: string[];
}

export function bwrapArgs(plan: BwrapPlan): BwrapInvocation {
  const options = [
    '--unshare-user',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(plan.unshareNet ? ['--unshare-net'] : []),
    '--uid', String(SANDBOX_UID),
    '--gid', String(SANDBOX_GID),
    // No user namespaces inside: less kernel surface, and no way to regain capabilities there.
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--cap-drop', 'ALL',
    '--hostname', 'sandbox',
    '--clearenv',
  ];
  for (const [name, value] of Object.entries(plan.env)) options.push('--setenv', name, value);
  for (const bind of plan.systemBinds) options.push('--ro-bind', bind.source, bind.target);
  options.push(
    // The runtime's folder holds only what the driver copied there: the runtime and its warm-up bundle.
    '--ro-bind', dirname(plan.instanceScript), RUNTIME_DIR,
    '--ro-bind', plan.appDir, APP_DIR,
    '--ro-bind', plan.etcDir, ETC_DIR,
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(plan.tmpBytes), '--perms', '1777', '--tmpfs', TMP_DIR,
    // bwrap's root is a writable tmpfs without a size cap: only /tmp may take writes.
    '--remount-ro', '/',
    '--chdir', TMP_DIR,
  );
  return { options, command: [plan.nodePath, ...plan.nodeArgs, `${RUNTIME_DIR}/${basename(plan.instanceScript)}`] };
}
