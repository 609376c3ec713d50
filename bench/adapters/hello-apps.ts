/**
 * The same hello function three ways: native, as an AWS Lambda handler behind
 * an API Gateway HTTP API (payload 2.0) route, and as a Cloudflare Workers
 * module. Each answers `GET /<prefix>/hello/<name>` with `{"hello":"<name>"}`.
 * Every function runs at the same size (128 MiB) and, where its platform has
 * the setting, capped at one instance (Workers has none; at the bench's load
 * the platform gives it one anyway).
 */
export interface HelloApp {
  label: string;
  app: string;
  /** The Nimbus function the app's hello becomes. */
  functionName: string;
  files: Record<string, string>;
  path: string;
}

export const NATIVE_HELLO: HelloApp = {
  label: 'native Nimbus function',
  app: 'hello-native',
  functionName: 'hello',
  path: '/native/hello/bench',
  files: {
    'index.ts': [
      "import { http } from 'nimbus-functions';",
      "export const hello = http({ route: 'GET /native/hello/:name', maxInstances: 1 }, (_req, ctx) => Response.json({ hello: ctx.params['name'] }));",
    ].join('\n'),
  },
};

/** Native again, under another app: native against it shows how far apart two identical functions measure. */
export const NATIVE_HELLO_COPY: HelloApp = {
  label: 'native Nimbus function, an identical copy (A/A control)',
  app: 'hello-native-copy',
  functionName: 'hello',
  path: '/native-copy/hello/bench',
  files: { 'index.ts': NATIVE_HELLO.files['index.ts']!.replace('/native/hello/', '/native-copy/hello/') },
};

export const LAMBDA_HELLO: HelloApp = {
  label: 'AWS Lambda handler (HTTP API, payload 2.0)',
  app: 'hello-lambda',
  functionName: 'hello',
  path: '/lambda/hello/bench',
  files: {
    'serverless.yml': [
      'service: hello-lambda',
      'provider:',
      '  name: aws',
      '  runtime: nodejs20.x',
      // The native and Workers functions run at Nimbus's default 128 MiB; serverless's own default is 1024 MB.
      '  memorySize: 128',
      'functions:',
      '  hello:',
      '    handler: handler.hello',
      '    reservedConcurrency: 1',
      '    events:',
      "      - httpApi: 'GET /lambda/hello/{name}'",
    ].join('\n'),
    'handler.mjs': [
      'export const hello = async (event) => ({',
      '  statusCode: 200,',
      "  headers: { 'content-type': 'application/json' },",
      '  body: JSON.stringify({ hello: event.pathParameters.name }),',
      '});',
    ].join('\n'),
  },
};

export const WORKERS_HELLO: HelloApp = {
  label: 'Cloudflare Workers module (fetch)',
  app: 'hello-workers',
  functionName: 'fetch',
  path: '/workers/hello/bench',
  files: {
    'wrangler.toml': [
      'name = "hello-workers"',
      'main = "src/index.js"',
      'compatibility_date = "2024-09-23"',
      'routes = ["example.com/workers/hello/*"]',
    ].join('\n'),
    'src/index.js': [
      'export default {',
      '  async fetch(request) {',
      "    const name = new URL(request.url).pathname.split('/').pop();",
      '    return Response.json({ hello: name });',
      '  },',
      '};',
    ].join('\n'),
  },
};

/** The adapted ones, each measured against NATIVE_HELLO. */
export const ADAPTED_HELLOS: readonly HelloApp[] = [LAMBDA_HELLO, WORKERS_HELLO];
