import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock, type TimerHandle } from '../shared/clock.js';
import { MAX_LOG_QUERY_LIMIT, type LogQuery, type StoredLogLine } from '../store/log-store.js';
import type { FunctionLogs } from './function-logs.js';
import { invocationMatches, readInvocationFilter } from './invocation-match.js';
import { queryInvalid, readLimit, readName, } from './query-error.js';
import type { AdminResult } from '../gateway/admin-result.js';
import { parseSince } from './since.js';

export const DEFAULT_LOGS_LIMIT = 100;
/** Keeps proxies and load balancers from closing a quiet tail. */
export const DEFAULT_HEARTBEAT_MS = 15_000;
/** A follower this far behind is disconnected rather than buffered without bound. */
export const MAX_TAIL_BACKLOG_BYTES = 1024 * 1024;

export interface LogsRequestOptions {
  clock?: Clock;
  heartbeatMs?: number;
}

/**
 * `GET /_nimbus/api/v1/apps/:app/logs?fn=&since=&invocation=&limit=&follow=1`
 * (the gateway puts the app into `query` as `app`); `invocation` is a whole id
 * or the end of one, as log lines show it. Without `follow` answers a
 * JSON list; with `follow=1` a `text/event-stream` of recent lines, then live
 * ones, each event's id its `seq`.
 */
export async function handleLogsRequest(
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
  logs: FunctionLogs,
  options: LogsRequestOptions = {},
): Promise<void> {
  const clock = options.clock ?? systemClock;
  const parsed = readLogQuery(query, clock.now());
  if (!parsed.ok) return sendJson(res, parsed.answer);
  const follow = query.get('follow') === '1' || query.get('follow') === 'true';
  if (!follow) return sendJson(res, { status: 200, body: { lines: await logs.query(parsed.query) } });
  await followLogs(req, res, parsed.query, logs, clock, options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
}

function readLogQuery(query: URLSearchParams, now: number): { ok: true; query: LogQuery } | { ok: false; answer: AdminResult } {
  const app = readName(query, 'app');
  if (!app.ok) return app;
  if (app.value === undefined) return { ok: false, answer: queryInvalid('app', 'is required') };
  const fn = readName(query, 'fn');
  if (!fn.ok) return fn;
  const limit = readLimit(query, 'limit', DEFAULT_LOGS_LIMIT, MAX_LOG_QUERY_LIMIT);
  if (!limit.ok) return limit;
  const result: LogQuery = { app: app.value, limit: limit.value };
  if (fn.value !== undefined) result.functionName = fn.value;
  const since = query.get('since');
  if (since) {
    try {
      result.since = parseSince(since, now);
    } catch (error) {
      return { ok: false, answer: queryInvalid('since', (error as Error).message) };
    }
  }
  const invocation = query.get('invocation');
  if (invocation) {
    const read = readInvocationFilter(invocation);
    if (!read.ok) return { ok: false, answer: queryInvalid('invocation', read.detail) };
    Object.assign(result, read.filter);
  }
  return { ok: true, query: result };
}

async function followLogs(
  req: IncomingMessage,
  res: ServerResponse,
  query: LogQuery,
  logs: FunctionLogs,
  clock: Clock,
  heartbeatMs: number,
): Promise<void> {
  // Subscribe before reading recent lines so nothing falls in the gap; the
  // overlap is skipped by sequence number.
  let lastSent = 0;
  let pending: StoredLogLine[] | null = [];
  let pendingBytes = 0;
  let heartbeat: TimerHandle | null = null;
  let closed = false;
  const send = (line: StoredLogLine): void => {
    if (line.seq <= lastSent) return;
    if (!invocationMatches(query, line.invocationId)) return;
    lastSent = line.seq;
    res.write(`id: ${line.seq}\ndata: ${JSON.stringify(line)}\n\n`);
    if (res.writableLength > MAX_TAIL_BACKLOG_BYTES) res.destroy();
  };
  const unsubscribe = logs.subscribe(
    query.functionName === undefined ? { app: query.app } : { app: query.app, functionName: query.functionName },
    (line) => {
      if (!pending) return send(line);
      pending.push(line);
      pendingBytes += line.message.length;
      // Held while the recent lines are read back: past the same bound as a slow reader's backlog, the follower is dropped.
      if (pendingBytes > MAX_TAIL_BACKLOG_BYTES) res.destroy();
    },
  );
  const cleanUp = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    if (heartbeat !== null) clock.clearTimeout(heartbeat);
  };
  res.on('close', cleanUp);
  req.on('close', cleanUp);

  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': tailing logs\n\n');
  const beat = (): void => {
    heartbeat = clock.setTimeout(() => {
      if (closed) return;
      res.write(': heartbeat\n\n');
      beat();
    }, heartbeatMs);
    heartbeat.unref();
  };
  beat();

  try {
    const recent = await logs.query(query);
    if (closed) return;
    for (const line of recent) send(line);
    const backlog = pending;
    pending = null;
    for (const line of backlog) send(line);
  } catch (error) {
    res.write(`event: error\ndata: ${JSON.stringify({ message: (error as Error).message })}\n\n`);
    res.end();
    cleanUp();
  }
}

function sendJson(res: ServerResponse, answer: AdminResult): void {
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
