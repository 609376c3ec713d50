/**
 * The code that runs inside every sandbox. It boots generic (warm pool),
 * then is told which bundle and function it serves (LOAD), then runs
 * invocations (INVOKE + BODY… + END) and streams results back.
 * It imports only src/runtime/instance and src/sdk.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS_EXPORT, isFunctionDefinition, type FunctionDefinition } from '../../sdk/definition.js';
import { http } from '../../sdk/index.js';
import { InstanceChannel } from './channel.js';
import { makeContext, type InstanceIdentity, type PlatformClients } from './context.js';
import { HostCaller } from './host-caller.js';
import { makeBlobs, makeBudgets, makeQueues } from './platform-clients.js';
import { captureLogs, currentInvocation } from './log-capture.js';
import { installFastResponse, takeSimpleResponse } from './fast-response.js';
import { LazyAbort } from './lazy-abort.js';
import { cpuMicrosNow } from './cpu-clock.js';
import { importBundle, WARMUP_BUNDLE } from './import-bundle.js';
import { installLazySourceMaps } from './lazy-source-maps.js';
import { ReceiveWindow, SendWindow } from './flow-control.js';
import {
  FRAME, MAX_ERROR_TEXT_CHARS, MAX_FULL_BODY_BYTES, STREAM_WINDOW_BYTES, decodeCredit, encodeFullResponse, encodeLogLine, parseInvoke, parseJson,
  type DescribedFunction, type ErrorMessage, type InvokeMessage, type LoadMessage, type ResponseEndMessage, type ResponseMessage,
} from './protocol.js';
import { jsonAnswer, responseToJson, toAnswer, toResponse, type InlineAnswer } from './results.js';

interface Running {
  stream: number;
  message: InvokeMessage;
  abort: LazyAbort;
  /** HTTP bodies stream into the Request; event payloads are collected. */
  body: ReadableStreamDefaultController<Uint8Array> | null;
  chunks: Buffer[];
  /** Event payloads (every trigger but a direct HTTP request) are taken whole: credit goes back as they arrive. */
  collects: boolean;
  /** The request body's credit: granted back as the handler reads. */
  requestWindow: ReceiveWindow;
  /** Request body bytes handed to the Request (or held for it). */
  enqueued: number;
  /** The response body's credit, while one streams. */
  responseWindow: SendWindow | null;
  ended: boolean;
  onEnd: (() => void) | null;
  /** Process CPU time when the handler started (µs). */
  cpuBefore: number;
  /** How long it waited for the bundle to finish loading (ms): cold start, not handler time. */
  waitedMs: number;
  /** Work handed to ctx.waitUntil; null until the handler hands some. */
  lingering: Promise<unknown>[] | null;
  /** The answer's end went out: waitUntil work handed later is tracked only if the answer said it lingers. */
  answered: boolean;
}

installFastResponse();

let identity: InstanceIdentity | null = null;
/** Set while the bundle is being imported: the host sends a cold start's first INVOKE right behind LOAD. */
let loading: Promise<void> | null = null;
let definition: FunctionDefinition | null = null;
const running = new Map<number, Running>();

installLazySourceMaps();

/** Frames from the host; while booting, also the warm-up's own LOAD and INVOKE (prewarmLoad). */
function onFrame(type: number, stream: number, payload: Buffer): void {
  if (type >= FRAME.REPLY && caller.onFrame(type, stream, payload)) return;
  switch (type) {
    case FRAME.LOAD:
      loading = load(parseJson<LoadMessage>(payload)).finally(() => {
        loading = null;
      });
      break;
    case FRAME.INVOKE:
      void startFrame(stream, payload);
      break;
    case FRAME.BODY: {
      const run = running.get(stream);
      if (!run) break;
      run.requestWindow.receive(payload.length);
      run.enqueued += payload.length;
      if (run.body) run.body.enqueue(new Uint8Array(payload));
      else run.chunks.push(payload);
      if (run.collects) grantRequestCredit(run, run.enqueued);
      break;
    }
    case FRAME.RESPONSE_CREDIT:
      running.get(stream)?.responseWindow?.grant(decodeCredit(payload));
      break;
    case FRAME.END: {
      const run = running.get(stream);
      if (!run) break;
      run.ended = true;
      run.body?.close();
      run.onEnd?.();
      break;
    }
    case FRAME.ABORT: {
      const run = running.get(stream);
      if (!run) break;
      const reason = new Error('the invocation was aborted (deadline passed or the request body failed)');
      run.abort.abort(reason);
      // A handler still reading the body must see it fail, not wait forever.
      if (run.body && !run.ended) run.body.error(reason);
      run.ended = true;
      // A response still streaming stops: nobody will read the rest.
      run.responseWindow?.close();
      break;
    }
  }
}

const channel = new InstanceChannel(onFrame);

const caller = new HostCaller(channel);
const clients: PlatformClients = { queues: makeQueues(caller), blobs: makeBlobs(caller), budgets: makeBudgets(caller) };

captureLogs((lines) => channel.sendFrame(lines.length === 1 ? encodeLogLine(lines[0]!) : Buffer.concat(lines.map(encodeLogLine)), 'now'));

async function load(message: LoadMessage): Promise<void> {
  try {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, message.env);
    const mod = definitionsOf(await importBundle(message.bundlePath));
    const functions: DescribedFunction[] = [];
    for (const [name, value] of Object.entries(mod)) {
      if (isFunctionDefinition(value)) functions.push({ name, kind: value.kind, settings: value.settings });
    }
    if (message.functionName !== null) {
      const chosen = mod[message.functionName];
      if (!isFunctionDefinition(chosen)) throw new Error(`the bundle does not export a function named "${message.functionName}"`);
      definition = chosen;
      identity = { app: message.app, version: message.version, functionName: message.functionName, env: Object.freeze({ ...message.env }) };
    }
    channel.sendJson(FRAME.LOADED, 0, { functions });
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    channel.sendJson(FRAME.LOAD_FAILED, 0, errorMessage(error));
  }
}

/** The module's exports, with the definitions it registered by name (FUNCTIONS_EXPORT) among them; named exports win. */
function definitionsOf(mod: Record<string, unknown>): Record<string, unknown> {
  const registered = mod[FUNCTIONS_EXPORT];
  if (typeof registered !== 'object' || registered === null) return mod;
  const all: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(registered)) if (isFunctionDefinition(value)) all[name] = value;
  return Object.assign(all, mod);
}

/** A thrown error as the host takes it: message and stack, each cut to a bounded length. */
function errorMessage(error: Error): ErrorMessage {
  const cut = (text: string) => (text.length > MAX_ERROR_TEXT_CHARS ? `${text.slice(0, MAX_ERROR_TEXT_CHARS)}… (cut)` : text);
  return error.stack === undefined ? { message: cut(error.message) } : { message: cut(error.message), stack: cut(error.stack) };
}

/** Tells the host it may send more request body, once the handler has taken `consumed` bytes in all. */
function grantRequestCredit(run: Running, consumed: number): void {
  const credit = run.requestWindow.consumedUpTo(consumed);
  if (credit > 0) channel.sendCredit(FRAME.BODY_CREDIT, run.stream, credit);
}

function startFrame(stream: number, payload: Buffer): Promise<void> {
  return start(stream, parseInvoke(payload));
}

/** Runs one invocation; the promise settles once its answer (or error) is sent. */
function start(stream: number, message: InvokeMessage): Promise<void> {
  const run: Running = {
    stream, message, abort: new LazyAbort(), body: null, chunks: [], collects: message.trigger !== 'http',
    requestWindow: new ReceiveWindow(), enqueued: 0, responseWindow: null,
    ended: false, onEnd: null, cpuBefore: cpuMicrosNow(), waitedMs: 0, lingering: null, answered: false,
  };
  running.set(stream, run);
  // No timer here for the deadline: the host keeps it and sends ABORT when it passes, which fires ctx.signal.
  if (!loading) return begin(stream, run);
  // A cold start's first INVOKE comes right behind LOAD. Entering the invocation's log context now
  // would turn promise hooks on under the import (~1 ms more): it waits for the bundle outside it.
  const waitStart = performance.now();
  return loading.then(() => {
    run.waitedMs = performance.now() - waitStart;
    run.cpuBefore = cpuMicrosNow();
    return begin(stream, run);
  });
}

/** Runs the handler inside the invocation's log context and sends its answer (or error). */
function begin(stream: number, run: Running): Promise<void> {
  return currentInvocation.run(run.message.id, invoke, stream, run);
}

/** One async function rather than a then/catch/finally chain: fewer promises and closures per invocation. */
async function invoke(stream: number, run: Running): Promise<void> {
  try {
    await send(stream, await execute(run), run);
    if (run.lingering) await settleLingering(stream, run, run.lingering);
  } catch (err) {
    const failed: ErrorMessage = errorMessage(err instanceof Error ? err : new Error(String(err)));
    // The handler failed after handing work to ctx.waitUntil: the caller hears of the failure now, and
    // the invocation lasts until that work settles, as after an answer (Workers keeps it running too).
    const lingering = run.answered ? null : run.lingering;
    if (lingering) failed.lingers = true;
    run.answered = true;
    channel.sendJson(FRAME.ERROR, stream, failed);
    if (lingering) await settleLingering(stream, run, lingering);
  } finally {
    running.delete(stream);
  }
}

/**
 * ctx.waitUntil: the answer goes out at once, and the invocation (its slot,
 * its metering, its platform calls) lasts until this work settles or its
 * deadline passes. A rejection is logged; it does not change the answer.
 */
function waitUntil(run: Running, promise: Promise<unknown>): void {
  const work = Promise.resolve(promise).catch((err: unknown) => {
    console.error(`ctx.waitUntil: the work failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  });
  if (run.answered && !run.lingering) {
    console.warn('ctx.waitUntil was called after the invocation ended: the work runs, but outside the invocation');
    return;
  }
  (run.lingering ??= []).push(work);
}

/** Waits for the waitUntil work, including work handed to waitUntil while it ran, then ends the invocation. */
async function settleLingering(stream: number, run: Running, work: Promise<unknown>[]): Promise<void> {
  for (let settled = 0; settled < work.length;) {
    const batch = work.slice(settled);
    settled = work.length;
    await Promise.all(batch);
  }
  channel.sendJson(FRAME.SETTLED, stream, endOf(run, {}));
}

/** A Response, or a plain value already turned into bytes (no Response object needed). */
type HandlerAnswer = Response | InlineAnswer;

async function execute(run: Running): Promise<HandlerAnswer> {
  if (!definition || !identity) throw new Error('this instance has no function loaded');
  const ctx = makeContext(identity, run.message, run.abort, clients, (promise) => waitUntil(run, promise));
  if (definition.kind === 'http') {
    if (run.message.trigger !== 'async') return toAnswer(await definition.handler(makeRequest(run), ctx));
    const request = requestFromAsyncPayload((await collectJson(run)) as AsyncPayload, run.abort.signal);
    return Response.json(await responseToJson(toResponse(await definition.handler(request, ctx))));
  }
  // Event handlers take (payload, ctx); their return value is the JSON result.
  const handler = definition.handler as (payload: unknown, ctx: unknown) => unknown;
  const value = await handler(await collectJson(run), ctx);
  return jsonAnswer(value ?? null);
}

function makeRequest(run: Running): Request {
  const { method = 'GET', url = 'http://localhost/', headers = [] } = run.message;
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const body = hasBody
    ? new ReadableStream<Uint8Array>({
      start: (controller) => {
        // Body frames that came while the invocation waited for its bundle to load.
        for (const chunk of run.chunks) controller.enqueue(new Uint8Array(chunk));
        run.chunks = [];
        run.body = controller;
        if (run.ended) controller.close();
      },
      // Called as the handler reads: what left the queue is consumed, and the host may send that much more.
      pull: (controller) => grantRequestCredit(run, run.enqueued - (STREAM_WINDOW_BYTES - (controller.desiredSize ?? 0))),
    }, { highWaterMark: STREAM_WINDOW_BYTES, size: (chunk) => chunk.byteLength })
    : null;
  // No per-request signal: wiring one costs more than the rest of the Request; ctx.signal carries the deadline.
  return new Request(url, { method, headers, body, duplex: 'half' } as RequestInit);
}

interface AsyncPayload {
  method: string;
  url: string;
  headers: [string, string][];
  bodyBase64: string | null;
}

function requestFromAsyncPayload(payload: AsyncPayload, signal: AbortSignal): Request {
  const hasBody = payload.method !== 'GET' && payload.method !== 'HEAD';
  return new Request(payload.url, {
    method: payload.method,
    headers: payload.headers,
    body: hasBody && payload.bodyBase64 ? Buffer.from(payload.bodyBase64, 'base64') : null,
    signal,
  });
}

function collectJson(run: Running): Promise<unknown> {
  const parse = (): unknown => {
    const text = Buffer.concat(run.chunks).toString('utf8');
    return text.length === 0 ? null : JSON.parse(text);
  };
  if (run.ended) return Promise.resolve(parse());
  return new Promise((resolve, reject) => {
    run.onEnd = () => {
      try {
        resolve(parse());
      } catch (err) {
        reject(err);
      }
    };
  });
}

async function send(stream: number, result: HandlerAnswer, run: Running): Promise<void> {
  if (!(result instanceof Response)) {
    sendBytes(stream, run, result.head, result.body);
    return;
  }
  const simple = takeSimpleResponse(result);
  if (simple !== undefined) {
    sendBytes(stream, run, simple.head, simple.body);
    return;
  }
  const head: ResponseMessage = { status: result.status, headers: [...result.headers] as [string, string][] };
  if (result.statusText !== '') head.statusText = result.statusText;
  const reader = result.body?.getReader();
  const first = reader ? await reader.read() : { done: true as const, value: undefined };
  // A body made from a string or JSON is complete at once: send it with the head in one frame.
  const pending = first.done ? null : reader!.read();
  const second = pending ? await Promise.race([pending, nextTurn()]) : first;
  if (second && second.done) {
    sendBytes(stream, run, head, first.value ?? EMPTY);
    return;
  }
  const window = openResponse(stream, run, head);
  if (!(await channel.sendBody(FRAME.RESPONSE_BODY, stream, window, first.value!))) return stopStreaming(stream, run, reader!);
  // The read raced above is still the next chunk, even when the turn ended first.
  let next = second ?? (await pending!);
  while (!next.done) {
    if (!(await channel.sendBody(FRAME.RESPONSE_BODY, stream, window, next.value))) return stopStreaming(stream, run, reader!);
    next = await reader!.read();
  }
  channel.sendJson(FRAME.RESPONSE_END, stream, endOf(run, {}));
}

/** A whole body: one frame when it is small, else streamed within the stream's credit like any other. */
function sendBytes(stream: number, run: Running, head: ResponseMessage, body: Uint8Array): void | Promise<void> {
  if (body.byteLength <= MAX_FULL_BODY_BYTES) {
    channel.sendFrame(encodeFullResponse(stream, endOf(run, head), body), running.size === 1 ? 'alone' : 'turn');
    return;
  }
  const window = openResponse(stream, run, head);
  // Cut short or not, the answer ends here: the host knows from its own side whether the caller still listens.
  return channel.sendBody(FRAME.RESPONSE_BODY, stream, window, body).then(() => channel.sendJson(FRAME.RESPONSE_END, stream, endOf(run, {})));
}

/** Sends a streamed answer's head; its body then goes as the host grants credit. */
function openResponse(stream: number, run: Running, head: ResponseMessage): SendWindow {
  channel.sendJson(FRAME.RESPONSE, stream, head);
  run.responseWindow = new SendWindow();
  return run.responseWindow;
}

/** The host stopped the stream (the caller went away, or the deadline passed): the handler's body is cancelled. */
function stopStreaming(stream: number, run: Running, reader: ReadableStreamDefaultReader<Uint8Array>): void {
  reader.cancel(new Error('the caller stopped reading the response')).catch(() => {});
  channel.sendJson(FRAME.RESPONSE_END, stream, endOf(run, {}));
}

const EMPTY = new Uint8Array(0);

/** Resolves undefined after pending I/O callbacks: a streamed body's next chunk isn't waited for. */
function nextTurn(): Promise<undefined> {
  return new Promise((resolve) => setImmediate(() => resolve(undefined)));
}

/** Adds the invocation's CPU time (and load wait) to `head`, which is this invocation's own object. */
function endOf<T extends object>(run: Running, head: T): T & ResponseEndMessage {
  const end = head as T & ResponseEndMessage;
  end.cpuMicros = cpuMicrosNow() - run.cpuBefore;
  if (run.waitedMs > 0) end.waitedMs = run.waitedMs;
  if (run.lingering && !run.answered) end.lingers = true;
  run.answered = true;
  return end;
}

/**
 * One GET through the whole invocation path (context, Request, handler,
 * Response, answer frame) so a cold request runs compiled code, not first-use
 * paths. It answers into the muted channel.
 */
async function prewarmInvocation(): Promise<void> {
  definition = http({}, (_req, ctx) => Response.json({ warm: ctx.params['name'] ?? null }));
  identity = { app: 'prewarm', version: 0, functionName: 'prewarm', env: {} };
  try {
    const message: InvokeMessage = {
      id: 'prewarm', trigger: 'http', deadline: Date.now() + 10_000, method: 'GET',
      url: 'http://localhost/prewarm/x', headers: [['accept', '*/*']], params: { name: 'x' },
    };
    const done = start(0, message);
    running.get(0)!.ended = true;
    await done;
  } finally {
    definition = null;
    identity = null;
  }
}

/**
 * A cold start as the host makes it, through the same frame handler: LOAD of
 * an app bundle shipped beside the runtime (scripts/bundle-instance.mjs) with
 * its first INVOKE right behind it, answered into the muted channel. The real
 * cold start then runs code that has run before (frame parsing, the env swap,
 * require() of an ES module, package scope lookups, LOADED, an invocation
 * waiting for its bundle) instead of compiling it on the request's time.
 */
async function prewarmLoad(): Promise<void> {
  const load: LoadMessage = {
    app: 'prewarm', version: 0, functionName: 'warmup', env: { ...process.env } as Record<string, string>,
    bundlePath: fileURLToPath(new URL(`./${WARMUP_BUNDLE}`, import.meta.url)),
  };
  const invoke: InvokeMessage = {
    id: 'prewarm-load', trigger: 'http', deadline: Date.now() + 10_000, method: 'GET',
    url: 'http://localhost/warmup', headers: [['accept', '*/*']], params: {},
  };
  try {
    onFrame(FRAME.LOAD, 0, Buffer.from(JSON.stringify(load)));
    const answered = startFrame(0, Buffer.from(JSON.stringify(invoke)));
    onFrame(FRAME.END, 0, EMPTY_PAYLOAD);
    await loading;
    await answered;
  } finally {
    definition = null;
    identity = null;
  }
}

const EMPTY_PAYLOAD = Buffer.alloc(0);

/**
 * A module shaped like an app bundle (a builtin import) as a data: URL, so it
 * needs no file the sandbox may not read. It warms import(), which bundles with
 * top-level await still take, and the ESM loader code require() shares.
 */
const PREWARM_MODULE = `data:text/javascript;base64,${Buffer.from([
  "import { createRequire } from 'node:module';",
  'export const warm = typeof createRequire;',
].join('\n')).toString('base64')}`;

/**
 * Node builds fetch's Request/Response machinery lazily, costing tens of ms on
 * first use: pay it while booting in the warm pool, not on a cold request.
 */
async function prewarm(): Promise<void> {
  await import(PREWARM_MODULE);
  await prewarmLoad();
  // import() reads a file through fs promises (bundles with top-level await): start their thread pool.
  if (process.argv[1]) await readFile(process.argv[1]).catch(() => undefined);
  const request = new Request('http://localhost/', { method: 'POST', body: 'x', duplex: 'half' } as RequestInit);
  await request.text();
  // The invocation path's own first-use costs: log tagging (installs promise hooks on first use),
  // a GET Request with headers, the answer encoders.
  await currentInvocation.run('prewarm', async () => {
    await Promise.resolve();
    clearTimeout(setTimeout(() => {}, 1));
  });
  void new Request('http://localhost/a?b=c', { method: 'GET', headers: [['accept', '*/*']] }).headers.get('accept');
  await prewarmInvocation();
  encodeFullResponse(0, { status: 200, headers: [], cpuMicros: 0 }, jsonAnswer({ warm: true }).body);
  const reader = new Response('warm').body!.getReader();
  while (!(await reader.read()).done) { /* drain */ }
  await Response.json({}).text();
  const stream = new Response(new ReadableStream({ start: (c) => { c.enqueue(new Uint8Array(1)); c.close(); } })).body;
  if (stream) for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) void chunk;
  // Log tagging keeps promise hooks on while enabled, and the bundle's import makes hundreds of promises:
  // off until the first invocation enters its context (run() turns them back on).
  currentInvocation.disable();
}

// Nothing the warm-up sends reaches the host: READY is the first frame it hears.
channel.muted = true;
void prewarm().finally(() => {
  channel.muted = false;
  channel.sendJson(FRAME.READY, 0, { pid: process.pid });
});
