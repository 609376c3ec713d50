import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as lambda from '../../../src/sdk/adapters/lambda/index.js';
import type { BlobEvent, QueueBatch } from '../../../src/sdk/definition.js';
import { DOCUMENTED_V2_EVENT, DOCUMENTED_V2_REQUEST, V2_RESPONSES } from './fixtures/http-api-v2.js';
import { DOCUMENTED_V1_EVENT, DOCUMENTED_V1_REQUEST, V1_RESPONSES } from './fixtures/rest-api-v1.js';
import { DOCUMENTED_BATCH_RESPONSE, DOCUMENTED_SQS_EVENT } from './fixtures/sqs.js';
import { DOCUMENTED_S3_DELETE_OBJECT, DOCUMENTED_S3_PUT_EVENT } from './fixtures/s3.js';
import { DOCUMENTED_SCHEDULED_EVENT } from './fixtures/scheduled.js';
import { answerOf, contextFor, INFO, recordingHandler, shapeOf } from './support.js';

// Each documented example event is produced from the input it stands for, through
// the same wrappers the generated entry uses; each documented response form gives
// the documented HTTP answer.

function requestOf(spec: { url: string; method: string; headers: [string, string][]; body: string | null }, extra: [string, string][] = []): Request {
  return new Request(spec.url, { method: spec.method, headers: [...spec.headers, ...extra], body: spec.body, duplex: 'half' } as RequestInit);
}

describe('API Gateway HTTP API, payload format 2.0', () => {
  test('the documented request gives the documented event', async () => {
    const { handler, events } = recordingHandler();
    const info = { ...INFO, stage: '$default' };
    const wrapped = lambda.httpApi(handler, info, { routeKey: '$default', pathParameterNames: {}, apiId: 'api-id' });
    const parts = await lambda.readRequest(requestOf(DOCUMENTED_V2_REQUEST, [['x-forwarded-for', '192.0.2.1'], ['user-agent', 'agent']]));
    // The documented event has no x-forwarded-for, user-agent or content-type headers (fetch adds one for a string body):
    // build it from the parts without them, at the documented time.
    const event = lambda.httpApiEvent(
      { ...parts, headers: parts.headers.filter(([n]) => !['x-forwarded-for', 'user-agent', 'content-type'].includes(n)), receivedAt: new Date(DOCUMENTED_V2_EVENT.requestContext.timeEpoch) },
      {}, { routeKey: '$default', pathParameterNames: {}, apiId: 'api-id' }, info, 'id');
    assert.deepEqual(event, { ...DOCUMENTED_V2_EVENT, requestContext: { ...DOCUMENTED_V2_EVENT.requestContext, time: '04/Mar/2020:19:03:58 +0000' } },
      'equal to the documented event (the documented `time` is another day than its own timeEpoch; ours is computed from it)');

    // And through the wrapper, as a handler receives it: same shape, same request-derived values.
    await wrapped(requestOf(DOCUMENTED_V2_REQUEST, [['x-forwarded-for', '192.0.2.1'], ['user-agent', 'agent']]), contextFor('id'));
    const received = events[0] as typeof DOCUMENTED_V2_EVENT;
    // Header names are the request's own: the rest of the shape is the documented one.
    assert.deepEqual(shapeOf({ ...received, headers: {} }), shapeOf({ ...DOCUMENTED_V2_EVENT, headers: {} }));
    assert.deepEqual({ header1: received.headers['header1'], header2: received.headers['header2'] }, DOCUMENTED_V2_EVENT.headers);
    assert.equal(received.requestContext.http.sourceIp, '192.0.2.1');
    assert.equal(received.requestContext.requestId, 'id', 'requestId is the invocation id');
    assert.deepEqual(received.cookies, ['cookie1', 'cookie2']);
    assert.equal(received.body, 'Hello from Lambda');
  });

  test('path parameters: {id} and the greedy {proxy+} arrive under their AWS names', async () => {
    const { handler, events } = recordingHandler();
    await lambda.httpApi(handler, INFO, { routeKey: 'GET /items/{item-id}/{proxy+}', pathParameterNames: { item_id: 'item-id', '*': 'proxy' }, apiId: 'api' })(
      new Request('http://localhost/items/42/a/b'), contextFor('r1', { item_id: '42', '*': 'a/b' }));
    const event = events[0] as Record<string, unknown>;
    assert.deepEqual(event['pathParameters'], { 'item-id': '42', proxy: 'a/b' });
    assert.equal(event['routeKey'], 'GET /items/{item-id}/{proxy+}');
    assert.equal('queryStringParameters' in event, false, 'no query: no queryStringParameters');
    assert.equal('cookies' in event, false, 'no Cookie header: no cookies');
    assert.equal('body' in event, false, 'no body: no body field');
  });

  test('a binary body arrives base64-encoded, a JSON body as text', async () => {
    const { handler, events } = recordingHandler();
    const wrapped = lambda.httpApi(handler, INFO, { routeKey: '$default', pathParameterNames: {}, apiId: 'api' });
    await wrapped(new Request('http://localhost/u', { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array([0, 1, 254]) }), contextFor('r'));
    await wrapped(new Request('http://localhost/u', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }), contextFor('r'));
    const [binary, json] = events as { body: string; isBase64Encoded: boolean }[];
    assert.deepEqual([binary!.body, binary!.isBase64Encoded], [Buffer.from([0, 1, 254]).toString('base64'), true]);
    assert.deepEqual([json!.body, json!.isBase64Encoded], ['{"a":1}', false]);
  });

  for (const form of V2_RESPONSES) {
    test(`response: ${form.name}`, async () => {
      const wrapped = lambda.httpApi(async () => form.returned, INFO, { routeKey: '$default', pathParameterNames: {}, apiId: 'api' });
      const answer = await answerOf(await wrapped(new Request('http://localhost/'), contextFor('r')) as Response);
      assert.equal(answer.status, form.status);
      assert.deepEqual(Object.fromEntries(Object.entries(answer.headers).filter(([n]) => n !== 'content-length')), form.headers);
      assert.deepEqual(answer.setCookies, form.setCookies);
      assert.deepEqual(answer.body, Buffer.from(form.body));
    });
  }
});

describe('API Gateway REST API proxy, payload format 1.0', () => {
  test('the documented request gives the documented event', async () => {
    const route = { routeKey: '/my/path', pathParameterNames: {}, apiId: 'id' };
    // fetch refuses a GET with a body: read the request as a POST, then give it the documented method.
    const parts = await lambda.readRequest(requestOf({ ...DOCUMENTED_V1_REQUEST, method: 'POST' }));
    const event = lambda.restApiEvent({
      ...parts, method: 'GET', headers: parts.headers.filter(([n]) => n !== 'content-type'), host: 'id.execute-api.us-east-1.amazonaws.com',
      sourceIp: '192.0.2.1', userAgent: 'user-agent', receivedAt: new Date(DOCUMENTED_V1_EVENT.requestContext.requestTimeEpoch),
    }, {}, route, { ...INFO, stage: '$default' }, 'request-id');
    // Node's fetch joins repeated header lines into one value ("value1, value2") before a handler sees the request,
    // so a repeated header is one entry here (docs/adapters-lambda.md); everything else is the documented event.
    const withoutHeaders = (e: typeof event | typeof DOCUMENTED_V1_EVENT) => ({ ...e, headers: null, multiValueHeaders: null });
    assert.deepEqual(withoutHeaders(event), withoutHeaders(DOCUMENTED_V1_EVENT));
    assert.deepEqual(event.headers, { header1: 'value1', header2: 'value1, value2' });
    assert.deepEqual(event.multiValueHeaders, { header1: ['value1'], header2: ['value1, value2'] });
  });

  test('the stage prefixes requestContext.path; path parameters and no query are null', async () => {
    const { handler, events } = recordingHandler();
    await lambda.restApi(handler, { ...INFO, stage: 'dev' }, { routeKey: '/legacy/{proxy+}', pathParameterNames: { '*': 'proxy' }, apiId: 'api' })(
      new Request('http://localhost/legacy/a/b'), contextFor('r', { '*': 'a/b' }));
    const event = events[0] as { requestContext: { path: string; stage: string }; pathParameters: unknown; queryStringParameters: unknown; multiValueQueryStringParameters: unknown; body: unknown; resource: string };
    assert.equal(event.requestContext.path, '/dev/legacy/a/b');
    assert.equal(event.requestContext.stage, 'dev');
    assert.equal(event.resource, '/legacy/{proxy+}');
    assert.deepEqual(event.pathParameters, { proxy: 'a/b' });
    assert.equal(event.queryStringParameters, null);
    assert.equal(event.multiValueQueryStringParameters, null);
    assert.equal(event.body, null);
  });

  test('binaryMediaTypes decide which bodies arrive base64-encoded', async () => {
    const { handler, events } = recordingHandler();
    const wrapped = lambda.restApi(handler, INFO, { routeKey: '/u', pathParameterNames: {}, apiId: 'api', binaryMediaTypes: ['image/*'] });
    await wrapped(new Request('http://localhost/u', { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array([0, 255]) }), contextFor('r'));
    await wrapped(new Request('http://localhost/u', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'plain' }), contextFor('r'));
    const [image, other] = events as { body: string; isBase64Encoded: boolean }[];
    assert.deepEqual([image!.body, image!.isBase64Encoded], ['AP8=', true]);
    assert.deepEqual([other!.body, other!.isBase64Encoded], ['plain', false]);
  });

  for (const form of V1_RESPONSES) {
    test(`response: ${form.name}`, async () => {
      const wrapped = lambda.restApi(async () => form.returned, INFO, { routeKey: '/', pathParameterNames: {}, apiId: 'api' });
      const answer = await answerOf(await wrapped(new Request('http://localhost/'), contextFor('r')) as Response);
      assert.equal(answer.status, form.status);
      assert.deepEqual(Object.fromEntries(Object.entries(answer.headers).filter(([n]) => n !== 'content-length')), form.headers);
      assert.deepEqual(answer.setCookies, form.setCookies);
      assert.deepEqual(answer.body, Buffer.from(form.body));
    });
  }
});

describe('SQS', () => {
  const batch: QueueBatch = { queue: 'my-queue', messages: [{ id: '059f36b4-87a3-44ab-83d2-661975830a7d', body: 'test', attempt: 1, enqueuedAt: 1545082649183 }] };

  test('a batch gives the documented event', async () => {
    const { handler, events } = recordingHandler(undefined);
    await lambda.sqs(handler, { ...INFO, region: 'us-east-2' }, { reportBatchItemFailures: true })(batch, contextFor('r'));
    const event = events[0] as typeof DOCUMENTED_SQS_EVENT;
    assert.deepEqual(shapeOf(event), shapeOf(DOCUMENTED_SQS_EVENT));
    const [ours, documented] = [event.Records[0]!, DOCUMENTED_SQS_EVENT.Records[0]!];
    for (const field of ['messageId', 'body', 'md5OfBody', 'eventSource', 'eventSourceARN', 'awsRegion', 'messageAttributes'] as const) assert.deepEqual(ours[field], documented[field], field);
    assert.equal(ours.attributes.ApproximateReceiveCount, '1');
    assert.equal(ours.attributes.SentTimestamp, '1545082649183');
  });

  test('a JSON body that is not a string arrives as its JSON text', () => {
    const event = lambda.sqsEvent({ queue: 'q', messages: [{ id: 'm', body: { a: 1 }, attempt: 3, enqueuedAt: 1 }] }, INFO, 2);
    assert.equal(event.Records[0]!.body, '{"a":1}');
    assert.equal(event.Records[0]!.attributes.ApproximateReceiveCount, '3');
  });

  test('batchItemFailures retries the messages it names; none, an empty list or no report is success', async () => {
    const two: QueueBatch = { queue: 'q', messages: [{ id: 'a', body: 'x', attempt: 1, enqueuedAt: 1 }, { id: 'b', body: 'y', attempt: 1, enqueuedAt: 1 }] };
    const run = (result: unknown, report = true) => lambda.sqs(async () => result, INFO, { reportBatchItemFailures: report })(two, contextFor('r'));
    assert.deepEqual(await run({ batchItemFailures: [{ itemIdentifier: 'b' }] }), { failed: ['b'] });
    assert.deepEqual(await run({ batchItemFailures: [] }), { failed: [] });
    assert.equal(await run(undefined), undefined);
    assert.equal(await run({ batchItemFailures: [{ itemIdentifier: 'b' }] }, false), undefined, 'without ReportBatchItemFailures Lambda ignores the response');
    assert.deepEqual(await run({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }), { failed: ['a', 'b'] }, 'an unknown id fails the whole batch');
    assert.deepEqual(await run({ batchItemFailures: [{ itemIdentifier: '' }] }), { failed: ['a', 'b'] });
    assert.deepEqual(lambda.sqsResult(DOCUMENTED_BATCH_RESPONSE, batch, true), { failed: ['059f36b4-87a3-44ab-83d2-661975830a7d'] }, 'the documented response form');
  });

  test('a thrown error fails the whole batch (the Nimbus trigger retries it)', async () => {
    await assert.rejects(lambda.sqs(async () => { throw new Error('boom'); }, INFO, { reportBatchItemFailures: true })(batch, contextFor('r')) as Promise<unknown>, /boom/);
  });
});

describe('S3 event notifications', () => {
  const put: BlobEvent = {
    bucket: 'amzn-s3-demo-bucket', key: 'HappyFace.jpg', eventType: 'created', size: 1024, etag: '"d41d8cd98f00b204e9800998ecf8427e"',
    contentType: 'image/jpeg', sequencer: '0055AED6DCD90281E5', params: {},
  };

  test('a blob put gives the documented ObjectCreated:Put record', async () => {
    const { handler, events } = recordingHandler(undefined);
    await lambda.s3(handler, { ...INFO, region: 'us-west-2' }, { configurationId: 'testConfigRule' })(put, contextFor('C3D13FE58DE4C810'));
    const event = events[0] as typeof DOCUMENTED_S3_PUT_EVENT;
    assert.deepEqual(shapeOf(event), shapeOf(DOCUMENTED_S3_PUT_EVENT));
    const [ours, documented] = [event.Records[0]!, DOCUMENTED_S3_PUT_EVENT.Records[0]!];
    for (const field of ['eventVersion', 'eventSource', 'awsRegion', 'eventName', 'requestParameters'] as const) assert.deepEqual(ours[field], documented[field], field);
    assert.deepEqual(ours.s3.object, documented.s3.object, 'key, size, unquoted ETag, sequencer');
    assert.deepEqual({ ...ours.s3, bucket: { ...ours.s3.bucket, ownerIdentity: documented.s3.bucket.ownerIdentity } }, documented.s3);
    assert.equal(ours.responseElements['x-amz-request-id'], 'C3D13FE58DE4C810');
  });

  test('an overwrite is ObjectCreated:Put too; a delete is ObjectRemoved:Delete with key and sequencer only', () => {
    assert.equal(lambda.s3Event({ ...put, eventType: 'updated' }, INFO, 'c', 'r', new Date(0)).Records[0]!.eventName, 'ObjectCreated:Put');
    const removed = lambda.s3Event({ ...put, eventType: 'deleted' }, INFO, 'c', 'r', new Date(0)).Records[0]!;
    assert.equal(removed.eventName, 'ObjectRemoved:Delete');
    assert.deepEqual(removed.s3.object, DOCUMENTED_S3_DELETE_OBJECT);
  });

  test('keys are URL-encoded as S3 sends them: a space is +, slashes stay', () => {
    assert.equal(lambda.s3Event({ ...put, key: 'uploads/my cat+dog ü.jpg' }, INFO, 'c', 'r', new Date(0)).Records[0]!.s3.object.key, 'uploads/my+cat%2Bdog+%C3%BC.jpg');
  });
});

describe('EventBridge scheduled events', () => {
  const tick = { scheduledAt: '2015-10-08T16:53:06.000Z', firedAt: '2015-10-08T16:53:06.120Z', isPastDue: false, missed: 0, lastRun: null };

  test('a timer tick gives the documented Scheduled Event, timed at the scheduled second', async () => {
    const { handler, events } = recordingHandler(undefined);
    await lambda.schedule(handler, INFO, { ruleName: 'my-scheduled-rule' })(tick, contextFor('r'));
    const event = events[0] as typeof DOCUMENTED_SCHEDULED_EVENT;
    assert.deepEqual(shapeOf(event), shapeOf(DOCUMENTED_SCHEDULED_EVENT));
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual({ ...event, id: DOCUMENTED_SCHEDULED_EVENT.id }, DOCUMENTED_SCHEDULED_EVENT);
  });

  test('a rule with input passes the input as the event', async () => {
    const { handler, events } = recordingHandler(undefined);
    await lambda.schedule(handler, INFO, { ruleName: 'r', input: { report: 'daily' } })(tick, contextFor('r'));
    assert.deepEqual(events, [{ report: 'daily' }]);
  });
});
