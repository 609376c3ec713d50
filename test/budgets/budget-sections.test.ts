import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BudgetRegistry } from '../../src/budgets/budget-registry.js';
import type { BudgetHold } from '../../src/budgets/budget-hold.js';
import { BudgetSections, MAX_SECTIONS_PER_INVOCATION } from '../../src/budgets/budget-sections.js';
import type { HostCall } from '../../src/runtime/host-services.js';
import { NimbusError } from '../../src/shared/errors.js';
import { FakeClock, settle } from '../helpers/fake-clock.js';
import { budget, MemoryBudgetStore } from './memory-budget-store.js';

async function setup(usesHolds = new Map<string, BudgetHold>()) {
  const clock = new FakeClock();
  const store = new MemoryBudgetStore(() => clock.now());
  await store.put(budget('db', 1));
  await store.put(budget('wide', 100));
  const registry = new BudgetRegistry(store, clock, { info() {}, warn() {} });
  await registry.load();
  const sections = new BudgetSections(registry, clock, (id) => usesHolds.get(id), () => 0);
  const call = (invocationId: string | null, method: 'acquire' | 'release', args: unknown[], running = true): HostCall => ({
    app: 'shop', functionName: 'f', version: 1, invocationId, invocationRunning: running, service: 'budgets', method, args, body: null,
  });
  return { clock, registry, sections, call };
}

const code = (err: unknown): string => (err instanceof NimbusError ? err.code : String(err));

test('hostile input is refused with a code: bad names, unknown budgets, calls outside a running invocation, too many sections', async () => {
  const { sections, call } = await setup();
  for (const name of [42, '', 'Has Caps', 'x'.repeat(70), null]) {
    await assert.rejects(sections.acquire(call('inv-1', 'acquire', [name])), (e) => code(e) === 'NIMBUS_ERR_BODY_INVALID');
  }
  await assert.rejects(sections.acquire(call('inv-1', 'acquire', ['nope'])), (e) => code(e) === 'NIMBUS_ERR_BUDGET_NOT_FOUND');
  await assert.rejects(sections.acquire(call(null, 'acquire', ['db'])), (e) => code(e) === 'NIMBUS_ERR_BODY_INVALID');
  await assert.rejects(sections.acquire(call('inv-1', 'acquire', ['db'], false)), (e) => code(e) === 'NIMBUS_ERR_BODY_INVALID');
  for (let i = 0; i < MAX_SECTIONS_PER_INVOCATION; i++) await sections.acquire(call('inv-1', 'acquire', ['wide']));
  await assert.rejects(sections.acquire(call('inv-1', 'acquire', ['wide'])), /at most 16/);
  // Releases of unknown or foreign section ids do nothing.
  sections.release(call('inv-1', 'release', [999, true]));
  sections.release(call('inv-2', 'release', [1, true]));
  sections.release(call('inv-1', 'release', ['1', true]));
  sections.end('inv-1');
  assert.equal(sections.openInvocations, 0);
});

test('a section holds its permit until released; the next waits; ending the invocation releases and stops waits', async () => {
  const { registry, sections, call } = await setup();
  const first = await sections.acquire(call('inv-1', 'acquire', ['db']));
  let second: number | undefined;
  void sections.acquire(call('inv-2', 'acquire', ['db'])).then((id) => (second = id));
  const third = sections.acquire(call('inv-3', 'acquire', ['db'])).then(() => 'granted', (e: unknown) => code(e));
  await settle();
  assert.equal(second, undefined);
  assert.equal(registry.limiter('db')!.waiting, 2);
  sections.release(call('inv-1', 'release', [first, true]));
  await settle();
  assert.equal(second, 1);
  sections.end('inv-3');
  assert.equal(await third, 'NIMBUS_ERR_BODY_INVALID');
  // inv-2 crashes or times out without releasing: its end gives the permit back.
  sections.end('inv-2');
  assert.equal(registry.limiter('db')!.inUse, 0);
  assert.equal(sections.openInvocations, 0);
});

test('a section of a budget the invocation holds through `uses` runs at once, without a second permit', async () => {
  const holds = new Map<string, BudgetHold>();
  const { registry, sections, call } = await setup(holds);
  const hold = registry.tryAcquire(['db'])!;
  holds.set('inv-1', hold);
  const id = await sections.acquire(call('inv-1', 'acquire', ['db']));
  assert.equal(registry.limiter('db')!.inUse, 1);
  sections.release(call('inv-1', 'release', [id, true]));
  assert.equal(registry.limiter('db')!.inUse, 1, 'the `uses` permit stays until the invocation ends');
});
