import type { AdminTransport } from './admin-transport.js';

export type UsageGrouping = 'function' | 'hour' | 'day';

export type { UsageFigures, UsageReport } from '../../metering/usage-report.js';
import type { UsageReport } from '../../metering/usage-report.js';

/** `GET /usage` (docs/metering.md). */
export class UsageClient {
  constructor(readonly transport: AdminTransport) {}

  async report(query: { app?: string; since?: string; by?: UsageGrouping }): Promise<UsageReport> {
    return this.transport.json<UsageReport>('GET', '/usage', { query: { ...query } });
  }
}
