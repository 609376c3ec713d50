import { z } from 'zod';
import { adminRoute } from '../admin-route.js';
import { nextCursor, pageQuery } from './common.js';

const isoOrNull = z.string().nullable();
const timerRun = z.looseObject({
  id: z.number(), scheduledAt: z.string(), reason: z.string(), nodeId: z.string(), firedAt: isoOrNull, finishedAt: isoOrNull,
  attempts: z.number(), outcome: z.string(), error: z.string().nullable(), nextAttemptAt: isoOrNull, isPastDue: z.boolean(), missed: z.number(),
});
const timerStatus = z.looseObject({
  app: z.string(), functionName: z.string(), version: z.number(), cron: z.string(), timezone: z.string(), catchUp: z.string(), overlap: z.string(),
  next: z.array(z.object({ utc: z.string(), zoned: z.string() })), running: z.number(), queued: z.number(), lastRun: timerRun.nullable(),
});

export const timerRoutes = {
  list: adminRoute({
    method: 'GET', path: '/timers', summary: 'Timers (by app, then function): schedules, next times, last runs', query: pageQuery,
    response: z.object({ timers: z.array(timerStatus), nextCursor }),
  }),
  runs: adminRoute({
    method: 'GET', path: '/timers/:app/:fn/runs', summary: "A timer's run history, newest first", query: { limit: '1..100, default 20' },
    response: z.object({ runs: z.array(timerRun) }),
  }),
  runNow: adminRoute({ method: 'POST', path: '/timers/:app/:fn/run', summary: 'Run a timer now (the run as claimed)', response: z.object({ run: timerRun }), statuses: [202] }),
};
