import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readAppFormat } from '../../../src/cli/bundle/formats/app-format.js';
import { translateSchedule } from '../../../src/cli/bundle/formats/lambda/schedule-expression.js';
import { translateRoute } from '../../../src/cli/bundle/formats/lambda/http-routes.js';
import { CliError } from '../../../src/cli/cli-error.js';
import { makeTempDir } from '../../cli/support/temp-app.js';

const HANDLERS = {
  'src/handler.ts': 'export const hello = async () => "hi";\nexport const other = async () => "x";\n',
  'src/worker.mjs': 'export const handler = async () => {};\n',
  'legacy.cjs': 'exports.run = (event, context, cb) => cb(null, 1);\n',
};

async function read(files: Record<string, string>) {
  const dir = await makeTempDir({ ...HANDLERS, ...files }, 'nimbus-lambda-reader-');
  try {
    return await readAppFormat(dir.path);
  } finally {
    await dir.remove();
  }
}

async function readFails(files: Record<string, string>, message: RegExp): Promise<void> {
  await assert.rejects(read(files), (err: unknown) => {
    assert.ok(err instanceof CliError, String(err));
    assert.match(err.message, message);
    assert.equal(err.message.includes('\n'), false, 'one readable line');
    return true;
  });
}

/** The settings object a generated definition passes to http()/queue()/blob()/timer(), by export name. */
function settingsOf(entrySource: string, name: string): Record<string, unknown> {
  const id = new RegExp(`(__fn\\d+\\$d\\d*) as ${name}\\b`).exec(entrySource)?.[1];
  assert.ok(id, `no export ${name} in:\n${entrySource}`);
  const line = entrySource.split('\n').find((l) => l.startsWith(`const ${id} = `))!;
  const json = /^const \S+ = __\w+\((\{.*?\}), __lambda\./.exec(line)![1]!;
  return JSON.parse(json) as Record<string, unknown>;
}

describe('serverless.yml', () => {
  const SERVICE = `
service: shop
provider:
  name: aws
  runtime: nodejs20.x
  stage: prod
  region: eu-central-1
  memorySize: 512
  timeout: 20
  environment:
    TABLE: \${self:service}-\${sls:stage}-orders
    FROM_ENV: \${env:NIMBUS_TEST_UNSET_VARIABLE, 'fallback'}
functions:
  hello-world:
    handler: src/handler.hello
    memorySize: 256
    reservedConcurrency: 5
    environment:
      ONLY_HERE: yes
    events:
      - httpApi: GET /items/{id}
      - http:
          path: admin/{proxy+}
          method: any
          private: true
      - schedule:
          rate: rate(5 minutes)
          input:
            kind: digest
  worker:
    handler: src/worker.handler
    events:
      - sqs:
          arn: !GetAtt JobsQueue.Arn
          batchSize: 25
          maximumBatchingWindow: 2
          functionResponseType: ReportBatchItemFailures
      - sqs: arn:aws:sqs:eu-central-1:123456789012:Other_Queue
      - s3:
          bucket: shop-uploads
          event: s3:ObjectRemoved:*
          rules:
            - prefix: incoming/
  legacy:
    handler: legacy.run
  nightly:
    handler: src/handler.other
    events:
      - schedule: cron(15 3 ? * MON-FRI *)
      - schedule: cron(0 12 ? * 2#1 *)
resources:
  Resources:
    JobsQueue:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: \${self:service}-jobs
        VisibilityTimeout: 60
        RedrivePolicy:
          deadLetterTargetArn: !GetAtt JobsDlq.Arn
          maxReceiveCount: 3
    JobsDlq:
      Type: AWS::SQS::Queue
`;

  test('every function and event maps to a Nimbus function and trigger, shown in the reading', async () => {
    const reading = await read({ 'serverless.yml': SERVICE });
    assert.ok(reading);
    assert.equal(reading.format, 'lambda');
    assert.equal(reading.source, 'serverless.yml');
    assert.equal(reading.appName, 'shop');
    assert.deepEqual(reading.unsupported, []);
    assert.deepEqual(reading.mapped.map((m) => [m.name, m.from, m.to]), [
      ['hello_world_http', 'hello-world: httpApi GET /items/{id}', 'http GET /items/:id (payload 2.0)'],
      ['hello_world_http_2', 'hello-world: http ANY /admin/{proxy+}', 'http * /admin/* (API key) (payload 1.0)'],
      ['hello_world_schedule', 'hello-world: schedule rate(5 minutes)', 'timer */5 * * * * (UTC) with input'],
      ['worker_sqs', 'worker: sqs shop-jobs', 'queue shop-jobs (batch 25, 3 attempts, dead letters to jobsdlq, partial failures)'],
      ['worker_sqs_2', 'worker: sqs Other_Queue', 'queue other_queue (from Other_Queue) (batch 10)'],
      ['worker_s3', 'worker: s3 shop-uploads (prefix incoming/)', 'blob shop-uploads incoming/{key**} (deleted)'],
      ['legacy', 'legacy: (no events)', 'http (direct invoke, POST /fn/<app>/legacy)'],
      ['nightly_schedule', 'nightly: schedule cron(15 3 ? * MON-FRI *)', 'timer 15 3 * * MON-FRI (UTC)'],
      ['nightly_schedule_2', 'nightly: schedule cron(0 12 ? * 2#1 *)', 'timer 0 12 * * 1#1 (UTC)'],
    ]);
  });

  test('settings: provider defaults under function settings, environment merged, variables resolved, Lambda runtime variables set', async () => {
    const reading = (await read({ 'serverless.yml': SERVICE }))!;
    const hello = settingsOf(reading.entrySource, 'hello_world_http');
    assert.equal(hello['memoryMb'], 256);
    assert.equal(hello['timeoutMs'], 20_000);
    assert.equal(hello['maxInstances'], 5, 'reservedConcurrency');
    assert.equal(hello['origin'], 'lambda');
    assert.equal(hello['route'], 'GET /items/:id');
    assert.equal(hello['auth'], 'anonymous');
    assert.deepEqual(hello['env'], {
      AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'eu-central-1', AWS_LAMBDA_FUNCTION_NAME: 'shop-prod-hello-world',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256', AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/shop-prod-hello-world',
      TABLE: 'shop-prod-orders', FROM_ENV: 'fallback', ONLY_HERE: 'yes',
    });
    assert.equal(settingsOf(reading.entrySource, 'hello_world_http_2')['auth'], 'key', 'private: true needs an API key');
    const worker = settingsOf(reading.entrySource, 'worker_sqs');
    assert.deepEqual(
      { queue: worker['queue'], batchSize: worker['batchSize'], maxBatchWaitMs: worker['maxBatchWaitMs'], maxAttempts: worker['maxAttempts'], deadLetterQueue: worker['deadLetterQueue'], visibilityTimeoutMs: worker['visibilityTimeoutMs'], memoryMb: worker['memoryMb'], timeoutMs: worker['timeoutMs'] },
      { queue: 'shop-jobs', batchSize: 25, maxBatchWaitMs: 2000, maxAttempts: 3, deadLetterQueue: 'jobsdlq', visibilityTimeoutMs: 60_000, memoryMb: 512, timeoutMs: 20_000 },
    );
    const uploads = settingsOf(reading.entrySource, 'worker_s3');
    assert.deepEqual([uploads['bucket'], uploads['path'], uploads['events']], ['shop-uploads', 'incoming/{key**}', ['deleted']]);
    assert.deepEqual([settingsOf(reading.entrySource, 'nightly_schedule')['cron'], settingsOf(reading.entrySource, 'nightly_schedule')['timezone']], ['15 3 * * MON-FRI', 'UTC']);
    assert.match(reading.entrySource, /import \* as __module\d from "\.\/src\/handler\.ts";/);
    assert.match(reading.entrySource, /import \* as __module\d from "\.\/legacy\.cjs";/);
    assert.match(reading.entrySource, /__lambda\.sqs\(__fn1\$handler, __fn1\$info, \{"reportBatchItemFailures":true\}\)/);
  });

  test('what Nimbus has no equivalent for is listed with the reason; the rest still maps', async () => {
    const reading = (await read({ 'serverless.yml': `
service: odd
provider:
  name: aws
  vpc:
    securityGroupIds: [sg-1]
  httpApi:
    cors: true
functions:
  f:
    handler: src/handler.hello
    layers: [arn:aws:lambda:us-east-1:1:layer:x:1]
    memorySize: 10240
    environment:
      SECRET: \${ssm:/shop/secret}
    events:
      - websocket: $connect
      - sns: topic
      - alb: { listenerArn: x, priority: 1, conditions: { path: /x } }
      - stream: arn:aws:dynamodb:x
      - httpApi: { method: get, path: /secure, authorizer: { name: jwt } }
      - schedule: rate(7 minutes)
      - schedule: cron(0 12 * * ? 2027)
      - sqs: { arn: !GetAtt Fifo.Arn }
      - s3: { bucket: b-ucket, event: 's3:ObjectCreated:Copy' }
      - httpApi: GET /ok
resources:
  Resources:
    Fifo:
      Type: AWS::SQS::Queue
      Properties:
        QueueName: orders.fifo
        FifoQueue: true
` }))!;
    const reasons = Object.fromEntries(reading.unsupported.map((u) => [u.what, u.reason]));
    assert.match(reasons['provider.vpc']!, /no VPC/);
    assert.match(reasons['provider.httpApi.cors']!, /CORS/);
    assert.match(reasons['functions.f.layers']!, /layers/);
    assert.match(reasons['functions.f.environment.SECRET']!, /\$\{ssm:\/shop\/secret\} cannot be resolved/);
    assert.match(reasons['functions.f memory 10240 MB']!, /64–8192 MiB/);
    assert.match(reasons['functions.f.events[0] (websocket)']!, /WebSocket/);
    assert.match(reasons['functions.f.events[1] (sns)']!, /pub\/sub/);
    assert.match(reasons['functions.f.events[2] (alb)']!, /Load Balancer/);
    assert.match(reasons['functions.f.events[3] (stream)']!, /streams/);
    assert.match(reasons['functions.f.events[4] (httpApi)']!, /authorizers/);
    assert.match(reasons['functions.f.events[5] (schedule)']!, /rate\(7 minutes\).*divides 60/);
    assert.match(reasons['functions.f.events[6] (schedule)']!, /year field "2027"/);
    assert.match(reasons['functions.f.events[7] (sqs)']!, /FifoQueue/);
    assert.match(reasons['functions.f.events[8] (s3)']!, /ObjectCreated:Copy.*PUT/);
    assert.equal(reading.unsupported.length, 14, JSON.stringify(reading.unsupported, null, 1));
    assert.deepEqual(reading.mapped.map((m) => m.to), ['queue orders.fifo (batch 10)', 'http GET /ok (payload 2.0)'], 'what maps is still mapped');
  });

  test('malformed files: a CliError naming the file and the problem', async () => {
    await readFails({ 'serverless.yml': 'service: x\nfunctions: [1, 2\n' }, /^serverless\.yml: .*at line 3/);
    await readFails({ 'serverless.yml': 'service: x\nservice: y\n' }, /^serverless\.yml: Map keys must be unique/);
    await readFails({ 'serverless.yml': '- a\n- b\n' }, /^serverless\.yml: expected a YAML mapping/);
    await readFails({ 'serverless.yml': 'provider: { name: aws }\n' }, /^serverless\.yml: "service" \(the service name\) is missing/);
    await readFails({ 'serverless.yml': 'service: x\nfunctions: [a]\n' }, /^serverless\.yml: "functions" must be a mapping/);
    await readFails({ 'serverless.yml': 'service: x\nfunctions:\n  f:\n    handler: nodot\n' }, /functions\.f\.handler must be "path\/to\/file\.exportName"/);
    await readFails({ 'serverless.yml': 'service: x\nfunctions:\n  f:\n    handler: src/missing.fn\n' }, /functions\.f\.handler "src\/missing\.fn": no src\/missing\.ts, src\/missing\.mjs, src\/missing\.js, src\/missing\.cjs in the app folder/);
    await readFails({ 'serverless.yml': 'service: x\nfunctions:\n  f:\n    handler: src/handler.hello\n    events:\n      - { httpApi: GET /a, http: GET b }\n' }, /events\[0\] must be a mapping with one event type/);
    await readFails({ 'serverless.yml': 'service: x\nfunctions:\n  f:\n    handler: src/handler.hello\n    memorySize: lots\n' }, /functions\.f\.memorySize must be a number/);
    await readFails({ 'serverless.yml': 'service: x\nprovider: { name: google }\n' }, /only aws functions/);
  });

  test('serverless.yaml is found too; a folder without a description is not Lambda', async () => {
    assert.equal((await read({ 'serverless.yaml': 'service: y\nfunctions: {}\n' }))?.source, 'serverless.yaml');
    assert.equal(await read({}), undefined);
  });
});

describe('SAM template.yaml', () => {
  const TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: staging
Globals:
  Function:
    Runtime: nodejs20.x
    MemorySize: 256
    Timeout: 15
    Environment:
      Variables:
        STAGE: !Ref Stage
        SHARED: everywhere
Resources:
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: handler.hello
      ReservedConcurrentExecutions: 3
      Environment:
        Variables:
          TABLE: !Sub '\${AWS::StackName}-\${Stage}-table'
      Events:
        GetItem:
          Type: HttpApi
          Properties:
            Path: /items/{id}
            Method: get
        Legacy:
          Type: Api
          Properties:
            Path: /v1/{proxy+}
            Method: ANY
            Auth:
              ApiKeyRequired: true
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: worker.handler
      Timeout: 60
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt JobsQueue.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
            ScalingConfig:
              MaximumConcurrency: 4
        Uploads:
          Type: S3
          Properties:
            Bucket: !Ref UploadsBucket
            Events: [s3:ObjectCreated:*, s3:ObjectRemoved:*]
            Filter:
              S3Key:
                Rules:
                  - Name: suffix
                    Value: .png
        Hourly:
          Type: Schedule
          Properties:
            Schedule: rate(1 hour)
            Input: '{"from": "schedule"}'
        Off:
          Type: Schedule
          Properties:
            Schedule: rate(1 day)
            Enabled: false
        Topic:
          Type: SNS
          Properties:
            Topic: arn:aws:sns:x
  JobsQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt JobsDlq.Arn
        maxReceiveCount: 4
  JobsDlq:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '\${AWS::StackName}-dlq'
  UploadsBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: sam-uploads
  Python:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
`;

  test('functions, events, Globals, parameters and intrinsics map as serverless.yml does', async () => {
    const dir = await makeTempDir({ 'src/handler.ts': HANDLERS['src/handler.ts'], 'src/worker.mjs': HANDLERS['src/worker.mjs'], 'template.yaml': TEMPLATE }, 'sam-app-');
    try {
      const reading = (await readAppFormat(dir.path, 'lambda'))!;
      const stack = dir.path.split('/').pop()!;
      assert.equal(reading.source, 'template.yaml');
      assert.equal(reading.appName, undefined, 'SAM names no service: the folder (or --app) names the app');
      assert.deepEqual(reading.mapped.map((m) => [m.name, m.from, m.to]), [
        ['ApiFunction_http', 'ApiFunction: httpApi GET /items/{id}', 'http GET /items/:id (payload 2.0)'],
        ['ApiFunction_http_2', 'ApiFunction: http ANY /v1/{proxy+}', 'http * /v1/* (API key) (payload 1.0)'],
        ['Worker_sqs', 'Worker: sqs JobsQueue', 'queue jobsqueue (from JobsQueue) (batch 5, 4 attempts, dead letters to ' + `${stack.toLowerCase()}-dlq, partial failures)`],
        ['Worker_s3', 'Worker: s3 sam-uploads (suffix .png)', 'blob sam-uploads {key**}.png (created, updated, deleted)'],
        ['Worker_schedule', 'Worker: schedule rate(1 hour)', 'timer 0 * * * * (UTC) with input'],
      ]);
      assert.deepEqual(reading.unsupported.map((u) => u.what), ['Resources.Worker.Properties.Events.Topic (SNS)', 'Resources.Python.Properties.Runtime']);
      const api = settingsOf(reading.entrySource, 'ApiFunction_http');
      assert.deepEqual([api['memoryMb'], api['timeoutMs'], api['maxInstances']], [256, 15_000, 3]);
      const env = api['env'] as Record<string, string>;
      assert.deepEqual([env['STAGE'], env['SHARED'], env['TABLE'], env['AWS_LAMBDA_FUNCTION_NAME']], ['staging', 'everywhere', `${stack}-staging-table`, `${stack}-ApiFunction`]);
      const worker = settingsOf(reading.entrySource, 'Worker_sqs');
      assert.deepEqual([worker['timeoutMs'], worker['maxConcurrency'], worker['batchSize']], [60_000, 4, 5]);
      assert.match(reading.entrySource, /__lambda\.schedule\(__fn1\$handler, __fn1\$info, \{"ruleName":"[^"]+-Worker-Hourly","input":\{"from":"schedule"\}\}\)/);
      assert.match(reading.entrySource, /"\.\/src\/worker\.mjs"/);
    } finally {
      await dir.remove();
    }
  });

  test('template.yml is found; a template that is not SAM, or malformed, is refused naming the file', async () => {
    assert.equal((await read({ 'template.yml': 'Transform: AWS::Serverless-2016-10-31\nResources: {}\n' }))?.source, 'template.yml');
    await readFails({ 'template.yaml': 'Resources: {}\n' }, /^template\.yaml: not a SAM template/);
    await readFails({ 'template.yaml': 'Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: nodot\n' }, /Resources\.F\.Properties\.Handler must be "file\.exportName"/);
    await readFails({ 'template.yaml': 'Transform: AWS::Serverless-2016-10-31\nResources: !Ref [unclosed\n' }, /^template\.yaml: /);
  });
});

describe('schedule expressions', () => {
  const cases: [string, string][] = [
    ['rate(1 minute)', '* * * * *'],
    ['rate(5 minutes)', '*/5 * * * *'],
    ['rate(120 minutes)', '0 */2 * * *'],
    ['rate(1 hour)', '0 * * * *'],
    ['rate(6 hours)', '0 */6 * * *'],
    ['rate(1 day)', '0 0 * * *'],
    ['cron(0 12 * * ? *)', '0 12 * * *'],
    ['cron(15 10 ? * 6L *)', '15 10 * * 5L'],
    ['cron(0/10 * ? * MON-FRI *)', '0-59/10 * * * MON-FRI'],
    ['cron(0 8/4 ? * 2/2 *)', '0 8-23/4 * * 1-6/2'],
    ['cron(0 8 1 * ? *)', '0 8 1 * *'],
    ['cron(0 18 ? * 1,7 *)', '0 18 * * 0,6'],
    ['cron(0 9 ? * 2-6 *)', '0 9 * * 1-5'],
    ['cron(0 0 L * ? *)', '0 0 L * *'],
  ];
  for (const [expression, cron] of cases) test(`${expression} → ${cron}`, () => assert.deepEqual(translateSchedule(expression), { cron }));

  test('what has no clock-aligned cron, a year, or another form is unsupported with the reason', () => {
    assert.match((translateSchedule('rate(7 minutes)') as { unsupported: string }).unsupported, /no clock-aligned cron/);
    assert.match((translateSchedule('rate(5 hours)') as { unsupported: string }).unsupported, /divides 24/);
    assert.match((translateSchedule('rate(2 days)') as { unsupported: string }).unsupported, /months differ/);
    assert.match((translateSchedule('cron(0 12 * * ? 2026-2030)') as { unsupported: string }).unsupported, /year field "2026-2030"/);
    assert.match((translateSchedule('cron(0 12 * *)') as { unsupported: string }).unsupported, /six fields/);
    assert.match((translateSchedule('at(2026-01-01T00:00:00)') as { unsupported: string }).unsupported, /neither rate/);
    assert.match((translateSchedule('rate(3 weeks)') as { unsupported: string }).unsupported, /unknown unit/);
  });
});

describe('API Gateway paths as Nimbus routes', () => {
  test('parameters, greedy parameters and names that are not identifiers', () => {
    assert.deepEqual(translateRoute('GET', '/items/{id}'), { route: 'GET /items/:id', pathParameterNames: { id: 'id' } });
    assert.deepEqual(translateRoute('*', '/files/{proxy+}'), { route: '* /files/*', pathParameterNames: { '*': 'proxy' } });
    assert.deepEqual(translateRoute('POST', '/u/{user-id}/{2nd}'), { route: 'POST /u/:user_id/:p_2nd', pathParameterNames: { user_id: 'user-id', p_2nd: '2nd' } });
    assert.deepEqual(translateRoute('*', '$default'), { route: '* /*', pathParameterNames: {} });
  });

  test('what Nimbus routes cannot match is unsupported with the reason', () => {
    assert.match((translateRoute('GET', '/a/{p+}/b') as { unsupported: string }).unsupported, /greedy parameter must end/);
    assert.match((translateRoute('GET', '/files/{name}.json') as { unsupported: string }).unsupported, /mixes a parameter with text/);
    assert.match((translateRoute('GET', '/_nimbus/x') as { unsupported: string }).unsupported, /reserved by Nimbus/);
  });
});

describe('values resolved before a stack exists', () => {
  test('serverless variables: nested, with fallbacks, from the deploying environment', async () => {
    process.env['NIMBUS_LAMBDA_READER_TEST'] = 'from-shell';
    try {
      const reading = (await read({ 'serverless.yml': `
service: vars
custom:
  tables:
    dev: dev-table
provider:
  name: aws
  environment:
    NESTED: \${self:custom.tables.\${opt:stage}}
    QUOTED: \${opt:nope, 'a, b'}
    NUMBER: \${opt:nope, 42}
    SHELL: \${env:NIMBUS_LAMBDA_READER_TEST}
    REGION: \${aws:region}-\${sls:stage}
    SELF_CHAIN: \${self:provider.environment.REGION}
functions:
  f:
    handler: src/handler.hello
` }))!;
      assert.deepEqual(reading.unsupported, []);
      const env = settingsOf(reading.entrySource, 'f')['env'] as Record<string, string>;
      assert.deepEqual([env['NESTED'], env['QUOTED'], env['NUMBER'], env['SHELL'], env['REGION'], env['SELF_CHAIN']], ['dev-table', 'a, b', '42', 'from-shell', 'us-east-1-dev', 'us-east-1-dev']);
    } finally {
      delete process.env['NIMBUS_LAMBDA_READER_TEST'];
    }
  });

  test('CloudFormation intrinsics: Sub with a literal and its own variables, Join, GetAtt of a queue; the rest unsupported', async () => {
    const reading = (await read({ 'template.yaml': `
Transform: AWS::Serverless-2016-10-31
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Handler: handler.hello
      Environment:
        Variables:
          LITERAL: !Sub 'keep \${!This} \${AWS::Region}'
          OWN: !Sub ['\${Name}-x', { Name: own }]
          JOINED: !Join [':', [a, !Ref AWS::Partition, !GetAtt Q.QueueName]]
          ARN: !GetAtt Q.Arn
          IMPORTED: !ImportValue shared-value
          TABLE: !GetAtt Table.Arn
  Table:
    Type: AWS::DynamoDB::Table
` }))!;
    const env = settingsOf(reading.entrySource, 'F')['env'] as Record<string, string>;
    assert.deepEqual([env['LITERAL'], env['OWN'], env['JOINED'], env['ARN']], ['keep ${This} us-east-1', 'own-x', 'a:aws:jobs', 'arn:aws:sqs:us-east-1:123456789012:jobs']);
    assert.deepEqual(reading.unsupported.map((u) => [u.what, u.reason]), [
      ['Resources.F.Properties.Environment.Variables.IMPORTED', 'Fn::ImportValue is known only once CloudFormation deploys the stack'],
      ['Resources.F.Properties.Environment.Variables.TABLE', 'Fn::GetAtt Table.Arn is known only once CloudFormation deploys the stack'],
    ]);
  });
});
