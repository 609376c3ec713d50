import { enc, type AdminTransport } from './admin-transport.js';

/** A timer run as `GET /timers/<app>/<fn>/runs` returns it (times ISO strings). */
export interface TimerRun {
  id: number;
  scheduledAt: string;
  reason: 'schedule' | 'startup' | 'manual';
  nodeId: string;
  firedAt: string | null;
  finishedAt: string | null;
  attempts: number;
  outcome: string;
  error: string | null;
  nextAttemptAt: string | null;
  isPastDue: boolean;
  missed: number;
}

export interface TimerStatus {
  app: string;
  functionName: string;
  version: number;
  cron: string;
  timezone: string;
  catchUp: string;
  overlap: string;
  /** The next scheduled times: `zoned` with the zone's offset, `utc` ending in Z. */
  next: { zoned: string; utc: string }[];
  running: number;
  queued: number;
  lastRun: TimerRun | null;
}

/** The timers part of the admin API (docs/timers.md). */
export class TimersClient {
  constructor(readonly transport: AdminTransport) {}

  async list(): Promise<TimerStatus[]> {
    return (await this.transport.json<{ timers: TimerStatus[] }>('GET', '/timers')).timers;
  }

  async history(app: string, fn: string, limit?: number): Promise<TimerRun[]> {
    const query = limit === undefined ? {} : { limit };
    return (await this.transport.json<{ runs: TimerRun[] }>('GET', `/timers/${enc(app)}/${enc(fn)}/runs`, { query })).runs;
  }

  async runNow(app: string, fn: string): Promise<TimerRun> {
    return (await this.transport.json<{ run: TimerRun }>('POST', `/timers/${enc(app)}/${enc(fn)}/run`)).run;
  }
}
