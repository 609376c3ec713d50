import { lookup } from 'node:dns/promises';
import { access, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetworkPolicy } from '../../../sdk/settings.js';
import { parseAllowEntry, type AllowEntry } from './destination.js';
import { hostDnsServers } from './dns-servers.js';
import { hostTableDefinition, MARKER_SET, slotChains, TABLE_FAMILY } from './host-table.js';
import { NftSession } from './nft-session.js';
import { runCommand } from './run-command.js';
import { HOST_IFACE_PREFIX, MAX_SLOTS, NETNS_PREFIX, SANDBOX_IFACE, SLOT_PREFIX_LENGTH, slotAddresses, type SlotAddresses } from './slot-addresses.js';
import { slotRules, type ResolvedAllowList, type SlotRules } from './slot-rules.js';

/** What a fresh slot holds: the default policy, so the common assign loads nothing. */
const DEFAULT_POLICY_KEY = JSON.stringify('outbound');
const DEFAULT_POLICY_RULES = (dnsServers: readonly string[], slot: SlotAddresses): SlotRules =>
  slotRules('outbound', { entries: [] }, slot, dnsServers);

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
 * with the warm sandbox (off the request path) holding the default policy;
 * any other policy is loaded at assign through one long-lived nft process.
 */
export class NetworkSlots {
  readonly #table: string;
  readonly #nft: NftSession;
  readonly #dnsServers: string[];
  readonly #slots = new Set<NetworkSlot>();
  /** The policy each slot's chains hold now, so an unchanged policy costs nothing at assign. */
  readonly #loaded = new Map<NetworkSlot, string>();

  private constructor(table: string, nft: NftSession, dnsServers: string[]) {
    this.#table = table;
    this.#nft = nft;
    this.#dnsServers = dnsServers;
  }

  /**
   * Removes what drivers that are gone left behind: the tables whose tag
   * `isStale` names, with their slots' namespaces (and veth pairs), then any
   * slot namespace no remaining table lists that has sat empty for a while.
   * A dead node's table matters: its hooks would go on inspecting every
   * packet on the host. Returns how many tables went.
   */
  static async reapStale(isStale: (tag: string) => Promise<boolean>): Promise<number> {
    const listing = await runCommand('nft', ['list', 'tables', TABLE_FAMILY]);
    const referenced = new Set<string>();
    let removed = 0;
    for (const [, table] of listing.matchAll(/^table \S+ (nimbus_\w+)$/gm)) {
      const namespaces = (await tableInterfaces(table!)).map(netnsOfInterface);
      if (await isStale(table!.slice(TABLE_PREFIX.length))) {
        await runCommand('nft', ['delete', 'table', TABLE_FAMILY, table!]).catch(() => undefined);
        for (const netns of namespaces) await runCommand('ip', ['netns', 'delete', netns]).catch(() => undefined);
        removed++;
      } else {
        for (const netns of namespaces) referenced.add(netns);
      }
    }
    for (const netns of await readdir(NETNS_DIR).catch(() => [] as string[])) {
      if (!netns.startsWith(NETNS_PREFIX) || referenced.has(netns)) continue;
      // A live driver adds a claimed namespace to its table within milliseconds.
      const claimed = await stat(join(NETNS_DIR, netns)).catch(() => null);
      if (!claimed || Date.now() - claimed.mtimeMs < ORPHAN_NETNS_AGE_MS) continue;
      if ((await runCommand('ip', ['netns', 'pids', netns]).catch(() => 'unknown')).trim() !== '') continue;
      await runCommand('ip', ['netns', 'delete', netns]).catch(() => undefined);
    }
    return removed;
  }

  /** `tag` makes this driver's table name unique on the host (letters, digits, underscores). */
  static async create(tag: string, options: { dnsServers?: string[] } = {}): Promise<NetworkSlots> {
    const table = `${TABLE_PREFIX}${tag}`;
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

  /**
   * Claims a free slot index (creating the named namespace is the atomic
   * claim) and wires it up with the default policy, 'outbound', already
   * loaded: a warm sandbox runs only the instance runtime, and most
   * functions keep the default, so their assign touches no rules at all.
   */
  async createSlot(): Promise<NetworkSlot> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#createSlotOnce();
      } catch (error) {
        if (!(error instanceof HostInterfaceTaken) || attempt === MAX_TAKEN_INTERFACES) throw error;
      }
    }
  }

  async #createSlotOnce(): Promise<NetworkSlot> {
    const addresses = await claimSlotIndex();
    const slot: NetworkSlot = { ...addresses, netnsPath: `/run/netns/${addresses.netns}` };
    this.#slots.add(slot);
    try {
      await runCommand('ip', ['-batch', '-'], [
        `link add ${slot.hostIface} type veth peer name ${SANDBOX_IFACE} netns ${slot.netns}`,
        `addr add ${slot.hostAddress}/${SLOT_PREFIX_LENGTH} dev ${slot.hostIface}`,
        `link set ${slot.hostIface} up`,
      ].join('\n') + '\n').catch((error: unknown) => {
        // The index's host interface is still there: a namespace whose name was deleted lives on until its
        // last process has exited, and its veth pair with it (a sandbox of another node, still dying). The
        // index is left to it; the next one is tried.
        throw error instanceof Error && /File exists/.test(error.message) ? new HostInterfaceTaken(slot.hostIface) : error;
      });
      // Without IPv6 on the host end, link-local IPv6 cannot reach host services; route_localnet lets DNAT hand packets to 127.0.0.1.
      await writeFile(`/proc/sys/net/ipv6/conf/${slot.hostIface}/disable_ipv6`, '1').catch(() => undefined);
      await writeFile(`/proc/sys/net/ipv4/conf/${slot.hostIface}/route_localnet`, '1');
      const chains = slotChains(slot.index);
      await Promise.all([
        runCommand('nsenter', [`--net=${slot.netnsPath}`, '/bin/sh', '-c', sandboxSideScript(slot)]),
        this.#nft.run(
          [
            `add chain ${TABLE_FAMILY} ${this.#table} ${chains.forward}`,
            `add chain ${TABLE_FAMILY} ${this.#table} ${chains.input}`,
            `add chain ${TABLE_FAMILY} ${this.#table} ${chains.dnat}`,
            ...this.#policyCommands(slot, DEFAULT_POLICY_RULES(this.#dnsServers, slot)),
            `add element ${TABLE_FAMILY} ${this.#table} sandbox_ifaces { "${slot.hostIface}" }`,
            `add element ${TABLE_FAMILY} ${this.#table} forward_slots { "${slot.hostIface}" : jump ${chains.forward} }`,
            `add element ${TABLE_FAMILY} ${this.#table} input_slots { "${slot.hostIface}" : jump ${chains.input} }`,
            `add element ${TABLE_FAMILY} ${this.#table} dnat_slots { "${slot.hostIface}" : jump ${chains.dnat} }`,
          ].join('\n'),
        ),
      ]);
      this.#loaded.set(slot, DEFAULT_POLICY_KEY);
    } catch (error) {
      await this.releaseSlot(slot);
      throw error;
    }
    return slot;
  }

  #policyCommands(slot: SlotAddresses, rules: SlotRules): string[] {
    const chains = slotChains(slot.index);
    const table = `${TABLE_FAMILY} ${this.#table}`;
    const commands = [`flush chain ${table} ${chains.forward}`, `flush chain ${table} ${chains.input}`, `flush chain ${table} ${chains.dnat}`];
    for (const rule of rules.forward) commands.push(`add rule ${table} ${chains.forward} ${rule}`);
    for (const rule of rules.input) commands.push(`add rule ${table} ${chains.input} ${rule}`);
    for (const rule of rules.dnat) commands.push(`add rule ${table} ${chains.dnat} ${rule}`);
    return commands;
  }

  /** Loads a function's policy into the slot. Host names in allow lists are resolved now; their later changes are not followed. */
  async applyPolicy(slot: NetworkSlot, policy: NetworkPolicy): Promise<void> {
    const key = JSON.stringify(policy);
    if (this.#loaded.get(slot) === key) return;
    const allow = typeof policy === 'object' ? await resolveAllowList(policy.allow) : { entries: [] };
    const rules = slotRules(policy, allow, slot, this.#dnsServers);
    const hostSide = this.#nft.run(this.#policyCommands(slot, rules).join('\n'));
    // Only functions that list 127.0.0.1 ports pay for a process inside the slot's namespace.
    const sandboxSide =
      rules.loopbackPorts.length > 0
        ? runCommand('nsenter', [`--net=${slot.netnsPath}`, 'nft', '-f', '-'], `add element ip ${SANDBOX_TABLE} loopback_ports { ${rules.loopbackPorts.join(', ')} }\n`)
        : Promise.resolve('');
    await Promise.all([hostSide, sandboxSide]);
    this.#loaded.set(slot, key);
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
    this.#loaded.delete(slot);
    // Deleting the namespace destroys the veth pair with it.
    await runCommand('ip', ['netns', 'delete', slot.netns]).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    for (const slot of [...this.#slots]) await this.releaseSlot(slot);
    this.#nft.close();
    await runCommand('nft', ['delete', 'table', TABLE_FAMILY, this.#table]).catch(() => undefined);
  }
}

const TABLE_PREFIX = 'nimbus_';
const NETNS_DIR = '/run/netns';
const ORPHAN_NETNS_AGE_MS = 60_000;

/** The host-side interfaces a driver's table lists (one per slot it had). */
async function tableInterfaces(table: string): Promise<string[]> {
  try {
    const answer = JSON.parse(await runCommand('nft', ['-j', 'list', 'set', TABLE_FAMILY, table, 'sandbox_ifaces'])) as {
      nftables: { set?: { elem?: unknown[] } }[];
    };
    return answer.nftables.flatMap((entry) => entry.set?.elem ?? []).filter((e): e is string => typeof e === 'string');
  } catch {
    return [];
  }
}

function netnsOfInterface(iface: string): string {
  return `${NETNS_PREFIX}${iface.slice(HOST_IFACE_PREFIX.length)}`;
}

/** Slot indexes tried in a row whose host interface is still taken, before creating a slot fails. */
const MAX_TAKEN_INTERFACES = 16;

class HostInterfaceTaken extends Error {
  constructor(iface: string) {
    super(`the network interface ${iface} still exists`);
  }
}

/** Where the next claim starts looking, so a busy node does not retry every taken index. */
let nextIndexHint = 0;

async function claimSlotIndex(): Promise<SlotAddresses> {
  for (let tried = 0; tried < MAX_SLOTS; tried++) {
    const index = (nextIndexHint + tried) % MAX_SLOTS;
    const addresses = slotAddresses(index);
    if (await pathExists(`/run/netns/${addresses.netns}`)) continue;
    try {
      await runCommand('ip', ['netns', 'add', addresses.netns]);
      nextIndexHint = index + 1;
      return addresses;
    } catch {
      // Another node claimed it between the check and now: try the next one.
    }
  }
  throw new Error('no free network slot');
}

async function pathExists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/** One process inside the new namespace: IPv6 off, addresses and routes, and the loopback-redirect table. */
function sandboxSideScript(slot: SlotAddresses): string {
  return [
    'set -e',
    'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6',
    'echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6',
    `echo 1 > /proc/sys/net/ipv4/conf/${SANDBOX_IFACE}/route_localnet`,
    "ip -batch - <<'IP'",
    `addr add ${slot.sandboxAddress}/${SLOT_PREFIX_LENGTH} dev ${SANDBOX_IFACE}`,
    `link set ${SANDBOX_IFACE} up`,
    'link set lo up',
    `route add default via ${slot.hostAddress}`,
    'IP',
    "nft -f - <<'NFT'",
    sandboxSideTable(slot).trimEnd(),
    'NFT',
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
