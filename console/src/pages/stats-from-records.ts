/**
 * PENDING-MERGE (wt/capi adds `GET /stats`): the Overview's figures worked
 * out in the browser from the newest invocation records, for a node without
 * that route. Delete with api/pending-routes.ts.
 */
import type { ApiClient } from '../api/client.js';
import { invocationPage, type InvocationRow, type StatsAnswer } from '../api/pending-routes.js';

const STEP_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Running instances cannot be read back from records: they are sampled while the page is open. */
const samples: { t: number; running: number }[] = [];

export async function statsFromRecords(api: ApiClient, signal: AbortSignal, now: number, runningNow: () => Promise<number>): Promise<StatsAnswer> {
  const [{ records }, running] = await Promise.all([api.call(invocationPage, { query: { limit: 1000 }, signal }), runningNow()]);
  samples.push({ t: now, running });
  while (samples.length > 0 && samples[0]!.t < now - HOUR_MS) samples.shift();
  return { since: now - HOUR_MS, stepMs: STEP_MS, points: minutePoints(records, now), instances: [...samples] };
}

export function minutePoints(records: InvocationRow[], now: number): StatsAnswer['points'] {
  const last = Math.floor(now / STEP_MS) * STEP_MS;
  const first = last - HOUR_MS + STEP_MS;
  const buckets = new Map<number, InvocationRow[]>();
  for (const record of records) {
    const t = Math.floor(record.startedAt / STEP_MS) * STEP_MS;
    if (t < first) continue;
    buckets.set(t, [...(buckets.get(t) ?? []), record]);
  }
  const points: StatsAnswer['points'] = [];
  for (let t = first; t <= last; t += STEP_MS) {
    const minute = buckets.get(t) ?? [];
    const durations = minute.map((r) => r.durationMs).sort((a, b) => a - b);
    points.push({
      t,
      invocations: minute.length,
      errors: minute.filter((r) => r.outcome !== 'ok').length,
      coldStarts: minute.filter((r) => r.coldStart).length,
      p50Ms: percentile(durations, 0.5),
      p99Ms: percentile(durations, 0.99),
    });
  }
  return points;
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
