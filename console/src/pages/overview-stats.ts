import { ApiError, type ApiClient } from '../api/client.js';
import { statsEndpoint, type StatsAnswer } from '../api/pending-routes.js';
import { statsFromRecords } from './stats-from-records.js';

/** What the Overview charts draw: per-minute figures for the last hour, and running instances over it. */
export interface ChartData {
  /** Where the figures came from: the node's /stats, or (until that route is merged) the raw records. */
  source: 'stats' | 'records';
  times: number[];
  invocationsPerSecond: number[];
  errors: number[];
  coldStarts: number[];
  p50Ms: (number | null)[];
  p99Ms: (number | null)[];
  instanceTimes: number[];
  running: number[];
}

export function chartDataOf(answer: StatsAnswer, source: ChartData['source']): ChartData {
  const perSecond = answer.stepMs / 1000;
  return {
    source,
    times: answer.points.map((p) => p.t),
    invocationsPerSecond: answer.points.map((p) => p.invocations / perSecond),
    errors: answer.points.map((p) => p.errors),
    coldStarts: answer.points.map((p) => p.coldStarts),
    p50Ms: answer.points.map((p) => p.p50Ms),
    p99Ms: answer.points.map((p) => p.p99Ms),
    instanceTimes: answer.instances.map((i) => i.t),
    running: answer.instances.map((i) => i.running),
  };
}

/**
 * The last hour from `GET /stats` (pending-routes). A node without that route
 * answers 404: the figures are then worked out from the invocation records.
 */
export async function loadChartData(api: ApiClient, signal: AbortSignal, runningNow: () => Promise<number>): Promise<ChartData> {
  try {
    return chartDataOf(await api.call(statsEndpoint, { query: { since: '1h' }, signal }), 'stats');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    return chartDataOf(await statsFromRecords(api, signal, Date.now(), runningNow), 'records');
  }
}
