import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handlerOf, invokeLambda, type LambdaContext, type LambdaHandler } from '../../../src/sdk/adapters/lambda/index.js';
import { contextFor, INFO } from './support.js';

// The Node.js runtime's handler forms and context object
// (docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html, nodejs-context.html).

const run = (handler: LambdaHandler, deadlineInMs = 10_000): Promise<unknown> => invokeLambda(handler, { in: 1 }, contextFor('req-1', {}, deadlineInMs), INFO);

test('an async handler answers with what its promise resolves to; a rejection is the error', async () => {
  assert.deepEqual(await run(async (event) => ({ got: event })), { got: { in: 1 } });
  await assert.rejects(run(async () => { throw new Error('nope'); }), /nope/);
  assert.equal(await run(async () => undefined), null, 'nothing returned answers null, as Lambda does');
});

test('the callback form answers when the callback is called, later or at once; its error is the error', async () => {
  assert.equal(await run((_e, _c, callback) => { setTimeout(() => callback(null, 'later'), 5); }), 'later');
  assert.equal(await run((_e, _c, callback) => callback(null, 'now')), 'now');
  await assert.rejects(run((_e, _c, callback) => callback(new Error('cb failed'))), /cb failed/);
  await assert.rejects(run((_e, _c, callback) => callback('a string error')), /a string error/);
});

test('only the first answer counts', async () => {
  assert.equal(await run((_e, context, callback) => { callback(null, 'first'); callback(null, 'second'); context.succeed('third'); }), 'first');
});

test('context.succeed, context.fail and context.done answer as the callback does', async () => {
  assert.equal(await run((_e, context) => { setTimeout(() => context.succeed('ok'), 1); return undefined; }, ), null,
    'a two-parameter handler that returns a plain value answers null at once (no callback to wait for)');
  assert.equal(await run(function (this: unknown, _e: unknown, context: LambdaContext, _cb: unknown) { setTimeout(() => context.succeed('ok'), 1); } as LambdaHandler), 'ok');
  await assert.rejects(run(function (_e: unknown, context: LambdaContext, _cb: unknown) { context.fail(new Error('failed')); } as LambdaHandler), /failed/);
  assert.equal(await run(function (_e: unknown, context: LambdaContext, _cb: unknown) { context.done(null, 'done'); } as LambdaHandler), 'done');
  assert.equal(await run((_e, context) => { context.succeed('sync'); return undefined; }), 'sync', 'called before returning: that answer');
});

test('a synchronous throw is the error', async () => {
  await assert.rejects(run(() => { throw new Error('sync throw'); }), /sync throw/);
});

test('context carries the documented properties, from the function and the invocation', async () => {
  let seen: LambdaContext | undefined;
  await run(async (_e, context) => { seen = context; });
  assert.ok(seen);
  assert.equal(seen.awsRequestId, 'req-1', 'awsRequestId is the Nimbus invocation id');
  assert.equal(seen.functionName, 'my-function');
  assert.equal(seen.functionVersion, '$LATEST');
  assert.equal(seen.invokedFunctionArn, 'arn:aws:lambda:us-east-1:123456789012:function:my-function');
  assert.equal(seen.memoryLimitInMB, '512', 'a string, as in Lambda');
  assert.equal(seen.logGroupName, '/aws/lambda/my-function');
  assert.match(seen.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\]my-app-v1$/);
  assert.equal(seen.callbackWaitsForEmptyEventLoop, true, 'true by default; may be set');
  seen.callbackWaitsForEmptyEventLoop = false;
  assert.equal(seen.callbackWaitsForEmptyEventLoop, false);
});

test('getRemainingTimeInMillis counts down to the invocation deadline', async () => {
  let first = 0;
  let second = 0;
  await run(async (_e, context) => {
    first = context.getRemainingTimeInMillis();
    await new Promise((resolve) => setTimeout(resolve, 30));
    second = context.getRemainingTimeInMillis();
  }, 5_000);
  assert.ok(first <= 5_000 && first > 0, `${first}`);
  assert.ok(second < first, `${second} < ${first}`);
});

test('handlerOf finds a named export, or one on a CommonJS module.exports, and names what is missing', () => {
  const fn = async () => 1;
  assert.equal(handlerOf({ hello: fn }, 'hello', 'src/h.hello'), fn);
  assert.equal(handlerOf({ default: { hello: fn } }, 'hello', 'src/h.hello'), fn);
  assert.throws(() => handlerOf({ other: fn }, 'hello', 'src/h.hello'), /handler "src\/h.hello": the module exports no function named "hello"/);
  assert.throws(() => handlerOf({ hello: 'not a function' }, 'hello', 'src/h.hello'), /no function named "hello"/);
});
