import type { InstanceSlots, SlotLease } from './instance-slots.js';

/**
 * One node alone: the pool's own per-node cap already is the cluster's, so
 * every slot is granted at once, with no bookkeeping and no promise.
 */
export class LocalInstanceSlots implements InstanceSlots {
  acquire(functionKey: string): SlotLease {
    return { functionKey };
  }

  release(): void {}

  onSlotWanted(): () => void {
    return () => {};
  }
}

export const LOCAL_INSTANCE_SLOTS: InstanceSlots = new LocalInstanceSlots();
