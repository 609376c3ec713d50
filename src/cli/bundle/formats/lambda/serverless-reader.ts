import { CliError } from '../../../cli-error.js';
import type { UnsupportedItem } from '../app-format.js';
import { resolveString, type TemplateScope } from './cfn-values.js';
import { blobEventsOf, nimbusQueueName, queueResourceSettings, sqsNameOf } from './event-sources.js';
import { isNodeRuntime, isRecord, type LambdaEventSpec, type LambdaFunctionSpec, type LambdaService } from './lambda-model.js';
import { resolveServerlessVariables } from './serverless-variables.js';

/** The Serverless Framework's defaults (provider.memorySize, provider.timeout). */
const DEFAULT_MEMORY_MB = 1024;
const DEFAULT_TIMEOUT_SECONDS = 6;

/** Function keys Nimbus honours, and those that change nothing here (IAM, packaging, tags, logs). */
const FUNCTION_KEYS = new Set(['handler', 'events', 'environment', 'memorySize', 'timeout', 'reservedConcurrency', 'provisionedConcurrency', 'name', 'runtime']);
const IGNORED_FUNCTION_KEYS = new Set(['description', 'tags', 'role', 'package', 'iamRoleStatements', 'iamRoleStatementsName', 'logRetentionInDays', 'architecture', 'tracing', 'disableLogs', 'versionFunction', 'memorySizeMB']);
const PROVIDER_UNSUPPORTED: Record<string, string> = {
  vpc: 'Nimbus instances run on the node\'s own network; there is no VPC to attach to',
  layers: 'Lambda layers are not read: bundle the code the layer holds with the function instead',
  kmsKeyArn: 'Nimbus keeps no KMS keys: environment variables are stored as Nimbus stores settings',
};
const FUNCTION_UNSUPPORTED: Record<string, string> = {
  ...PROVIDER_UNSUPPORTED,
  destinations: 'asynchronous invocation destinations are not available (Nimbus retries and dead-letters queued work itself)',
  onError: 'the asynchronous-invocation dead-letter target is not available',
  url: 'function URLs are not read: give the function an httpApi event instead',
  image: 'container images are not run: Nimbus runs the Node.js code in the folder',
  fileSystemConfig: 'EFS mounts are not available',
  ephemeralStorageSize: 'Nimbus instances have no separate /tmp size setting',
  snapStart: 'SnapStart is a Java feature',
  maximumRetryAttempts: 'asynchronous-invocation retries are not configurable per function',
  maximumEventAge: 'asynchronous-invocation event age is not configurable',
};

/** Reads a serverless.yml (already parsed) into the shared shape. */
export function readServerless(source: string, raw: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): LambdaService {
  const unsupported: UnsupportedItem[] = [];
  const document = resolveServerlessVariables(raw, env, (where, variable) => {
    unsupported.push({ what: where, reason: `the variable ${variable} cannot be resolved outside the Serverless Framework and AWS` });
  });
  const provider = isRecord(document['provider']) ? document['provider'] : {};
  if (provider['name'] !== undefined && provider['name'] !== 'aws') throw new CliError(`${source}: provider.name is "${String(provider['name'])}"; only aws functions can be read`);
  const service = isRecord(document['service']) ? document['service']['name'] : document['service'];
  if (typeof service !== 'string' || service === '') throw new CliError(`${source}: "service" (the service name) is missing`);
  const stage = typeof provider['stage'] === 'string' ? provider['stage'] : 'dev';
  const region = typeof provider['region'] === 'string' ? provider['region'] : 'us-east-1';
  const resources = isRecord(document['resources']) && isRecord(document['resources']['Resources']) ? document['resources']['Resources'] : {};
  const scope: TemplateScope = { region, stackName: `${service}-${stage}`, parameters: {}, resources };

  for (const [key, reason] of Object.entries(PROVIDER_UNSUPPORTED)) if (provider[key] !== undefined) unsupported.push({ what: `provider.${key}`, reason });
  if (!isNodeRuntime(provider['runtime'])) unsupported.push({ what: 'provider.runtime', reason: `"${String(provider['runtime'])}": Nimbus runs Node.js functions only` });
  const httpApi = isRecord(provider['httpApi']) ? provider['httpApi'] : {};
  if (httpApi['cors'] !== undefined && httpApi['cors'] !== false) unsupported.push({ what: 'provider.httpApi.cors', reason: 'API Gateway answers CORS preflights itself; Nimbus routes do not: answer OPTIONS in the handler' });
  if (httpApi['authorizers'] !== undefined) unsupported.push({ what: 'provider.httpApi.authorizers', reason: 'JWT and Lambda authorizers are not available: Nimbus routes take API keys (auth: key)' });
  const apiGateway = isRecord(provider['apiGateway']) ? provider['apiGateway'] : {};
  const binaryMediaTypes = Array.isArray(apiGateway['binaryMediaTypes']) ? apiGateway['binaryMediaTypes'].map(String) : [];
  const httpApiPayload = httpApi['payload'] === '1.0' ? '1.0' : '2.0';

  const providerEnv = environmentOf(provider['environment'], 'provider.environment', scope, unsupported);
  const functions = document['functions'];
  if (functions !== undefined && !isRecord(functions)) throw new CliError(`${source}: "functions" must be a mapping of function names to definitions`);
  const specs: LambdaFunctionSpec[] = [];
  for (const [key, definition] of Object.entries(functions ?? {})) {
    const where = `functions.${key}`;
    if (!isRecord(definition)) throw new CliError(`${source}: ${where} must be a mapping`);
    if (typeof definition['handler'] !== 'string' || !definition['handler'].includes('.')) {
      if (definition['image'] !== undefined) {
        unsupported.push({ what: `${where}.image`, reason: FUNCTION_UNSUPPORTED['image']! });
        continue;
      }
      throw new CliError(`${source}: ${where}.handler must be "path/to/file.exportName"`);
    }
    for (const name of Object.keys(definition)) {
      if (FUNCTION_KEYS.has(name) || IGNORED_FUNCTION_KEYS.has(name)) continue;
      unsupported.push({ what: `${where}.${name}`, reason: FUNCTION_UNSUPPORTED[name] ?? 'not a setting Nimbus has an equivalent for' });
    }
    const runtime = definition['runtime'] ?? provider['runtime'];
    if (definition['runtime'] !== undefined && !isNodeRuntime(runtime)) unsupported.push({ what: `${where}.runtime`, reason: `"${String(runtime)}": Nimbus runs Node.js functions only` });
    const functionName = typeof definition['name'] === 'string' ? definition['name'] : `${service}-${stage}-${key}`;
    const spec: LambdaFunctionSpec = {
      key,
      where,
      functionName,
      handler: definition['handler'],
      handlerWhere: `${where}.handler`,
      memoryMb: numberSetting(definition['memorySize'] ?? provider['memorySize'], DEFAULT_MEMORY_MB, `${where}.memorySize`, source),
      timeoutSeconds: numberSetting(definition['timeout'] ?? provider['timeout'], DEFAULT_TIMEOUT_SECONDS, `${where}.timeout`, source),
      env: { ...providerEnv, ...environmentOf(definition['environment'], `${where}.environment`, scope, unsupported) },
      events: [],
    };
    if (definition['reservedConcurrency'] !== undefined) spec.reservedConcurrency = numberSetting(definition['reservedConcurrency'], 0, `${where}.reservedConcurrency`, source);
    if (definition['provisionedConcurrency'] !== undefined) spec.provisionedConcurrency = numberSetting(definition['provisionedConcurrency'], 0, `${where}.provisionedConcurrency`, source);
    const events = definition['events'] ?? [];
    if (!Array.isArray(events)) throw new CliError(`${source}: ${where}.events must be a list`);
    events.forEach((event, i) => {
      const eventWhere = `${where}.events[${i}]`;
      if (!isRecord(event) || Object.keys(event).length !== 1) throw new CliError(`${source}: ${eventWhere} must be a mapping with one event type, e.g. "httpApi: GET /hello"`);
      const [type, value] = Object.entries(event)[0]!;
      const read = readEvent(type, value, `${eventWhere} (${type})`, { source, scope, stage, httpApiPayload, functionName, index: i });
      if ('reason' in read) unsupported.push({ what: `${eventWhere} (${type})`, reason: read.reason });
      else spec.events.push(...read.events);
      if ('also' in read) for (const reason of read.also ?? []) unsupported.push({ what: `${eventWhere} (${type})`, reason });
    });
    specs.push(spec);
  }
  return { source, appName: service, region, stage, functions: specs, unsupported, binaryMediaTypes };
}

interface EventScope {
  source: string;
  scope: TemplateScope;
  stage: string;
  httpApiPayload: '1.0' | '2.0';
  functionName: string;
  index: number;
}

type EventReading = { events: LambdaEventSpec[]; also?: string[] } | { reason: string };

function readEvent(type: string, value: unknown, where: string, ctx: EventScope): EventReading {
  switch (type) {
    case 'httpApi':
      return readHttpApi(value, where, ctx);
    case 'http':
      return readRestApi(value, where, ctx);
    case 'sqs':
      return readSqs(value, where, ctx);
    case 's3':
      return readS3(value, where, ctx);
    case 'schedule':
      return readSchedule(value, where, ctx);
    default:
      return { reason: EVENT_REASONS[type] ?? `"${type}" events have no Nimbus trigger` };
  }
}

/** Why the event types Nimbus has no trigger for are left out. */
export const EVENT_REASONS: Record<string, string> = {
  websocket: 'Nimbus has no WebSocket trigger',
  alb: 'Application Load Balancer targets are not available: use an httpApi event (the node serves HTTP itself)',
  sns: 'Nimbus has no pub/sub topics: send to a Nimbus queue and consume it with an sqs event',
  stream: 'DynamoDB and Kinesis streams are not available',
  kafka: 'Kafka event sources are not available',
  msk: 'Kafka event sources are not available',
  activemq: 'Amazon MQ event sources are not available',
  rabbitmq: 'Amazon MQ event sources are not available',
  cognitoUserPool: 'Cognito triggers are not available',
  eventBridge: 'only scheduled EventBridge rules have a Nimbus equivalent (timers): event patterns and buses do not',
  cloudwatchEvent: 'only scheduled rules have a Nimbus equivalent (timers)',
  cloudwatchLog: 'CloudWatch Logs subscriptions are not available',
  iot: 'AWS IoT rules are not available',
  iotFleetProvisioning: 'AWS IoT is not available',
  alexaSkill: 'Alexa triggers are not available',
  alexaSmartHome: 'Alexa triggers are not available',
  cloudFront: 'Lambda@Edge is not available',
};

function httpMethod(method: unknown): string | undefined {
  if (typeof method !== 'string') return undefined;
  const upper = method.toUpperCase();
  return upper === 'ANY' || upper === '*' ? '*' : upper;
}

function readHttpApi(value: unknown, where: string, ctx: EventScope): EventReading {
  if (value === '*') return { events: [{ kind: 'httpApi', method: '*', path: '$default', payload: ctx.httpApiPayload, privateKey: false, where }] };
  let method: unknown;
  let path: unknown;
  const also: string[] = [];
  if (typeof value === 'string') {
    [method, path] = value.trim().split(/\s+/);
  } else if (isRecord(value)) {
    method = value['method'];
    path = value['path'];
    if (value['authorizer'] !== undefined) return { reason: 'authorizers (JWT, Lambda, IAM) are not available: Nimbus routes take API keys' };
  }
  const m = httpMethod(method);
  if (m === undefined || typeof path !== 'string') throw new CliError(`${ctx.source}: ${where} must be "METHOD /path" or { method, path }`);
  return { events: [{ kind: 'httpApi', method: m, path: path.startsWith('/') ? path : `/${path}`, payload: ctx.httpApiPayload, privateKey: false, where }], also };
}

function readRestApi(value: unknown, where: string, ctx: EventScope): EventReading {
  let method: unknown;
  let path: unknown;
  let privateKey = false;
  const also: string[] = [];
  if (typeof value === 'string') {
    [method, path] = value.trim().split(/\s+/);
  } else if (isRecord(value)) {
    method = value['method'];
    path = value['path'];
    privateKey = value['private'] === true;
    if (value['authorizer'] !== undefined) return { reason: 'authorizers (Cognito, Lambda, IAM) are not available: Nimbus routes take API keys (private: true)' };
    if (value['cors'] !== undefined && value['cors'] !== false) also.push('cors: API Gateway answers CORS preflights itself; Nimbus routes do not: answer OPTIONS in the handler');
    if (value['integration'] !== undefined && !/^lambda-proxy$|^aws_proxy$/i.test(String(value['integration']))) return { reason: `integration "${String(value['integration'])}": only the Lambda proxy integration is available` };
  }
  const m = httpMethod(method);
  if (m === undefined || typeof path !== 'string') throw new CliError(`${ctx.source}: ${where} must be "METHOD path" or { method, path }`);
  return { events: [{ kind: 'rest', method: m, path: `/${path.replace(/^\/+/, '')}`, privateKey, where }], also };
}

function readSqs(value: unknown, where: string, ctx: EventScope): EventReading {
  const options = isRecord(value) ? value : { arn: value };
  if (options['enabled'] === false) return { events: [] };
  if (options['filterPatterns'] !== undefined) return { reason: 'filterPatterns: Nimbus queue triggers take every message' };
  const named = sqsNameOf(options['arn'], ctx.scope);
  if ('unresolved' in named) return { reason: `arn: ${named.unresolved}` };
  const settings = queueResourceSettings(named.name, ctx.scope);
  const event: LambdaEventSpec = {
    kind: 'sqs', queue: nimbusQueueName(named.name), sqsName: named.name, where,
    reportBatchItemFailures: options['functionResponseType'] === 'ReportBatchItemFailures',
  };
  const also = [...settings.unsupported];
  if (options['batchSize'] !== undefined) event.batchSize = Number(options['batchSize']);
  if (options['maximumBatchingWindow'] !== undefined) event.maxBatchWaitMs = Number(options['maximumBatchingWindow']) * 1000;
  if (options['maximumConcurrency'] !== undefined) event.maxConcurrency = Number(options['maximumConcurrency']);
  if (settings.maxAttempts !== undefined) event.maxAttempts = settings.maxAttempts;
  if (settings.deadLetterQueue !== undefined) event.deadLetterQueue = settings.deadLetterQueue;
  if (settings.visibilityTimeoutMs !== undefined) event.visibilityTimeoutMs = settings.visibilityTimeoutMs;
  return { events: [event], also };
}

function readS3(value: unknown, where: string, ctx: EventScope): EventReading {
  const options = isRecord(value) ? value : { bucket: value };
  const bucket = resolveString(options['bucket'], ctx.scope);
  if ('unresolved' in bucket) return { reason: `bucket: ${bucket.unresolved}` };
  const names = options['event'] === undefined ? ['s3:ObjectCreated:*'] : [String(options['event'])];
  const { events, unsupported } = blobEventsOf(names);
  if (events.length === 0) return { reason: unsupported.join('; ') };
  let prefix = '';
  let suffix = '';
  for (const rule of Array.isArray(options['rules']) ? options['rules'] : []) {
    if (isRecord(rule) && typeof rule['prefix'] === 'string') prefix = rule['prefix'];
    if (isRecord(rule) && typeof rule['suffix'] === 'string') suffix = rule['suffix'];
  }
  return { events: [{ kind: 's3', bucket: bucket.value, events, prefix, suffix, where }], also: unsupported };
}

function readSchedule(value: unknown, where: string, ctx: EventScope): EventReading {
  const options = isRecord(value) ? value : { rate: value };
  if (options['enabled'] === false) return { events: [] };
  if (options['inputPath'] !== undefined || options['inputTransformer'] !== undefined) return { reason: 'inputPath and inputTransformer reshape events Nimbus does not have: use input (a constant event) or none' };
  const rates = Array.isArray(options['rate']) ? options['rate'] : [options['rate']];
  if (rates.some((r) => typeof r !== 'string')) throw new CliError(`${ctx.source}: ${where} needs a rate: "rate(5 minutes)" or "cron(0 12 * * ? *)"`);
  const ruleName = typeof options['name'] === 'string' ? options['name'] : `${ctx.functionName}-rule-${ctx.index + 1}`;
  return {
    events: (rates as string[]).map((expression) => ({
      kind: 'schedule' as const, expression, ruleName, where,
      ...(typeof options['timezone'] === 'string' ? { timezone: options['timezone'] } : {}),
      ...(options['input'] !== undefined ? { input: options['input'] } : {}),
    })),
  };
}

function environmentOf(value: unknown, where: string, scope: TemplateScope, unsupported: UnsupportedItem[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    unsupported.push({ what: where, reason: 'must be a mapping of names to values' });
    return {};
  }
  const env: Record<string, string> = {};
  for (const [name, raw] of Object.entries(value)) {
    const resolved = resolveString(raw, scope);
    if ('value' in resolved) env[name] = resolved.value;
    else unsupported.push({ what: `${where}.${name}`, reason: resolved.unresolved });
  }
  return env;
}

function numberSetting(value: unknown, fallback: number, where: string, source: string): number {
  if (value === undefined || value === null) return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new CliError(`${source}: ${where} must be a number, not ${JSON.stringify(value)}`);
  return n;
}
