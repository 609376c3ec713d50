import type { NetworkPolicy } from '../../../sdk/settings.js';
import { REFUSED_RANGES, type AllowEntry } from './destination.js';
import { SANDBOX_CIDR, type SlotAddresses } from './slot-addresses.js';

/** TCP is refused with a reset (ICMP rejects are rate-limited and stall the caller about a second); the rest with ICMP. */
const REFUSE = ['meta l4proto tcp reject with tcp reset', 'reject with icmp type admin-prohibited'] as const;

/** nft rule bodies for one slot's three chains, and the loopback ports the sandbox side must redirect. */
export interface SlotRules {
  /** Packets the sandbox sends through the host (forward hook). */
  forward: string[];
  /** Packets the sandbox sends to the host itself (input hook), after DNAT. */
  input: string[];
  /** DNAT of redirected loopback ports to the host's 127.0.0.1 (prerouting hook). */
  dnat: string[];
  loopbackPorts: number[];
}

export interface ResolvedAllowList {
  entries: Exclude<AllowEntry, { kind: 'hostname' }>[];
}

/**
 * The per-slot rules for a policy. Every chain ends by refusing; the table's
 * base chains refuse too when a slot chain returns, so an empty slot (a warm
 * sandbox not yet assigned, or `none`) reaches nothing.
 */
export function slotRules(
  policy: NetworkPolicy,
  allow: ResolvedAllowList,
  slot: SlotAddresses,
  dnsServers: readonly string[],
): SlotRules {
  if (policy === 'none') return { forward: [], input: [], dnat: [], loopbackPorts: [] };
  const forward: string[] = [`ip daddr ${SANDBOX_CIDR} ${REFUSE[0]}`, `ip daddr ${SANDBOX_CIDR} drop`];
  for (const server of dnsServers) forward.push(`ip daddr ${server} meta l4proto { tcp, udp } th dport 53 accept`);
  const input: string[] = [];
  const dnat: string[] = [];
  const loopbackPorts: number[] = [];

  if (policy === 'outbound') {
    forward.push(`ip daddr { ${REFUSED_RANGES.join(', ')} } ${REFUSE[0]}`, `ip daddr { ${REFUSED_RANGES.join(', ')} } ${REFUSE[1]}`, 'accept');
    return { forward, input, dnat, loopbackPorts };
  }

  for (const entry of allow.entries) {
    if (entry.kind === 'cidr') forward.push(`ip daddr ${entry.cidr} accept`);
    else if (entry.kind === 'address') {
      forward.push(`ip daddr ${entry.address} meta l4proto { tcp, udp } th dport ${entry.port} accept`);
      // A listed address of this host itself arrives on the input hook instead.
      input.push(`ip daddr ${entry.address} meta l4proto { tcp, udp } th dport ${entry.port} accept`);
    } else {
      loopbackPorts.push(entry.port);
      dnat.push(`ip daddr ${slot.hostAddress} tcp dport ${entry.port} dnat ip to 127.0.0.1:${entry.port}`);
      input.push(`ip daddr 127.0.0.1 tcp dport ${entry.port} ct status dnat accept`);
    }
  }
  forward.push(...REFUSE);
  return { forward, input, dnat, loopbackPorts };
}
