import { timerRoutes } from '../../gateway/admin-routes/timers.js';
import type { AdminTransport } from './admin-transport.js';

import type { RouteOutput } from './route-call.js';

/** The timers API's own JSON shapes (times as ISO strings), as its routes declare them. */
export type TimerStatus = RouteOutput<typeof timerRoutes.list>['timers'][number];
export type TimerRun = RouteOutput<typeof timerRoutes.runs>['runs'][number];

/** The timers part of the admin API (docs/timers.md). */
export class TimersClient {
  constructor(readonly transport: AdminTransport) {}

  async list(): Promise<TimerStatus[]> {
    return (await this.transport.call(timerRoutes.list, {})).timers;
  }

  async history(app: string, fn: string, limit?: number): Promise<TimerRun[]> {
    const query = limit === undefined ? {} : { limit };
    return (await this.transport.call(timerRoutes.runs, { params: { app, fn }, query })).runs;
  }

  async runNow(app: string, fn: string): Promise<TimerRun> {
    return (await this.transport.call(timerRoutes.runNow, { params: { app, fn } })).run;
  }
}
