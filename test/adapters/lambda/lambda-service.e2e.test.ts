import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliRun } from '../../cli/support/run-cli.js';
import { eventually, nimbusAt, NimbusProcess } from '../../cli/support/nimbus-process.js';
import { makeTempDir, type TempDir } from '../../cli/support/temp-app.js';

// examples/lambda-service, an ordinary serverless.yml service, deployed unchanged with the real CLI
// to a real node and driven through Nimbus's own triggers: HTTP requests, a queue send, a blob put,
// a timer run. Copied to the OS temp dir first: it must bundle with no node_modules of its own.

const EXAMPLE = fileURLToPath(new URL('../../../../examples/lambda-service/', import.meta.url));

interface LogLine {
  functionName: string;
  level: string;
  message: string;
  invocationId: string | null;
}

describe('a serverless.yml service deployed unchanged', () => {
  let data: TempDir;
  let service: TempDir;
  let node: NimbusProcess;
  let url: string;
  let nimbus: (args: readonly string[]) => Promise<CliRun>;
  let deployed: CliRun;

  const logs = async (): Promise<LogLine[]> => {
    const run = await nimbus(['logs', 'lambda-service', '--json', '--limit', '500']);
    assert.equal(run.code, 0, run.stderr);
    return (JSON.parse(run.stdout) as { lines: LogLine[] }).lines;
  };
  const logged = (fn: string, pattern: RegExp): Promise<LogLine> =>
    eventually(`${fn} to log ${pattern}`, async () => (await logs()).find((l) => l.functionName === fn && pattern.test(l.message)));

  before(async () => {
    data = await makeTempDir();
    service = await makeTempDir({}, 'lambda-service-');
    await cp(EXAMPLE, service.path, { recursive: true });
    node = new NimbusProcess(['start', '--port', '0', '--data', data.path], { cwd: data.path });
    url = await node.url();
    nimbus = nimbusAt(url, await node.adminKey(), data.path);
    deployed = await nimbus(['deploy', service.path]);
  });
  after(async () => {
    await node?.kill();
    await Promise.all([data?.remove(), service?.remove()]);
  });

  test('deploy reads serverless.yml and prints how each function and event maps', () => {
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stdout, /^Read serverless\.yml \(lambda\): 5 functions$/m);
    for (const row of [
      /hello: httpApi GET \/hello\/\{name\}\s+hello\s+http GET \/hello\/:name \(payload 2\.0\)/,
      /legacy: http POST \/legacy\/\{proxy\+\}\s+legacy\s+http POST \/legacy\/\* \(payload 1\.0\)/,
      /orders: sqs lambda-orders\s+orders\s+queue lambda-orders \(batch 5, 2 attempts, dead letters to lambda-orders-dlq, partial failures\)/,
      /report: schedule cron\(0 12 \* \* \? \*\)\s+report\s+timer 0 12 \* \* \* \(UTC\)/,
      /thumbnails: s3 lambda-photos \(prefix uploads\/, suffix \.jpg\)\s+thumbnails\s+blob lambda-photos uploads\/\{key\*\*\}\.jpg \(created, updated\)/,
    ]) assert.match(deployed.stdout, row);
    assert.match(deployed.stdout, /^Deployed lambda-service v1/m, 'the app is named by the service');
  });

  test('nimbus ls shows each function with origin lambda', async () => {
    const run = await nimbus(['ls']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /ORIGIN/);
    for (const fn of ['hello', 'legacy', 'orders', 'report', 'thumbnails']) assert.match(run.stdout, new RegExp(`lambda-service\\s+v1\\s+${fn}\\s+.*\\blambda$`, 'm'), fn);
  });

  test('an HTTP request reaches the HTTP API (2.0) handler as its event; its structured response is the answer', async () => {
    const response = await fetch(`${url}/hello/ada?x=1&x=2`, { headers: { cookie: 'a=1; b=2' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(response.headers.getSetCookie(), ['last-greeted=ada; Path=/']);
    assert.equal(response.headers.get('x-request-id'), response.headers.get('x-nimbus-invocation-id'), 'awsRequestId is the invocation id');
    const body = await response.json() as Record<string, unknown>;
    assert.deepEqual({ ...body, remainingMs: undefined }, {
      message: 'Hello, ada!', stage: 'dev', routeKey: 'GET /hello/{name}', query: { x: '1,2' }, cookies: ['a=1', 'b=2'],
      functionName: 'lambda-service-dev-hello', memoryLimitInMB: '256', remainingMs: undefined,
    });
    assert.ok(typeof body['remainingMs'] === 'number' && body['remainingMs'] > 0 && body['remainingMs'] <= 10_000, `remaining ${String(body['remainingMs'])} of the 10 s timeout`);
  });

  test('a CommonJS callback handler behind the REST API (1.0) answers with its multi-value headers', async () => {
    const response = await fetch(`${url}/legacy/a/b`, { method: 'POST', body: 'hi there' });
    assert.equal(response.status, 201);
    assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(response.headers.get('x-path'), '/legacy/a/b');
    assert.deepEqual(await response.json(), { resource: '/legacy/{proxy+}', proxy: 'a/b', stage: 'dev', received: 'hi there' });
  });

  test('queue messages reach the SQS handler; the item it reports failed is retried, then dead-lettered', async () => {
    for (const order of [{ id: 'o-1' }, { id: 'o-bad', fail: true }]) {
      const sent = await nimbus(['queue', 'send', 'lambda-orders', '--data', JSON.stringify(order)]);
      assert.equal(sent.code, 0, sent.stderr);
    }
    await logged('orders', /^order o-1 shipped from arn:aws:sqs:eu-west-1:123456789012:lambda-orders$/);
    await logged('orders', /^order o-bad failed \(receive count 1\)$/);
    await logged('orders', /^order o-bad failed \(receive count 2\)$/);
    const dead = await eventually('o-bad in lambda-orders-dlq', async () => {
      const run = await nimbus(['queue', 'peek', 'lambda-orders-dlq', '--json']);
      const { messages } = JSON.parse(run.stdout) as { messages: { body: unknown; attempts: number }[] };
      return messages.find((m) => (m.body as { id?: string }).id === 'o-bad');
    });
    assert.equal(dead.attempts, 2, 'maxReceiveCount: 2');
    assert.equal((await logs()).filter((l) => /o-1 shipped/.test(l.message)).length, 1, 'the good message was not retried with it');
  });

  test('a blob put under the rule\'s prefix and suffix reaches the S3 handler; others do not', async () => {
    const file = join(service.path, 'photo.jpg');
    await writeFile(file, 'jpeg bytes');
    for (const key of ['other/skip.jpg', 'uploads/notes.txt', 'uploads/my cat.jpg']) {
      const put = await nimbus(['blob', 'put', `lambda-photos/${key}`, file]);
      assert.equal(put.code, 0, put.stderr);
    }
    await logged('thumbnails', /^thumbnail 128px for s3:\/\/lambda-photos\/uploads\/my cat\.jpg \(ObjectCreated:Put, 10 bytes\)$/);
    assert.deepEqual((await logs()).filter((l) => l.functionName === 'thumbnails').map((l) => l.message), ['thumbnail 128px for s3://lambda-photos/uploads/my cat.jpg (ObjectCreated:Put, 10 bytes)']);
  });

  test('running the timer now gives the handler a Scheduled Event', async () => {
    const run = await nimbus(['timers', 'run', 'lambda-service/report']);
    assert.equal(run.code, 0, run.stderr);
    await logged('report', /^report: Scheduled Event from aws\.events at \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z \(lambda-service-dev-report\)$/);
  });

  test('a SAM template deploys the same way: CodeUri, Globals, a parameter default, an HttpApi catch-all', async () => {
    const sam = await makeTempDir({
      'functions/app.ts': [
        "export const lambdaHandler = async (event: { rawPath: string; routeKey: string }, context: { functionName: string }) =>",
        "  ({ path: event.rawPath, routeKey: event.routeKey, fn: context.functionName, stage: process.env['STAGE'] });",
        '',
      ].join('\n'),
      'template.yaml': [
        'Transform: AWS::Serverless-2016-10-31',
        'Parameters:',
        '  Stage: { Type: String, Default: beta }',
        'Globals:',
        '  Function:',
        '    Runtime: nodejs20.x',
        '    Environment:',
        '      Variables:',
        '        STAGE: !Ref Stage',
        'Resources:',
        '  CatchAll:',
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        '      CodeUri: functions/',
        '      Handler: app.lambdaHandler',
        '      FunctionName: !Sub "${AWS::StackName}-catch-all"',
        '      Events:',
        '        Everything:',
        '          Type: HttpApi',
        '',
      ].join('\n'),
    }, 'sam-');
    try {
      const run = await nimbus(['deploy', sam.path, '--app', 'sam-app']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Read template\.yaml \(lambda\): 1 function$/m);
      assert.match(run.stdout, /CatchAll: httpApi \*\s+CatchAll\s+http \* \/\* \(payload 2\.0\)/);
      const answer = await fetch(`${url}/anything/at/all`);
      assert.equal(answer.status, 200);
      assert.deepEqual(await answer.json(), { path: '/anything/at/all', routeKey: '$default', fn: `${sam.path.split('/').pop()}-catch-all`, stage: 'beta' });
    } finally {
      assert.equal((await nimbus(['rm', 'sam-app'])).code, 0, 'removed: its catch-all route would answer the requests of the next test');
      await sam.remove();
    }
  });

  test('an unsupported event refuses the deploy, naming it and why; --skip-unsupported deploys the rest', async () => {
    const odd = await makeTempDir({
      'handler.js': 'export const hello = async () => "hi";\n',
      'serverless.yml': 'service: odd-service\nprovider:\n  name: aws\nfunctions:\n  hello:\n    handler: handler.hello\n    events:\n      - httpApi: GET /odd\n      - websocket: $connect\n',
    }, 'lambda-odd-');
    try {
      const refused = await nimbus(['deploy', odd.path]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /serverless\.yml asks for something Nimbus has no equivalent for; deploy the rest with --skip-unsupported/);
      assert.match(refused.stderr, /functions\.hello\.events\[1\] \(websocket\): Nimbus has no WebSocket trigger/);
      assert.equal((await fetch(`${url}/odd`)).status, 404, 'nothing was deployed');

      const skipped = await nimbus(['deploy', odd.path, '--skip-unsupported']);
      assert.equal(skipped.code, 0, skipped.stderr);
      assert.match(skipped.stdout, /Left out \(no Nimbus equivalent\):\n {2}functions\.hello\.events\[1\] \(websocket\): Nimbus has no WebSocket trigger/);
      const answer = await fetch(`${url}/odd`);
      assert.deepEqual([answer.status, await answer.text()], [200, 'hi']);
    } finally {
      await odd.remove();
    }
  });
});
