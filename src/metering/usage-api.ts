import type { Clock } from '../shared/clock.js';
import type { MeteringStore } from '../store/metering-store.js';
import { DEFAULT_PRICES, type PriceTable } from './prices.js';
import { queryInvalid, readLimit, readName, } from './query-error.js';
import type { AdminResult } from '../gateway/admin-result.js';
import { parseSince } from './since.js';
import { decodeRecordCursor, encodeRecordCursor, OUTCOME_FILTERS, outcomesOf } from './record-cursor.js';
import { usageReport, type ReportGrouping } from './usage-report.js';

export const DEFAULT_USAGE_SINCE = '24h';
export const DEFAULT_RECORDS_LIMIT = 100;
export const MAX_RECORDS_LIMIT = 1_000;
const GROUPINGS: readonly ReportGrouping[] = ['function', 'hour', 'day'];

export interface MeteringApiDeps {
  store: MeteringStore;
  clock: Clock;
  prices?: PriceTable;
}

/** `GET /_nimbus/api/v1/usage?app=&since=&by=` — the gateway handles auth and routing. */
export async function handleUsageApi(query: URLSearchParams, deps: MeteringApiDeps): Promise<AdminResult> {
  const app = readName(query, 'app');
  if (!app.ok) return app.answer;
  const by = (query.get('by') || 'function') as ReportGrouping;
  if (!GROUPINGS.includes(by)) return queryInvalid('by', `must be one of ${GROUPINGS.join(', ')}, got "${by}"`);
  let since: number;
  try {
    since = parseSince(query.get('since') || DEFAULT_USAGE_SINCE, deps.clock.now());
  } catch (error) {
    return queryInvalid('since', (error as Error).message);
  }
  const report = await usageReport(
    deps.store,
    { ...(app.value === undefined ? {} : { app: app.value }), since, by },
    deps.prices ?? DEFAULT_PRICES,
  );
  return { status: 200, body: report };
}

/** `GET /_nimbus/api/v1/invocation-records?app=&fn=&outcome=&before=&limit=` — newest first, a page at a time. */
export async function handleInvocationsApi(query: URLSearchParams, deps: MeteringApiDeps): Promise<AdminResult> {
  const app = readName(query, 'app');
  if (!app.ok) return app.answer;
  const fn = readName(query, 'fn');
  if (!fn.ok) return fn.answer;
  if (fn.value !== undefined && app.value === undefined) return queryInvalid('app', 'is required when fn is given');
  const limit = readLimit(query, 'limit', DEFAULT_RECORDS_LIMIT, MAX_RECORDS_LIMIT);
  if (!limit.ok) return limit.answer;
  const outcomeFilter = query.get('outcome') || undefined;
  const outcomes = outcomeFilter === undefined ? undefined : outcomesOf(outcomeFilter);
  if (outcomeFilter !== undefined && !outcomes) return queryInvalid('outcome', `must be one of ${OUTCOME_FILTERS.join(', ')}, got "${outcomeFilter}"`);
  const cursor = query.get('before') || undefined;
  const before = cursor === undefined ? undefined : decodeRecordCursor(cursor);
  if (cursor !== undefined && !before) return queryInvalid('before', 'is not a cursor this API gave out (use the previous page\'s nextCursor)');
  const page = await deps.store.pageRecords({
    ...(app.value === undefined ? {} : { app: app.value }),
    ...(fn.value === undefined ? {} : { functionName: fn.value }),
    ...(outcomes ? { outcomes } : {}),
    ...(before ? { before } : {}),
    limit: limit.value,
  });
  return { status: 200, body: { records: page.records, nextCursor: page.next && encodeRecordCursor(page.next) } };
}
