import type { MeteringStore, UsageAggregate, UsageGrouping } from '../store/metering-store.js';
import { costOf, DEFAULT_PRICES, type PriceTable } from './prices.js';

/** What a usage report groups by; per-minute groups are the live charts' (`/stats`). */
export type ReportGrouping = Exclude<UsageGrouping, 'minute'>;

export interface UsageReportQuery {
  app?: string;
  /** Epoch ms. */
  since: number;
  by: ReportGrouping;
}

export interface UsageFigures {
  invocations: number;
  gbSeconds: number;
  cpuMs: number;
  /** Invocations whose outcome was not `ok`, throttled ones included. */
  errors: number;
  coldStarts: number;
  billedMs: number;
  /** Dollars on a typical public cloud (see prices.ts). */
  cost: number;
}

export interface UsageRow extends UsageFigures {
  /** `app/function`, an hour (`2026-01-31T13:00Z`) or a day (`2026-01-31`), in UTC. */
  key: string;
}

export interface UsageReport {
  since: number;
  by: ReportGrouping;
  prices: PriceTable;
  rows: UsageRow[];
  totals: UsageFigures;
}

/** Usage from the per-minute roll-ups, so it reaches back as far as they are kept. */
export async function usageReport(
  store: MeteringStore,
  query: UsageReportQuery,
  prices: PriceTable = DEFAULT_PRICES,
): Promise<UsageReport> {
  const aggregates = await store.usage(query);
  const rows = aggregates.map((aggregate) => ({ key: keyOf(aggregate, query.by), ...figures(aggregate, prices) }));
  const sum = (field: 'invocations' | 'errors' | 'throttled' | 'coldStarts' | 'billedMs' | 'gbSeconds' | 'cpuMs'): number =>
    aggregates.reduce((total, aggregate) => total + aggregate[field], 0);
  const totals = figures(
    {
      invocations: sum('invocations'),
      errors: sum('errors'),
      throttled: sum('throttled'),
      coldStarts: sum('coldStarts'),
      billedMs: sum('billedMs'),
      gbSeconds: sum('gbSeconds'),
      cpuMs: sum('cpuMs'),
    },
    prices,
  );
  return { since: query.since, by: query.by, prices, rows, totals };
}

type Summable = Pick<UsageAggregate, 'invocations' | 'errors' | 'throttled' | 'coldStarts' | 'billedMs' | 'gbSeconds' | 'cpuMs'>;

function figures(aggregate: Summable, prices: PriceTable): UsageFigures {
  return {
    invocations: aggregate.invocations,
    gbSeconds: round(aggregate.gbSeconds),
    cpuMs: round(aggregate.cpuMs),
    errors: aggregate.errors,
    coldStarts: aggregate.coldStarts,
    billedMs: aggregate.billedMs,
    // A throttled invocation never ran: clouds do not bill it as a request.
    cost: costOf({ requests: aggregate.invocations - aggregate.throttled, gbSeconds: aggregate.gbSeconds }, prices),
  };
}

function keyOf(aggregate: UsageAggregate, by: ReportGrouping): string {
  if (by === 'function') return `${aggregate.app}/${aggregate.functionName}`;
  const iso = new Date(aggregate.periodStart ?? 0).toISOString();
  return by === 'day' ? iso.slice(0, 10) : `${iso.slice(0, 13)}:00Z`;
}

/** Sums of floats read better without binary noise; a millionth is far below any billing unit. */
function round(value: number): number {
  return Number(value.toFixed(6));
}
