import { z } from 'zod';
import { adminRoute } from '../admin-route.js';
import { epochMs, record } from './common.js';

const figures = z.looseObject({
  invocations: z.number(), gbSeconds: z.number(), cpuMs: z.number(), errors: z.number(), coldStarts: z.number(), billedMs: z.number(), cost: z.number(),
});
const logLine = z.looseObject({
  seq: z.number(), app: z.string(), functionName: z.string(), version: z.number(), invocationId: z.string().nullable(), instanceId: z.string(),
  stream: z.enum(['stdout', 'stderr']), level: z.enum(['debug', 'info', 'warn', 'error']), time: epochMs, message: z.string(),
});

const invocationRecord = z.looseObject({
  id: z.string(), app: z.string(), functionName: z.string(), version: z.number(), trigger: z.string(), startedAt: epochMs, durationMs: z.number(),
  billedMs: z.number(), budgetWaitMs: z.number(), coldStart: z.boolean(), outcome: z.enum(['ok', 'error', 'timeout', 'out-of-memory', 'throttled', 'crashed']), error: z.string().nullable(),
});

export const meteringRoutes = {
  usage: adminRoute({
    method: 'GET', path: '/usage', summary: 'Usage and cost by function, hour or day',
    query: { app: 'one app (all when absent)', since: 'how far back: 30m, 24h, 7d or an ISO time (default 24h)', by: 'function | hour | day (default function)' },
    response: z.looseObject({ since: epochMs, by: z.enum(['function', 'hour', 'day']), prices: record, rows: z.array(figures.extend({ key: z.string() })), totals: figures }),
  }),
  invocationRecords: adminRoute({
    method: 'GET', path: '/invocation-records', summary: 'Raw invocation records, newest first, a page at a time',
    query: {
      app: 'one app', fn: 'one function of that app', limit: '1..1000, default 100',
      outcome: 'ok, failed (every outcome but ok), or one outcome: error, timeout, out-of-memory, throttled, crashed',
      before: "the previous page's nextCursor: the records after it (stable while new records arrive)",
    },
    response: z.object({ records: z.array(invocationRecord), nextCursor: z.string().nullable() }),
  }),
  stats: adminRoute({
    method: 'GET', path: '/stats', summary: "The overview's live charts: invocations, errors, cold starts and p50/p99 per minute; running instances",
    query: {
      since: 'how far back: 30m, 1h, 24h or an ISO time (default 1h, at most 24h)', app: 'one app (all when absent)', fn: 'one function of that app',
    },
    response: z.looseObject({
      since: epochMs, stepMs: z.number(),
      points: z.array(z.looseObject({
        t: epochMs, invocations: z.number(), errors: z.number(), coldStarts: z.number(), p50Ms: z.number().nullable(), p99Ms: z.number().nullable(),
      })).describe('one per minute from since to now, oldest first, zero-filled; from every node'),
      instances: z.array(z.looseObject({ t: epochMs, running: z.number() }))
        .describe("this node's running instances every 10 s over the last hour, oldest first; the last entry is the count now"),
    }),
  }),
  logs: adminRoute({
    method: 'GET', path: '/apps/:app/logs', summary: "An app's function logs",
    query: { fn: 'one function', since: 'how far back', invocation: 'one invocation: its whole id, or its last 8 or more characters as log lines show them', limit: 'lines, newest kept', follow: '1: a text/event-stream of recent, then live lines' },
    response: z.object({ lines: z.array(logLine) }),
    alternative: { contentType: 'text/event-stream', description: 'with follow=1: one event per line, its id the line\'s seq' },
  }),
};
