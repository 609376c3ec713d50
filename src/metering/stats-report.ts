import type { MeteringStore } from '../store/metering-store.js';
import { estimatePercentile } from './duration-histogram.js';
import type { InstanceSample } from './instance-sampler.js';
import { MINUTE_MS, minuteOf } from './minute-rollups.js';

/** One minute of the overview's charts, from the roll-ups of every node. */
export interface StatsPoint {
  /** Start of the minute (epoch ms). */
  t: number;
  invocations: number;
  errors: number;
  coldStarts: number;
  /** Estimated from the minute's duration histogram; null with no invocations (or none counted in buckets, before the histogram). */
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface StatsReport {
  since: number;
  stepMs: number;
  points: StatsPoint[];
  instances: InstanceSample[];
}

export interface StatsQuery {
  since: number;
  now: number;
  app?: string;
  functionName?: string;
}

/** A point for every minute from `since`'s to `now`'s, oldest first, zero where nothing ran. */
export async function statsReport(store: MeteringStore, query: StatsQuery, instances: InstanceSample[]): Promise<StatsReport> {
  const minutes = await store.usage({
    since: query.since, by: 'minute',
    ...(query.app === undefined ? {} : { app: query.app }),
    ...(query.functionName === undefined ? {} : { functionName: query.functionName }),
  });
  const byMinute = new Map(minutes.map((m) => [m.periodStart, m]));
  const points: StatsPoint[] = [];
  for (let t = minuteOf(query.since); t <= query.now; t += MINUTE_MS) {
    const minute = byMinute.get(t);
    if (!minute) {
      points.push({ t, invocations: 0, errors: 0, coldStarts: 0, p50Ms: null, p99Ms: null });
      continue;
    }
    points.push({
      t, invocations: minute.invocations, errors: minute.errors, coldStarts: minute.coldStarts,
      p50Ms: estimatePercentile(minute.durationBuckets, 0.5, minute.durationMaxMs),
      p99Ms: estimatePercentile(minute.durationBuckets, 0.99, minute.durationMaxMs),
    });
  }
  return { since: query.since, stepMs: MINUTE_MS, points, instances };
}
