import type { AdminResult } from '../gateway/admin-result.js';
import type { InstanceSampler } from './instance-sampler.js';
import { queryInvalid, readName } from './query-error.js';
import { parseSince } from './since.js';
import { statsReport } from './stats-report.js';
import type { MeteringApiDeps } from './usage-api.js';

export const DEFAULT_STATS_SINCE = '1h';
/** A point a minute: a day is 1,440 of them, as far as a live chart reaches. */
export const MAX_STATS_SPAN_MS = 24 * 3_600_000;

/** `GET /_nimbus/api/v1/stats?since=&app=&fn=` — the overview's live charts. */
export async function handleStatsApi(query: URLSearchParams, deps: MeteringApiDeps & { instances: InstanceSampler }): Promise<AdminResult> {
  const app = readName(query, 'app');
  if (!app.ok) return app.answer;
  const fn = readName(query, 'fn');
  if (!fn.ok) return fn.answer;
  if (fn.value !== undefined && app.value === undefined) return queryInvalid('app', 'is required when fn is given');
  const now = deps.clock.now();
  let since: number;
  try {
    since = parseSince(query.get('since') || DEFAULT_STATS_SINCE, now);
  } catch (error) {
    return queryInvalid('since', (error as Error).message);
  }
  if (now - since > MAX_STATS_SPAN_MS) return queryInvalid('since', 'reaches back more than 24h (use /usage for longer spans)');
  if (since > now) return queryInvalid('since', 'is in the future');
  // The samples, then this moment's count: the chart's last point is now.
  const instances = [...deps.instances.samples(since), deps.instances.current()];
  const report = await statsReport(deps.store, {
    since, now, ...(app.value === undefined ? {} : { app: app.value }), ...(fn.value === undefined ? {} : { functionName: fn.value }),
  }, instances);
  return { status: 200, body: report };
}
