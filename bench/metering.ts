/**
 * What metering adds to each invocation on the dispatcher's hot path: the
 * cost of emitting `finished` with nothing listening, against the same with
 * the invocation recorder (real SQLite file) and Prometheus metrics attached.
 * The HTTP-level on/off comparison is measured through the gateway elsewhere.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/store/sqlite/sqlite-database.js';
import { InvocationRecorder } from '../src/metering/invocation-recorder.js';
import { NodeMetrics } from '../src/metering/metrics.js';
import { InvocationLifecycle, type InvocationEnd } from '../src/runtime/lifecycle.js';
import { systemClock } from '../src/shared/clock.js';
import { SqliteMeteringStore } from '../src/store/sqlite/sqlite-metering-store.js';

export interface MeteringBenchRow {
  case: string;
  nsPerInvocation: number;
  /** Against emitting with nothing attached. */
  ratio: number;
}

const CHUNK = 1_000;
const FUNCTIONS = 20;

function events(count: number, round: string): InvocationEnd[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    // Invocation ids are UUIDs, as the gateway makes them; `round` keeps the two runs apart.
    id: `${round.padEnd(8, '0').slice(0, 8)}-${randomUUID().slice(9)}`,
    app: 'bench',
    functionName: `fn-${i % FUNCTIONS}`,
    version: 1,
    trigger: 'http' as const,
    memoryMb: 128,
    admittedAt: now,
    startedAt: now,
    durationMs: 1 + (i % 50) / 7,
    coldStartMs: i % 100 === 0 ? 30 : null,
    cpuMicros: 900,
    peakRssBytes: 40 * 1024 * 1024,
    budgetWaitMs: 0,
    outcome: i % 97 === 0 ? ('error' as const) : ('ok' as const),
  }));
}

/**
 * Emits in chunks and yields between them so batch writes run as they would
 * in a server. Returns [ns spent inside emit, ns including the writes].
 */
async function run(lifecycle: InvocationLifecycle, batch: InvocationEnd[], flush: () => Promise<void>): Promise<[number, number]> {
  let inHook = 0n;
  const started = process.hrtime.bigint();
  for (let at = 0; at < batch.length; at += CHUNK) {
    const chunkStart = process.hrtime.bigint();
    for (let i = at; i < Math.min(at + CHUNK, batch.length); i++) lifecycle.emit('finished', batch[i]!);
    inHook += process.hrtime.bigint() - chunkStart;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await flush();
  return [Number(inHook) / batch.length, Number(process.hrtime.bigint() - started) / batch.length];
}

export async function benchRecorder(invocations = 100_000): Promise<{ rows: MeteringBenchRow[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-bench-metering-'));
  const db = openDatabase(join(dir, 'state.db'));
  db.pragma('journal_mode = WAL');
  try {
    const bare = new InvocationLifecycle();
    await run(bare, events(invocations, 'warm-bare'), async () => {});
    const [bareHook, bareTotal] = await run(bare, events(invocations, 'bare'), async () => {});

    const metered = new InvocationLifecycle();
    const recorder = new InvocationRecorder({ store: new SqliteMeteringStore(db, systemClock), clock: systemClock });
    const metrics = new NodeMetrics({ processMetrics: false });
    recorder.attach(metered);
    metrics.attach(metered);
    await run(metered, events(invocations, 'warm'), () => recorder.flush());
    const [hook, total] = await run(metered, events(invocations, 'measured'), () => recorder.flush());
    await recorder.close();

    const row = (name: string, ns: number, base: number): MeteringBenchRow => ({
      case: name,
      nsPerInvocation: Math.round(ns),
      ratio: Number((ns / Math.max(base, 1)).toFixed(2)),
    });
    return {
      rows: [
        row('finished hook, nothing attached', bareHook, bareHook),
        row('finished hook, recorder + metrics', hook, bareHook),
        row('per invocation incl. SQLite batch writes', total, bareTotal),
      ],
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
