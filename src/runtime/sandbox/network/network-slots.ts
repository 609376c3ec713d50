import { lookup } from 'node:dns/promises';
import { readFile, writeFile } from 'node:fs/promises';
import type { NetworkPolicy } from '../../../sdk/settings.js';
import { parseAllowEntry, type AllowEntry } from './destination.js';
import { hostDnsServers } from './dns-servers.js';
import { hostTableDefinition, MARKER_SET, slotChains, TABLE_FAMILY } from './host-table.js';
import { NftSession } from './nft-session.js';
import { runCommand } from './run-command.js';
import { MAX_SLOTS, NETNS_PREFIX, SANDBOX_IFACE, SLOT_PREFIX_LENGTH, slotAddresses, type SlotAddresses } from './slot-addresses.js';
import { slotRules, type ResolvedAllowList } from './slot-rules.js';

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';
/** The table inside a slot's namespace that redirects listed 127.0.0.1 ports to the host. */
const SANDBOX_TABLE = 'nimbus_sandbox';

/** A prepared network namespace with a veth pair to the host; the sandbox is started inside `netnsPath`. */
export interface NetworkSlot extends SlotAddresses {
  readonly netnsPath: string;
}

/**
 * Per-sandbox network namespaces wired to the host through veth pairs and
 * filtered by one nftables table on the host (needs root). Slots are made
 * with the warm sandbox (about 15 ms, off the request path); a function's
 * rules are loaded at assign through one long-lived nft process.
 */
export class NetworkSlots {
  readonly #table: string;
  readonly #nft: NftSession;
  readonly #dnsServers: string[];
  readonly #slots = new Set<NetworkSlot>();

  private constructor(table: string, nft: NftSession, dnsServers: string[]) {
    this.#table = table;
    this.#nft = nft;
    this.#dnsServers = dnsServers;
  }

  /** `tag` makes this driver's table name unique on the host (letters, digits, underscores). */
  static async create(tag: string, options: { dnsServers?: string[] } = {}): Promise<NetworkSlots> {
    const table = `nimbus_${tag}`;
    // Sandboxes reach the outside through the host: IPv4 forwarding must be on.
    const forwardingWasOff = (await readFile(IP_FORWARD, 'utf8')).trim() === '0';
    await runCommand('nft', ['-f', '-'], hostTableDefinition(table, { dropOtherForwarding: forwardingWasOff }));
    if (forwardingWasOff) await writeFile(IP_FORWARD, '1');
    const nft = await NftSession.start(TABLE_FAMILY, table, MARKER_SET);
    return new NetworkSlots(table, nft, options.dnsServers ?? hostDnsServers());
  }

  get dnsServers(): readonly string[] {
    return this.#dnsServers;
  }

  /** Claims a free slot index (creating the named namespace is the atomic claim) and wires it up with no access. */
  async createSlot(): Promise<NetworkSlot> {
    const addresses = await claimSlotIndex();
    const slot: NetworkSlot = { ...addresses, netnsPath: `/run/netns/${addresses.netns}` };
    this.#slots.add(slot);
    try {
      await runCommand('ip', ['-batch', '-'], [
        `link add ${slot.hostIface} type veth peer name ${SANDBOX_IFACE} netns ${slot.netns}`,
        `addr add ${slot.hostAddress}/${SLOT_PREFIX_LENGTH} dev ${slot.hostIface}`,
      ].join('\n') + '\n');
      // Without IPv6 on the host end, link-local IPv6 cannot reach host services; route_localnet lets DNAT hand packets to 127.0.0.1.
      await writeFile(`/proc/sys/net/ipv6/conf/${slot.hostIface}/disable_ipv6`, '1').catch(() => undefined);
      await writeFile(`/proc/sys/net/ipv4/conf/${slot.hostIface}/route_localnet`, '1');
      await runCommand('ip', ['link', 'set', slot.hostIface, 'up']);
      await runCommand('nsenter', [`--net=${slot.netnsPath}`, '/bin/sh', '-c', sandboxSideScript(slot)], sandboxSideTable(slot));
      const chains = slotChains(slot.index);
      await this.#nft.run(
        [
          `add chain ${TABLE_FAMILY} ${this.#table} ${chains.forward}`,
          `add chain ${TABLE_FAMILY} ${this.#table} ${chains.input}`,
          `add chain ${TABLE_FAMILY} ${this.#table} ${chains.dnat}`,
          `add element ${TABLE_FAMILY} ${this.#table} sandbox_ifaces { "${slot.hostIface}" }`,
          `add element ${TABLE_FAMILY} ${this.#table} forward_slots { "${slot.hostIface}" : jump ${chains.forward} }`,
          `add element ${TABLE_FAMILY} ${this.#table} input_slots { "${slot.hostIface}" : jump ${chains.input} }`,
          `add element ${TABLE_FAMILY} ${this.#table} dnat_slots { "${slot.hostIface}" : jump ${chains.dnat} }`,
        ].join('\n'),
      );
    } catch (error) {
      await this.releaseSlot(slot);
      throw error;
    }
    return slot;
  }

  /** Loads a function's policy into the slot. Host names in allow lists are resolved now; their later changes are not followed. */
  async applyPolicy(slot: NetworkSlot, policy: NetworkPolicy): Promise<void> {
    const allow = typeof policy === 'object' ? await resolveAllowList(policy.allow) : { entries: [] };
    const rules = slotRules(policy, allow, slot, this.#dnsServers);
    const chains = slotChains(slot.index);
    const table = `${TABLE_FAMILY} ${this.#table}`;
    const commands = [`flush chain ${table} ${chains.forward}`, `flush chain ${table} ${chains.input}`, `flush chain ${table} ${chains.dnat}`];
    for (const rule of rules.forward) commands.push(`add rule ${table} ${chains.forward} ${rule}`);
    for (const rule of rules.input) commands.push(`add rule ${table} ${chains.input} ${rule}`);
    for (const rule of rules.dnat) commands.push(`add rule ${table} ${chains.dnat} ${rule}`);
    const hostSide = this.#nft.run(commands.join('\n'));
    // Only functions that list 127.0.0.1 ports pay for a process inside the slot's namespace.
    const sandboxSide =
      rules.loopbackPorts.length > 0
        ? runCommand('nsenter', [`--net=${slot.netnsPath}`, 'nft', '-f', '-'], `add element ip ${SANDBOX_TABLE} loopback_ports { ${rules.loopbackPorts.join(', ')} }\n`)
        : Promise.resolve('');
    await Promise.all([hostSide, sandboxSide]);
    if (policy === 'none') {
      // Leave the namespace with loopback only; the empty slot chains already refuse everything meanwhile.
      void runCommand('ip', ['link', 'del', slot.hostIface]).catch(() => undefined);
    }
  }

  /** Removes the slot's rules, veth pair and namespace. */
  async releaseSlot(slot: NetworkSlot): Promise<void> {
    if (!this.#slots.delete(slot)) return;
    const chains = slotChains(slot.index);
    const table = `${TABLE_FAMILY} ${this.#table}`;
    await this.#nft
      .run(
        [
          `delete element ${table} forward_slots { "${slot.hostIface}" }`,
          `delete element ${table} input_slots { "${slot.hostIface}" }`,
          `delete element ${table} dnat_slots { "${slot.hostIface}" }`,
          `delete element ${table} sandbox_ifaces { "${slot.hostIface}" }`,
          `delete chain ${table} ${chains.forward}`,
          `delete chain ${table} ${chains.input}`,
          `delete chain ${table} ${chains.dnat}`,
        ].join('\n'),
      )
      .catch(() => undefined);
    // Deleting the namespace destroys the veth pair with it.
    await runCommand('ip', ['link', 'del', slot.hostIface]).catch(() => undefined);
    await runCommand('ip', ['netns', 'delete', slot.netns]).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    for (const slot of [...this.#slots]) await this.releaseSlot(slot);
    this.#nft.close();
    await runCommand('nft', ['delete', 'table', TABLE_FAMILY, this.#table]).catch(() => undefined);
  }
}

async function claimSlotIndex(): Promise<SlotAddresses> {
  const taken = new Set(
    (await runCommand('ip', ['netns', 'list']))
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((name) => name.startsWith(NETNS_PREFIX))
      .map((name) => Number(name.slice(NETNS_PREFIX.length))),
  );
  for (let index = 0; index < MAX_SLOTS; index++) {
    if (taken.has(index)) continue;
    try {
      await runCommand('ip', ['netns', 'add', slotAddresses(index).netns]);
      return slotAddresses(index);
    } catch {
      // Another node claimed it between the listing and now: try the next one.
    }
  }
  throw new Error('no free network slot');
}

function sandboxSideScript(slot: SlotAddresses): string {
  return [
    'set -e',
    'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6',
    'echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6',
    `echo 1 > /proc/sys/net/ipv4/conf/${SANDBOX_IFACE}/route_localnet`,
    `ip addr add ${slot.sandboxAddress}/${SLOT_PREFIX_LENGTH} dev ${SANDBOX_IFACE}`,
    `ip link set ${SANDBOX_IFACE} up`,
    'ip link set lo up',
    `ip route add default via ${slot.hostAddress}`,
    'nft -f -',
  ].join('\n');
}

/** Listed 127.0.0.1 ports leave the namespace for the host end (masqueraded, so the source is not a loopback address). */
function sandboxSideTable(slot: SlotAddresses): string {
  return [
    `table ip ${SANDBOX_TABLE} {`,
    '  set loopback_ports { type inet_service; }',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    `    ip daddr 127.0.0.1 tcp dport @loopback_ports dnat to ${slot.hostAddress}`,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority 100; policy accept;',
    `    oifname "${SANDBOX_IFACE}" ip saddr 127.0.0.0/8 masquerade`,
    '  }',
    '}',
  ].join('\n') + '\n';
}

async function resolveAllowList(entries: readonly string[]): Promise<ResolvedAllowList> {
  const resolved: ResolvedAllowList['entries'] = [];
  for (const text of entries) {
    const entry: AllowEntry = parseAllowEntry(text);
    if (entry.kind !== 'hostname') {
      resolved.push(entry);
      continue;
    }
    for (const { address } of await lookup(entry.hostname, { family: 4, all: true })) {
      resolved.push({ kind: 'address', address, port: entry.port });
    }
  }
  return { entries: resolved };
}
