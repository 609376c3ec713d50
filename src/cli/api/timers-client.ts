import { enc, type AdminTransport } from './admin-transport.js';

/** The timers API's own JSON shapes (times as ISO strings). */
export type { TimerRunJson as TimerRun, TimerStatusJson as TimerStatus } from '../../triggers/timer/timer-api.js';
import type { TimerRunJson as TimerRun, TimerStatusJson as TimerStatus } from '../../triggers/timer/timer-api.js';

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
