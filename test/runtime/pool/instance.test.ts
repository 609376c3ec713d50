import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Instance } from '../../../src/runtime/pool/instance.js';
import { InvocationFailure, type Invocation } from '../../../src/runtime/invocation.js';
import {
  FRAME, MAX_BODY_FRAME_BYTES, MAX_CALLS_IN_FLIGHT, STREAM_WINDOW_BYTES, encodeCredit, encodeFrame, encodeFullResponse, encodeJsonFrame, encodeLogLine, HEADER_BYTES, MAX_LOG_LINE_CHARS,
  type FrameType, type LogRecord,
} from '../../../src/runtime/instance/protocol.js';
import type { HostCall } from '../../../src/runtime/host-services.js';
import { FakeSandbox } from './fake-sandbox.js';

function invocation(id: string, body: Readable | Uint8Array = new Uint8Array(0)): Invocation {
  return { id, app: 'a', functionName: 'f', trigger: 'http', head: { method: 'POST', url: 'http://x/', headers: [] }, body };
}

function booted(options: { calls?: (call: HostCall) => Promise<{ value: unknown }> } = {}): { sandbox: FakeSandbox; instance: Instance; logs: LogRecord[] } {
  const sandbox = new FakeSandbox();
  const logs: LogRecord[] = [];
  const instance = new Instance(sandbox, (line) => logs.push(line), options.calls);
  instance.assignment = { app: 'a', version: 1, functionName: 'f' };
  sandbox.fromInstance(encodeJsonFrame(FRAME.READY, 0, { pid: 1 }));
  return { sandbox, instance, logs };
}

async function rejectsWithProtocol(promise: Promise<unknown>, detail: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof InvocationFailure);
    assert.equal(err.outcome, 'crashed');
    assert.equal(err.code, 'NIMBUS_ERR_FUNCTION_PROTOCOL');
    assert.match(err.message, detail);
    return true;
  });
}

/** A LOG frame as encodeLogLine makes it, with one field of its head made wrong. */
function logFrame(wrong: { level?: number; stream?: number; t?: number; invBytes?: number; msg?: string }): Buffer {
  const frame = encodeLogLine({ inv: null, level: 'info', stream: 'stdout', t: 1, msg: wrong.msg ?? 'hello' });
  // The head: u8 level | u8 stream | f64 time | u8 id length.
  if (wrong.level !== undefined) frame[HEADER_BYTES] = wrong.level;
  if (wrong.stream !== undefined) frame[HEADER_BYTES + 1] = wrong.stream;
  if (wrong.t !== undefined) frame.writeDoubleLE(wrong.t, HEADER_BYTES + 2);
  if (wrong.invBytes !== undefined) frame[HEADER_BYTES + 10] = wrong.invBytes;
  return frame;
}

const sentBodyBytes = (sandbox: FakeSandbox, type: number, stream: number) =>
  sandbox.frames.filter((f) => f.type === type && f.stream === stream).reduce((n, f) => n + f.payload.length, 0);

describe('Instance: what an instance sends is untrusted', () => {
  test('a control frame that is not JSON fails the instance and its invocations, nothing else', async () => {
    const { sandbox, instance } = booted();
    const { response, done } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    sandbox.fromInstance(encodeFrame(FRAME.ERROR, 1, Buffer.from('notjson')));
    await rejectsWithProtocol(response, /broke the host protocol \(a control frame is not acceptable JSON/);
    await rejectsWithProtocol(done, /not acceptable JSON/);
    assert.equal(instance.state, 'stopped');
    assert.match(sandbox.killedFor ?? '', /broke the host protocol/);
    const exit = await instance.exited;
    assert.equal(exit.signal, 'SIGKILL');
  });

  test('a frame header claiming 4 GB fails the instance before anything is buffered for it', async () => {
    const { sandbox, instance } = booted();
    const { response } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    const header = Buffer.alloc(9);
    header.writeUInt32BE(0xfffffff0, 0);
    header.writeUInt8(FRAME.LOG, 4);
    sandbox.fromInstance(header);
    sandbox.fromInstance(Buffer.alloc(1024 * 1024));
    await rejectsWithProtocol(response, /over the .*-byte limit/);
  });

  for (const [what, frame, detail] of [
    ['an unknown frame type', encodeFrame(99 as FrameType, 1), /type 99/],
    ['a frame only the host sends', encodeFrame(FRAME.INVOKE, 1), /type 2,/],
    ['LOADED with no LOAD', encodeJsonFrame(FRAME.LOADED, 0, { functions: [] }), /LOADED without a LOAD/],
    ['READY twice', encodeJsonFrame(FRAME.READY, 0, {}), /READY sent twice/],
    ['a log line shorter than its head', encodeFrame(FRAME.LOG, 0, Buffer.alloc(10)), /log line is malformed/],
    ['a log line of an unknown level', logFrame({ level: 9 }), /log line is malformed/],
    ['a log line of an unknown stream', logFrame({ stream: 2 }), /log line is malformed/],
    ['a log line at no time', logFrame({ t: Number.NaN }), /log line is malformed/],
    ['a log line whose id runs past its end', logFrame({ invBytes: 200 }), /log line is malformed/],
    ['a log line longer than any line the instance sends', logFrame({ msg: 'x'.repeat(MAX_LOG_LINE_CHARS * 3 + 100) }), /log line is malformed/],
    ['a log line of more characters than any line the instance sends', logFrame({ msg: 'x'.repeat(MAX_LOG_LINE_CHARS + 100) }), /too long/],
    ['JSON nested too deep', encodeFrame(FRAME.ERROR, 1, Buffer.from('['.repeat(10_000) + ']'.repeat(10_000))), /deeper than/],
    ['a credit frame of the wrong size', encodeFrame(FRAME.BODY_CREDIT, 1, Buffer.alloc(2)), /credit frame carries 2 bytes/],
  ] as const) {
    test(`${what} is a protocol violation`, async () => {
      const { sandbox, instance } = booted();
      const { response } = instance.invoke(invocation('i1'), Date.now() + 10_000);
      sandbox.fromInstance(frame);
      await rejectsWithProtocol(response, detail);
    });
  }

  test('a malformed LOADED still settles the load it answers, as a failure', async () => {
    const { sandbox, instance } = booted();
    const loading = instance.load({ bundlePath: '/app/b.mjs', app: 'a', version: 1, functionName: 'f', env: {} });
    sandbox.fromInstance(encodeJsonFrame(FRAME.LOADED, 0, { functions: 'all of them' }));
    await assert.rejects(loading, /broke the host protocol/);
  });

  test('a response head with a status no Response can have is a protocol violation', async () => {
    const { sandbox, instance } = booted();
    const { response } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    sandbox.fromInstance(encodeFullResponse(1, { status: 1_000_000, headers: [], cpuMicros: 0 }, Buffer.alloc(0)));
    await rejectsWithProtocol(response, /status/);
  });

  test('a negative CPU time is refused; an impossible load wait and CPU time are held to the time that passed', async () => {
    const { sandbox, instance } = booted();
    const first = instance.invoke(invocation('i1'), Date.now() + 10_000);
    sandbox.fromInstance(encodeFullResponse(1, { status: 200, headers: [], cpuMicros: 1e15, waitedMs: 1e12 }, Buffer.from('ok')));
    const result = await first.done;
    assert.ok(result.waitedMs < 60_000, `waitedMs ${result.waitedMs}`);
    assert.ok(result.cpuMicros < 60_000_000 * 64, `cpuMicros ${result.cpuMicros}`);
    const second = instance.invoke(invocation('i2'), Date.now() + 10_000);
    sandbox.fromInstance(encodeFullResponse(2, { status: 200, headers: [], cpuMicros: -5 }, Buffer.from('ok')));
    await rejectsWithProtocol(second.response, /cpuMicros/);
  });

  test('frames for streams it was never given, or that already ended, are dropped', async () => {
    const { sandbox, instance } = booted();
    sandbox.fromInstance(encodeFullResponse(0, { status: 200, headers: [], cpuMicros: 0 }, Buffer.from('prewarm')));
    sandbox.fromInstance(encodeFrame(FRAME.RESPONSE_BODY, 4242, Buffer.from('stray')));
    const { response } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    sandbox.fromInstance(encodeFullResponse(1, { status: 201, headers: [['x', 'y']], cpuMicros: 5 }, Buffer.from('fine')));
    assert.equal((await response).status, 201);
    assert.equal(instance.state, 'starting');
  });

  test('the LOG frame the malformed cases start from is accepted as it is', async () => {
    const { sandbox, instance, logs } = booted();
    const { response } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    sandbox.fromInstance(logFrame({}));
    sandbox.fromInstance(encodeFullResponse(1, { status: 200, headers: [], cpuMicros: 1 }, Buffer.from('ok')));
    assert.equal((await response).status, 200);
    assert.deepEqual(logs, [{ inv: null, level: 'info', stream: 'stdout', t: 1, msg: 'hello' }]);
  });

  test('a log line may only claim an invocation this instance ran', async () => {
    const { sandbox, instance, logs } = booted();
    instance.invoke(invocation('mine'), Date.now() + 10_000);
    sandbox.fromInstance(encodeLogLine({ inv: 'mine', level: 'info', stream: 'stdout', t: 1, msg: 'a' }));
    sandbox.fromInstance(encodeLogLine({ inv: 'someone-elses', level: 'warn', stream: 'stderr', t: 2, msg: 'b — ü' }));
    sandbox.fromInstance(encodeLogLine({ inv: null, level: 'debug', stream: 'stdout', t: 3, msg: '' }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(logs, [
      { inv: 'mine', level: 'info', stream: 'stdout', t: 1, msg: 'a' },
      { inv: null, level: 'warn', stream: 'stderr', t: 2, msg: 'b — ü' },
      { inv: null, level: 'debug', stream: 'stdout', t: 3, msg: '' },
    ]);
  });

  test('a log line flushed just after its answer keeps its invocation, for the last 64 invocations', async () => {
    const { sandbox, instance, logs } = booted();
    for (let i = 0; i < 100; i++) instance.invoke(invocation(`inv-${i}`), Date.now() + 10_000);
    for (const inv of ['inv-35', 'inv-36', 'inv-99', 'inv-0']) sandbox.fromInstance(encodeLogLine({ inv, level: 'info', stream: 'stdout', t: 1, msg: inv }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(logs.map((l) => l.inv), [null, 'inv-36', 'inv-99', null]);
  });
});

describe('Instance: bodies flow at the pace of their reader', () => {
  test('a response body gets credit back only as the caller reads it', async () => {
    const { sandbox, instance } = booted();
    const { response } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    sandbox.fromInstance(encodeJsonFrame(FRAME.RESPONSE, 1, { status: 200, headers: [] }));
    const head = await response;
    const body = head.body as Readable;
    body.pause();
    for (let sent = 0; sent < STREAM_WINDOW_BYTES; sent += MAX_BODY_FRAME_BYTES) {
      sandbox.fromInstance(encodeFrame(FRAME.RESPONSE_BODY, 1, Buffer.alloc(MAX_BODY_FRAME_BYTES)));
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(sandbox.frames.filter((f) => f.type === FRAME.RESPONSE_CREDIT).length, 0, 'no credit while nobody reads');
    body.resume();
    const credit = await sandbox.hostSent((f) => f.type === FRAME.RESPONSE_CREDIT && f.stream === 1);
    assert.ok(credit.payload.readUInt32BE(0) > 0);
  });

  test('a response body past its credit fails the instance', async () => {
    const { sandbox, instance } = booted();
    const { response, done } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    sandbox.fromInstance(encodeJsonFrame(FRAME.RESPONSE, 1, { status: 200, headers: [] }));
    const body = (await response).body as Readable;
    body.on('error', () => {});
    body.pause();
    for (let sent = 0; sent <= STREAM_WINDOW_BYTES; sent += MAX_BODY_FRAME_BYTES) {
      sandbox.fromInstance(encodeFrame(FRAME.RESPONSE_BODY, 1, Buffer.alloc(MAX_BODY_FRAME_BYTES)));
    }
    await rejectsWithProtocol(done, /past its credit/);
  });

  test('a caller that goes away stops the function with ABORT', async () => {
    const { sandbox, instance } = booted();
    const { response } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    sandbox.fromInstance(encodeJsonFrame(FRAME.RESPONSE, 1, { status: 200, headers: [] }));
    const body = (await response).body as Readable;
    body.destroy();
    await sandbox.hostSent((f) => f.type === FRAME.ABORT && f.stream === 1);
  });

  test('invocations started in one turn reach the instance in order, each INVOKE before its body and END', async () => {
    const { sandbox, instance } = booted();
    instance.invoke(invocation('no-body'), Date.now() + 10_000);
    instance.invoke(invocation('bytes', Buffer.from('abc')), Date.now() + 10_000);
    instance.invoke(invocation('also-no-body'), Date.now() + 10_000);
    await sandbox.hostSent((f) => f.type === FRAME.END && f.stream === 2);
    await sandbox.hostSent((f) => f.type === FRAME.END && f.stream === 3);
    const seen = sandbox.frames.filter((f) => f.type !== FRAME.LOAD).map((f) => `${f.type}:${f.stream}`);
    const at = (frame: string) => seen.indexOf(frame);
    assert.deepEqual(seen.filter((f) => f.endsWith(':1')), [`${FRAME.INVOKE}:1`, `${FRAME.END}:1`]);
    assert.deepEqual(seen.filter((f) => f.endsWith(':2')), [`${FRAME.INVOKE}:2`, `${FRAME.BODY}:2`, `${FRAME.END}:2`]);
    assert.deepEqual(seen.filter((f) => f.endsWith(':3')), [`${FRAME.INVOKE}:3`, `${FRAME.END}:3`]);
    assert.ok(at(`${FRAME.INVOKE}:1`) < at(`${FRAME.INVOKE}:2`) && at(`${FRAME.INVOKE}:2`) < at(`${FRAME.INVOKE}:3`));
    const invoke = JSON.parse(sandbox.frames.find((f) => f.type === FRAME.INVOKE && f.stream === 1)!.payload.toString('utf8')) as { id: string };
    assert.equal(invoke.id, 'no-body');
  });

  test('a request body goes one window at a time, as the instance grants credit', async () => {
    const { sandbox, instance } = booted();
    const total = 3 * STREAM_WINDOW_BYTES;
    instance.invoke(invocation('i1', Readable.from([Buffer.alloc(total, 1)])), Date.now() + 10_000);
    await sandbox.hostSent(() => sentBodyBytes(sandbox, FRAME.BODY, 1) === STREAM_WINDOW_BYTES);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sentBodyBytes(sandbox, FRAME.BODY, 1), STREAM_WINDOW_BYTES, 'no more than one window without credit');
    sandbox.fromInstance(encodeCredit(FRAME.BODY_CREDIT, 1, STREAM_WINDOW_BYTES / 2));
    await sandbox.hostSent(() => sentBodyBytes(sandbox, FRAME.BODY, 1) === STREAM_WINDOW_BYTES * 1.5);
    sandbox.fromInstance(encodeCredit(FRAME.BODY_CREDIT, 1, total));
    await sandbox.hostSent((f) => f.type === FRAME.END && f.stream === 1);
    assert.equal(sentBodyBytes(sandbox, FRAME.BODY, 1), total);
  });

  test('a request body that fails while the host waits for credit still stops the handler', async () => {
    const { sandbox, instance } = booted();
    const body = new Readable({ read() {} });
    body.push(Buffer.alloc(STREAM_WINDOW_BYTES + 1));
    instance.invoke(invocation('i1', body), Date.now() + 10_000);
    await sandbox.hostSent(() => sentBodyBytes(sandbox, FRAME.BODY, 1) === STREAM_WINDOW_BYTES);
    body.destroy(new Error('the caller went away'));
    await sandbox.hostSent((f) => f.type === FRAME.ABORT && f.stream === 1);
    assert.equal(sandbox.frames.some((f) => f.type === FRAME.END), false);
  });

  test('more platform calls open at once than allowed fail the instance', async () => {
    const never = new Promise<{ value: unknown }>(() => {});
    const { sandbox, instance } = booted({ calls: () => never });
    const { response } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    for (let id = 1; id <= MAX_CALLS_IN_FLIGHT + 1; id++) {
      sandbox.fromInstance(encodeJsonFrame(FRAME.CALL, id, { service: 'queues', method: 'send', args: [], inv: 'i1', hasBody: false }));
    }
    await rejectsWithProtocol(response, /platform calls open at once/);
  });
});

describe('Instance: an answer that lingers (ctx.waitUntil)', () => {
  test('the caller gets the answer at once; the invocation ends with SETTLED, with its CPU time', async () => {
    const { sandbox, instance } = booted();
    const { response, done } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    let ended = false;
    void done.then(() => { ended = true; });
    sandbox.fromInstance(encodeFullResponse(1, { status: 200, headers: [], cpuMicros: 5, lingers: true }, Buffer.from('answered')));
    const answer = await response;
    assert.equal(answer.status, 200);
    assert.equal(Buffer.from(answer.body as Buffer).toString(), 'answered');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ended, false, 'still running');
    sandbox.fromInstance(encodeJsonFrame(FRAME.SETTLED, 1, { cpuMicros: 7 }));
    assert.equal((await done).cpuMicros, 7);
  });

  test('a lingering invocation fails at its deadline as any other does', async () => {
    const { sandbox, instance } = booted();
    const { response, done } = instance.invoke(invocation('i1'), Date.now() + 10_000);
    sandbox.fromInstance(encodeFullResponse(1, { status: 200, headers: [], cpuMicros: 5, lingers: true }, Buffer.from('answered')));
    await response;
    instance.failInvocation('i1', new InvocationFailure('timeout', 'did not finish'));
    await assert.rejects(done, (err: unknown) => err instanceof InvocationFailure && err.outcome === 'timeout');
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(sandbox.frames.some((f) => f.type === FRAME.ABORT && f.stream === 1), 'the handler is told');
  });

  test('SETTLED for an answer that did not linger, or a second answer after lingering, is a protocol violation', async () => {
    const first = booted();
    const one = first.instance.invoke(invocation('i1'), Date.now() + 10_000);
    first.sandbox.fromInstance(encodeJsonFrame(FRAME.SETTLED, 1, { cpuMicros: 1 }));
    await rejectsWithProtocol(one.response, /SETTLED for an invocation whose answer did not linger/);
    const second = booted();
    const two = second.instance.invoke(invocation('i1'), Date.now() + 10_000);
    second.sandbox.fromInstance(encodeFullResponse(1, { status: 200, headers: [], cpuMicros: 5, lingers: true }, Buffer.from('a')));
    await two.response;
    second.sandbox.fromInstance(encodeFullResponse(1, { status: 200, headers: [], cpuMicros: 5 }, Buffer.from('b')));
    await rejectsWithProtocol(two.done, /a full response after a response head/);
  });
});
