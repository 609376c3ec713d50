import { SANDBOX_CIDR } from './slot-addresses.js';

export const TABLE_FAMILY = 'inet';
export const MARKER_SET = 'nft_session_marker';

/**
 * The host-side table of one driver. Its base chains only touch traffic of
 * the driver's own interfaces (the `sandbox_ifaces` set); per-slot chains
 * hang off interface-name verdict maps, so adding or changing a slot touches
 * nothing else. A slot chain that returns falls through to a refusal.
 */
export function hostTableDefinition(table: string, options: { dropOtherForwarding: boolean }): string {
  const refuse = 'meta l4proto tcp reject with tcp reset; reject with icmp type admin-prohibited';
  const lines = [
    `table ${TABLE_FAMILY} ${table} {`,
    `  set ${MARKER_SET} { type inet_service; }`,
    '  set sandbox_ifaces { type ifname; }',
    '  map forward_slots { type ifname : verdict; }',
    '  map input_slots { type ifname : verdict; }',
    '  map dnat_slots { type ifname : verdict; }',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    '    iifname vmap @dnat_slots',
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    iifname @sandbox_ifaces ip saddr ${SANDBOX_CIDR} ip daddr != ${SANDBOX_CIDR} masquerade`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    // Nothing may open a connection into a sandbox; answers to its own connections pass.
    '    oifname @sandbox_ifaces ct state established,related accept',
    '    oifname @sandbox_ifaces meta l4proto tcp reject with tcp reset',
    '    oifname @sandbox_ifaces drop',
    // IPv6 is off on both veth ends; anything IPv6 that still shows up is dropped.
    '    iifname @sandbox_ifaces meta nfproto ipv6 drop',
    '    iifname vmap @forward_slots',
    ...refuse.split('; ').map((rule) => `    iifname @sandbox_ifaces ${rule}`),
    '    iifname @sandbox_ifaces drop',
    // Forwarding was off before Nimbus turned it on for its sandboxes: keep it off for everything else.
    ...(options.dropOtherForwarding ? ['    meta nfproto ipv4 drop'] : []),
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    '    iifname @sandbox_ifaces meta nfproto ipv6 drop',
    '    iifname vmap @input_slots',
    ...refuse.split('; ').map((rule) => `    iifname @sandbox_ifaces ${rule}`),
    '    iifname @sandbox_ifaces drop',
    '  }',
    '}',
  ];
  return lines.join('\n') + '\n';
}

/** Chain names of one slot. */
export function slotChains(index: number): { forward: string; input: string; dnat: string } {
  return { forward: `slot_${index}_forward`, input: `slot_${index}_input`, dnat: `slot_${index}_dnat` };
}
