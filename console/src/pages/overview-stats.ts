import type { ApiClient } from '../api/client.js';
import { routes, type ResponseOf } from '../api/endpoints.js';

type StatsAnswer = ResponseOf<typeof routes.metering.stats>;

/** What the Overview charts draw: per-minute figures for the last hour, and running instances over it. */
export interface ChartData {
  times: number[];
  invocationsPerSecond: number[];
  errors: number[];
  coldStarts: number[];
  p50Ms: (number | null)[];
  p99Ms: (number | null)[];
  instanceTimes: number[];
  running: number[];
}

export function chartDataOf(answer: StatsAnswer): ChartData {
  const perSecond = answer.stepMs / 1000;
  return {
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

/** The last hour, as `GET /stats` works it out on the node. */
export async function loadChartData(api: ApiClient, signal: AbortSignal): Promise<ChartData> {
  return chartDataOf(await api.call(routes.metering.stats, { query: { since: '1h' }, signal }));
}
