import { execFile } from 'node:child_process';
import { detectCgroupHierarchy } from './cgroups/hierarchy.js';

/** What this machine can enforce, for `nimbus doctor` and for `isolation: 'strict'` at start. */
export interface IsolationReport {
  /** 'strict': bubblewrap, user namespaces, cgroups and nftables are all usable. */
  level: 'strict' | 'basic';
  bubblewrap: boolean;
  userNamespaces: boolean;
  cgroups: 'v2' | 'v1' | 'none';
  /** 'nftables': every network policy enforced; 'netns-only': only `none` (an empty namespace); 'none': no network isolation. */
  network: 'nftables' | 'netns-only' | 'none';
  /** What to do to reach 'strict', one human-readable line each. */
  missing: string[];
}

const PROBE_TIMEOUT_MS = 10_000;
const TOOL_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const NOBODY = '65534';

function succeeds(file: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: PROBE_TIMEOUT_MS, env: { PATH: TOOL_PATH } }, (error) => resolve(!error));
  });
}

/**
 * Probes by doing, not by reading version numbers: bubblewrap must start a
 * user namespace as the unprivileged uid the driver uses (as root, the
 * driver drops to it before bwrap), and nft must be able to list rules.
 */
export async function detectIsolation(): Promise<IsolationReport> {
  const missing: string[] = [];
  const isRoot = process.getuid?.() === 0;

  // The probes are independent processes: they run at once, every start waits for the slowest only.
  const userNsProbe = ['--unshare-user', '--uid', NOBODY, '--gid', NOBODY, '--unshare-net', '--ro-bind', '/', '/', 'true'];
  const [bubblewrap, userNsProbeWorks, nft, ip, nsenter] = await Promise.all([
    succeeds('bwrap', ['--version']),
    isRoot
      ? succeeds('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', 'bwrap', ...userNsProbe])
      : succeeds('bwrap', userNsProbe),
    isRoot && succeeds('nft', ['list', 'tables']),
    isRoot && succeeds('ip', ['-V']),
    isRoot && succeeds('nsenter', ['--version']),
  ]);

  if (!bubblewrap) missing.push('install bubblewrap (apt-get install bubblewrap)');
  const userNamespaces = bubblewrap && userNsProbeWorks;
  if (bubblewrap && !userNamespaces) {
    missing.push('enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1 and user.max_user_namespaces > 0)');
  }

  const hierarchy = detectCgroupHierarchy();
  const cgroups = hierarchy.version;
  if (hierarchy.version === 'none') missing.push(`cgroups: ${hierarchy.reason}`);

  let network: IsolationReport['network'] = userNamespaces ? 'netns-only' : 'none';
  if (!isRoot) missing.push('run as root for per-sandbox network policies (nftables)');
  else if (!nft) missing.push('install nftables (apt-get install nftables)');
  else if (!ip) missing.push('install iproute2 (apt-get install iproute2)');
  else if (!nsenter) missing.push('install util-linux (nsenter)');
  else if (userNamespaces) network = 'nftables';

  const level = bubblewrap && userNamespaces && cgroups !== 'none' && network === 'nftables' ? 'strict' : 'basic';
  return { level, bubblewrap, userNamespaces, cgroups, network, missing };
}
