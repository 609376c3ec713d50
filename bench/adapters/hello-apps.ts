/**
 * The same hello function three ways: native, as an AWS Lambda handler behind
 * an API Gateway HTTP API (payload 2.0) route, and as a Cloudflare Workers
 * module. Each answers `GET /<prefix>/hello/<name>` with `{"hello":"<name>"}`.
 * Every function runs on the platform's defaults, at the same size (128 MiB).
 */
export interface HelloApp {
  label: string;
  app: string;
  files: Record<string, string>;
  path: string;
}

export const NATIVE_HELLO: HelloApp = {
  label: 'native Nimbus function',
  app: 'hello-native',
  path: '/native/hello/bench',
  files: {
    'index.ts': [
      "import { http } from 'nimbus-functions';",
      "export const hello = http({ route: 'GET /native/hello/:name' }, (_req, ctx) => Response.json({ hello: ctx.params['name'] }));",
    ].join('\n'),
  },
};

export const LAMBDA_HELLO: HelloApp = {
  label: 'AWS Lambda handler (HTTP API, payload 2.0)',
  app: 'hello-lambda',
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

export const HELLO_APPS: readonly HelloApp[] = [NATIVE_HELLO, LAMBDA_HELLO, WORKERS_HELLO];
