import type { AdminTransport } from './admin-transport.js';

export type UsageGrouping = 'function' | 'hour' | 'day';

export interface UsageFigures {
  invocations: number;
  gbSeconds: number;
  cpuMs: number;
  errors: number;
  coldStarts: number;
  billedMs: number;
  cost: number;
}

export interface UsageReport {
  since: number;
  by: UsageGrouping;
  prices: Record<string, number>;
  rows: (UsageFigures & { key: string })[];
  totals: UsageFigures;
}

/** `GET /usage` (docs/metering.md). */
export class UsageClient {
  constructor(readonly transport: AdminTransport) {}

  async report(query: { app?: string; since?: string; by?: UsageGrouping }): Promise<UsageReport> {
    return this.transport.json<UsageReport>('GET', '/usage', { query: { ...query } });
  }
}
