import { isIPv4 } from 'node:net';

/** Ranges a sandbox may not reach unless a function lists them: this host, private networks, link-local, multicast. */
export const REFUSED_RANGES = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
] as const;

/** One entry of `network: { allow: [...] }`, parsed. */
export type AllowEntry =
  | { kind: 'cidr'; cidr: string }
  | { kind: 'address'; address: string; port: number }
  /** A host-loopback service, reached through DNAT (127.0.0.1:PORT or localhost:PORT). */
  | { kind: 'loopback'; port: number }
  | { kind: 'hostname'; hostname: string; port: number };

const MAX_PORT = 65_535;

/** Parses "10.0.0.0/8", "10.1.2.3", "10.1.2.3:5432", "127.0.0.1:8080", "db.internal:5432". Throws on anything else. */
export function parseAllowEntry(entry: string): AllowEntry {
  const cidr = /^(\d+\.\d+\.\d+\.\d+)\/(\d{1,2})$/.exec(entry);
  if (cidr) {
    if (!isIPv4(cidr[1]!) || Number(cidr[2]) > 32) throw new Error(`network allow entry "${entry}" is not a valid IPv4 CIDR`);
    return { kind: 'cidr', cidr: entry };
  }
  if (isIPv4(entry)) return { kind: 'cidr', cidr: `${entry}/32` };
  const hostPort = /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry);
  if (!hostPort) throw new Error(`network allow entry "${entry}" is neither host:port nor an IPv4 CIDR`);
  const host = hostPort[1]!;
  const port = Number(hostPort[2]);
  if (port < 1 || port > MAX_PORT) throw new Error(`network allow entry "${entry}" has an invalid port`);
  if (host === 'localhost' || host === '127.0.0.1') return { kind: 'loopback', port };
  if (isIPv4(host)) {
    if (host.startsWith('127.')) throw new Error(`network allow entry "${entry}": only 127.0.0.1:PORT reaches the host loopback`);
    return { kind: 'address', address: host, port };
  }
  return { kind: 'hostname', hostname: host, port };
}
