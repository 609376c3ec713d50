import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, type PostInvocationContext, type PreInvocationContext } from '../../../src/sdk/adapters/azure/index.js';
import { definitionsOf, fakeContext, invoke } from './harness.js';

// types/hooks of @azure/functions 4.x: appStart once, preInvocation may swap inputs and handler,
// postInvocation sees the result or error and may replace them; hookData is shared by one invocation's hooks.

test('appStart runs once; pre and post invocation hooks wrap the handler and may change inputs, handler, result and error', async () => {
  const calls: string[] = [];
  const defs = definitionsOf(() => {
    app.hook.appStart(() => void calls.push('appStart'));
    app.hook.preInvocation((context: PreInvocationContext) => {
      calls.push(`pre ${context.invocationContext.functionName}`);
      context.hookData['started'] = true;
      context.inputs = [`${String(context.inputs[0])}!`];
    });
    app.hook.postInvocation((context: PostInvocationContext) => {
      calls.push(`post ${String(context.result)} ${String(context.hookData['started'])}`);
      if (context.error) {
        context.error = null;
        context.result = 'recovered';
      }
    });
    app.storageQueue('work', {
      queueName: 'jobs', connection: 'c',
      handler: (entry) => {
        calls.push(`handler ${String(entry)}`);
        if (entry === 'boom!') throw new Error('boom');
        return 'done';
      },
    });
  });
  const batch = (body: string) => ({ queue: 'jobs', messages: [{ id: 'm', body, attempt: 1, enqueuedAt: 0 }] });
  assert.deepEqual(await invoke(defs['work'], batch('a'), fakeContext()), { failed: [] });
  assert.deepEqual(await invoke(defs['work'], batch('boom'), fakeContext()), { failed: [] }, 'the post hook cleared the error');
  assert.deepEqual(calls, ['appStart', 'pre work', 'handler a!', 'post done true', 'pre work', 'handler boom!', 'post undefined true']);
});

test('a disposed hook no longer runs; an error a post hook leaves fails the invocation', async () => {
  const calls: string[] = [];
  const defs = definitionsOf(() => {
    const pre = app.hook.preInvocation(() => void calls.push('pre'));
    pre.dispose();
    app.hook.postInvocation(() => void calls.push('post'));
    app.get('fails', () => {
      throw new Error('handler failed');
    });
  });
  await assert.rejects(invoke(defs['fails'], new Request('http://x/api/fails'), fakeContext()), /handler failed/);
  assert.deepEqual(calls, ['post']);
});
