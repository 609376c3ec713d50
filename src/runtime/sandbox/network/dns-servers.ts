import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';

/**
 * The host's IPv4 resolvers a sandbox may query. Loopback resolvers (e.g.
 * systemd-resolved's 127.0.0.53) are unreachable from a sandbox's own
 * namespace and are left out: such hosts need a reachable resolver listed.
 */
export function hostDnsServers(resolvConf = '/etc/resolv.conf'): string[] {
  let text: string;
  try {
    text = readFileSync(resolvConf, 'utf8');
  } catch {
    return [];
  }
  const servers: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*nameserver\s+(\S+)/.exec(line);
    if (match && isIPv4(match[1]!) && !match[1]!.startsWith('127.')) servers.push(match[1]!);
  }
  return servers;
}
