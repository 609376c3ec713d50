import { SANDBOX_GID, SANDBOX_UID } from './bwrap-args.js';

export interface LaunchPlan {
  /** cgroup.procs files to join before anything else runs, so every sandbox process is counted. */
  cgroupProcsFiles: readonly string[];
  /** A prepared network namespace (/run/netns/…) to enter, or none. */
  netnsPath?: string;
  /** Running as root: drop to the sandbox uid before bwrap, so it cannot change its namespace's settings. */
  dropPrivileges: boolean;
  bwrapPath: string;
  bwrapArgs: string[];
}

/**
 * A tiny /bin/sh prologue that runs as the child the host spawned, then
 * execs its way into bwrap (so the host's child pid stays bwrap's pid and
 * fd 3, the instance channel, is passed all the way down):
 * join the cgroups → no core dumps → enter the network slot → drop root → bwrap.
 */
export function launchCommand(plan: LaunchPlan): { file: string; args: string[] } {
  const steps = plan.cgroupProcsFiles.map((file) => `echo $$ > ${shellQuote(file)}`);
  // Hard and soft RLIMIT_CORE 0: nothing in the sandbox can raise it again.
  steps.push('ulimit -c 0');
  const chain: string[] = [];
  if (plan.netnsPath) chain.push('nsenter', `--net=${plan.netnsPath}`, '--');
  if (plan.dropPrivileges) {
    chain.push(
      'setpriv',
      `--reuid=${SANDBOX_UID}`,
      `--regid=${SANDBOX_GID}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
    );
  }
  chain.push(plan.bwrapPath);
  steps.push(`exec ${chain.map(shellQuote).join(' ')} "$@"`);
  return { file: '/bin/sh', args: ['-c', steps.join(' && '), 'nimbus-sandbox', ...plan.bwrapArgs] };
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
