import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetworkSlots } from '../../../../src/runtime/sandbox/network/network-slots.js';
import { runCommand } from '../../../../src/runtime/sandbox/network/run-command.js';
import { slotAddresses } from '../../../../src/runtime/sandbox/network/slot-addresses.js';
import { strictSkipReason } from '../strict-requirements.js';
import { ownedWhileTesting } from '../owned-while-testing.js';

test('a slot index whose host interface still exists (a dying namespace of another node) is left, and the next one taken', { skip: await strictSkipReason() }, async () => {
  const tag = `test_taken_${process.pid}`;
  // A driver starting in a test file beside this one reaps tables whose owner is not alive.
  const disown = await ownedWhileTesting(tag);
  const slots = await NetworkSlots.create(tag);
  let taken: string | undefined;
  try {
    // Claims go up from the last one: the index after this slot's is the next one tried.
    const first = await slots.createSlot();
    await slots.releaseSlot(first);
    taken = slotAddresses(first.index + 1).hostIface;
    await runCommand('ip', ['link', 'add', taken, 'type', 'veth', 'peer', 'name', `${taken}p`]);
    const slot = await slots.createSlot();
    assert.notEqual(slot.index, first.index + 1);
    assert.notEqual(slot.hostIface, taken);
    assert.match(await runCommand('ip', ['-o', 'link', 'show', slot.hostIface]), /state UP|UP/);
    assert.match(await runCommand('ip', ['-o', 'link', 'show', taken]), new RegExp(taken), 'the other interface is left alone');
    await slots.releaseSlot(slot);
  } finally {
    if (taken) await runCommand('ip', ['link', 'delete', taken]).catch(() => undefined);
    await slots.dispose();
    await disown();
  }
});
