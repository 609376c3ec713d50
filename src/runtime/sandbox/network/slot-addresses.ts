/**
 * Addresses and names of network slots. Slot indexes are global on the
 * host (claimed by creating the named network namespace, which fails if it
 * exists), so several Nimbus nodes or test runs on one machine never share
 * an address or interface name.
 */

/** Every sandbox address lives here; it is refused as a destination from any sandbox. */
export const SANDBOX_RANGE = { base: [10, 213, 0, 0] as const, prefix: 16 };
export const SANDBOX_CIDR = `${SANDBOX_RANGE.base.join('.')}/${SANDBOX_RANGE.prefix}`;
/** A /30 per slot: host end .1, sandbox end .2. */
const ADDRESSES_PER_SLOT = 4;
export const MAX_SLOTS = 2 ** (32 - SANDBOX_RANGE.prefix) / ADDRESSES_PER_SLOT;
export const SLOT_PREFIX_LENGTH = 30;
export const NETNS_PREFIX = 'nimbus-slot-';
/** Host-side veth names: "nmb" + index stays within the kernel's 15-character limit. */
export const HOST_IFACE_PREFIX = 'nmb';
export const SANDBOX_IFACE = 'eth0';

export interface SlotAddresses {
  index: number;
  netns: string;
  hostIface: string;
  hostAddress: string;
  sandboxAddress: string;
}

export function slotAddresses(index: number): SlotAddresses {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_SLOTS) throw new RangeError(`slot index ${index} is out of range`);
  const offset = index * ADDRESSES_PER_SLOT;
  const [a, b] = SANDBOX_RANGE.base;
  const third = Math.floor(offset / 256);
  const fourth = offset % 256;
  return {
    index,
    netns: `${NETNS_PREFIX}${index}`,
    hostIface: `${HOST_IFACE_PREFIX}${index}`,
    hostAddress: `${a}.${b}.${third}.${fourth + 1}`,
    sandboxAddress: `${a}.${b}.${third}.${fourth + 2}`,
  };
}
