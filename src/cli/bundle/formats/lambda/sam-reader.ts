import { posix } from 'node:path';
import { CliError } from '../../../cli-error.js';
import type { UnsupportedItem } from '../app-format.js';
import { resolveString, type TemplateScope } from './cfn-values.js';
import { blobEventsOf, nimbusQueueName, queueResourceSettings, sqsNameOf } from './event-sources.js';
import { isNodeRuntime, isRecord, type LambdaEventSpec, type LambdaFunctionSpec, type LambdaService } from './lambda-model.js';

/** CloudFormation's defaults for AWS::Serverless::Function. */
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_TIMEOUT_SECONDS = 3;
/** SAM names the implicit REST API's stage Prod. */
const DEFAULT_STAGE = 'Prod';

const FUNCTION_KEYS = new Set(['Handler', 'CodeUri', 'Runtime', 'MemorySize', 'Timeout', 'Environment', 'ReservedConcurrentExecutions', 'ProvisionedConcurrencyConfig', 'AutoPublishAlias', 'FunctionName', 'Events']);
const IGNORED_FUNCTION_KEYS = new Set(['Description', 'Tags', 'Role', 'Policies', 'PermissionsBoundary', 'Architectures', 'Tracing', 'PackageType', 'LoggingConfig', 'RuntimeManagementConfig', 'VersionDescription']);
const FUNCTION_UNSUPPORTED: Record<string, string> = {
  VpcConfig: 'Nimbus instances run on the node\'s own network; there is no VPC to attach to',
  Layers: 'Lambda layers are not read: bundle the code the layer holds with the function instead',
  KmsKeyArn: 'Nimbus keeps no KMS keys',
  DeadLetterQueue: 'the asynchronous-invocation dead-letter target is not available',
  EventInvokeConfig: 'asynchronous invocation settings are not available',
  FileSystemConfigs: 'EFS mounts are not available',
  EphemeralStorage: 'Nimbus instances have no separate /tmp size setting',
  FunctionUrlConfig: 'function URLs are not read: give the function an HttpApi event instead',
  ImageUri: 'container images are not run: Nimbus runs the Node.js code in the folder',
  InlineCode: 'inline code is not read: put the handler in a file',
  SnapStart: 'SnapStart is a Java feature',
};
const EVENT_REASONS: Record<string, string> = {
  SNS: 'Nimbus has no pub/sub topics: send to a Nimbus queue and consume it with an SQS event',
  Kinesis: 'Kinesis streams are not available',
  DynamoDB: 'DynamoDB streams are not available',
  MSK: 'Kafka event sources are not available',
  SelfManagedKafka: 'Kafka event sources are not available',
  MQ: 'Amazon MQ event sources are not available',
  EventBridgeRule: 'only scheduled rules have a Nimbus equivalent (timers): event patterns and buses do not',
  CloudWatchEvent: 'only scheduled rules have a Nimbus equivalent (timers)',
  CloudWatchLogs: 'CloudWatch Logs subscriptions are not available',
  IoTRule: 'AWS IoT rules are not available',
  AlexaSkill: 'Alexa triggers are not available',
  Cognito: 'Cognito triggers are not available',
  ScheduleV2: 'EventBridge Scheduler schedules are not read: use a Schedule event',
  DocumentDB: 'DocumentDB streams are not available',
};

/** Reads a SAM template (already parsed) into the shared shape. */
export function readSam(source: string, document: Record<string, unknown>, stackName: string): LambdaService {
  if (typeof document['Transform'] === 'string' ? !document['Transform'].startsWith('AWS::Serverless') : !(Array.isArray(document['Transform']) && document['Transform'].some((t) => String(t).startsWith('AWS::Serverless')))) {
    throw new CliError(`${source}: not a SAM template (Transform: AWS::Serverless-2016-10-31 is missing)`);
  }
  const resources = document['Resources'];
  if (!isRecord(resources)) throw new CliError(`${source}: "Resources" must be a mapping`);
  const unsupported: UnsupportedItem[] = [];
  const region = 'us-east-1';
  const scope: TemplateScope = { region, stackName, parameters: isRecord(document['Parameters']) ? document['Parameters'] : {}, resources };
  const globals = isRecord(document['Globals']) && isRecord(document['Globals']['Function']) ? document['Globals']['Function'] : {};
  const globalApi = isRecord(document['Globals']) && isRecord(document['Globals']['Api']) ? document['Globals']['Api'] : {};
  const binaryMediaTypes = Array.isArray(globalApi['BinaryMediaTypes']) ? globalApi['BinaryMediaTypes'].map((t) => String(t).replace('~1', '/')) : [];

  const specs: LambdaFunctionSpec[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isRecord(resource)) throw new CliError(`${source}: Resources.${logicalId} must be a mapping`);
    const where = `Resources.${logicalId}`;
    if (resource['Type'] === 'AWS::Lambda::Function') {
      unsupported.push({ what: where, reason: 'plain AWS::Lambda::Function resources are not read: describe the function as AWS::Serverless::Function' });
      continue;
    }
    if (resource['Type'] !== 'AWS::Serverless::Function') continue;
    const own = isRecord(resource['Properties']) ? resource['Properties'] : {};
    const properties = mergeGlobals(globals, own);
    for (const name of Object.keys(properties)) {
      if (FUNCTION_KEYS.has(name) || IGNORED_FUNCTION_KEYS.has(name)) continue;
      unsupported.push({ what: `${where}.Properties.${name}`, reason: FUNCTION_UNSUPPORTED[name] ?? 'not a setting Nimbus has an equivalent for' });
    }
    if (properties['ImageUri'] !== undefined || properties['PackageType'] === 'Image' || properties['InlineCode'] !== undefined) continue;
    if (!isNodeRuntime(properties['Runtime'])) {
      unsupported.push({ what: `${where}.Properties.Runtime`, reason: `"${String(properties['Runtime'])}": Nimbus runs Node.js functions only` });
      continue;
    }
    const handler = properties['Handler'];
    if (typeof handler !== 'string' || !handler.includes('.')) throw new CliError(`${source}: ${where}.Properties.Handler must be "file.exportName"`);
    const codeUri = properties['CodeUri'] ?? '.';
    if (typeof codeUri !== 'string' || /^s3:\/\//.test(codeUri)) {
      unsupported.push({ what: `${where}.Properties.CodeUri`, reason: 'code in S3 is not read: CodeUri must be a folder beside the template' });
      continue;
    }
    const name = properties['FunctionName'] === undefined ? undefined : resolveString(properties['FunctionName'], scope);
    const spec: LambdaFunctionSpec = {
      key: logicalId,
      where,
      functionName: name && 'value' in name ? name.value : `${stackName}-${logicalId}`,
      handler: posix.join(codeUri.replace(/\\/g, '/'), handler),
      handlerWhere: `${where}.Properties.Handler`,
      memoryMb: numberOf(properties['MemorySize'], DEFAULT_MEMORY_MB, `${where}.Properties.MemorySize`, source, scope),
      timeoutSeconds: numberOf(properties['Timeout'], DEFAULT_TIMEOUT_SECONDS, `${where}.Properties.Timeout`, source, scope),
      env: environmentOf(properties['Environment'], `${where}.Properties.Environment.Variables`, scope, unsupported),
      events: [],
    };
    if (properties['ReservedConcurrentExecutions'] !== undefined) spec.reservedConcurrency = numberOf(properties['ReservedConcurrentExecutions'], 0, `${where}.Properties.ReservedConcurrentExecutions`, source, scope);
    const provisioned = properties['ProvisionedConcurrencyConfig'];
    if (isRecord(provisioned) && provisioned['ProvisionedConcurrentExecutions'] !== undefined) {
      spec.provisionedConcurrency = numberOf(provisioned['ProvisionedConcurrentExecutions'], 0, `${where}.Properties.ProvisionedConcurrencyConfig`, source, scope);
    }
    const events = properties['Events'] ?? {};
    if (!isRecord(events)) throw new CliError(`${source}: ${where}.Properties.Events must be a mapping`);
    for (const [eventId, event] of Object.entries(events)) {
      const eventWhere = `${where}.Properties.Events.${eventId}`;
      if (!isRecord(event) || typeof event['Type'] !== 'string') throw new CliError(`${source}: ${eventWhere} must have a Type`);
      const type = event['Type'];
      const props = isRecord(event['Properties']) ? event['Properties'] : {};
      const read = readEvent(type, props, `${eventWhere} (${type})`, { source, scope, functionName: spec.functionName, eventId });
      if ('reason' in read) unsupported.push({ what: `${eventWhere} (${type})`, reason: read.reason });
      else spec.events.push(...read.events);
      if ('also' in read) for (const reason of read.also ?? []) unsupported.push({ what: `${eventWhere} (${type})`, reason });
    }
    specs.push(spec);
  }
  return { source, region, stage: DEFAULT_STAGE, functions: specs, unsupported, binaryMediaTypes };
}

/** Globals.Function under the function's own properties: maps merge (Environment.Variables), the rest is overridden. */
function mergeGlobals(globals: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...globals };
  for (const [key, value] of Object.entries(own)) {
    const base = merged[key];
    merged[key] = isRecord(base) && isRecord(value) ? mergeGlobals(base, value) : value;
  }
  return merged;
}

interface EventScope {
  source: string;
  scope: TemplateScope;
  functionName: string;
  eventId: string;
}

type EventReading = { events: LambdaEventSpec[]; also?: string[] } | { reason: string };

function readEvent(type: string, props: Record<string, unknown>, where: string, ctx: EventScope): EventReading {
  switch (type) {
    case 'HttpApi': {
      if (props['Auth'] !== undefined) return { reason: 'Auth (JWT, Lambda, IAM authorizers) is not available: Nimbus routes take API keys' };
      const payload = props['PayloadFormatVersion'] === '1.0' ? '1.0' : '2.0';
      if (props['Path'] === undefined && props['Method'] === undefined) return { events: [{ kind: 'httpApi', method: '*', path: '$default', payload, privateKey: false, where }] };
      const method = methodOf(props['Method'] ?? 'ANY');
      if (typeof props['Path'] !== 'string' || method === undefined) throw new CliError(`${ctx.source}: ${where} needs Path and Method`);
      return { events: [{ kind: 'httpApi', method, path: props['Path'], payload, privateKey: false, where }] };
    }
    case 'Api': {
      const auth = props['Auth'];
      const method = methodOf(props['Method']);
      if (typeof props['Path'] !== 'string' || method === undefined) throw new CliError(`${ctx.source}: ${where} needs Path and Method`);
      const privateKey = isRecord(auth) && auth['ApiKeyRequired'] === true;
      if (isRecord(auth) && Object.keys(auth).some((k) => k !== 'ApiKeyRequired')) return { reason: 'Auth authorizers (Cognito, Lambda, IAM) are not available: Nimbus routes take API keys (ApiKeyRequired)' };
      return { events: [{ kind: 'rest', method, path: props['Path'], privateKey, where }] };
    }
    case 'SQS': {
      if (props['Enabled'] === false) return { events: [] };
      if (props['FilterCriteria'] !== undefined) return { reason: 'FilterCriteria: Nimbus queue triggers take every message' };
      const named = sqsNameOf(props['Queue'], ctx.scope);
      if ('unresolved' in named) return { reason: `Queue: ${named.unresolved}` };
      const settings = queueResourceSettings(named.name, ctx.scope);
      const responseTypes = Array.isArray(props['FunctionResponseTypes']) ? props['FunctionResponseTypes'] : [];
      const event: LambdaEventSpec = { kind: 'sqs', queue: nimbusQueueName(named.name), sqsName: named.name, where, reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures') };
      if (props['BatchSize'] !== undefined) event.batchSize = Number(props['BatchSize']);
      if (props['MaximumBatchingWindowInSeconds'] !== undefined) event.maxBatchWaitMs = Number(props['MaximumBatchingWindowInSeconds']) * 1000;
      const scaling = props['ScalingConfig'];
      if (isRecord(scaling) && scaling['MaximumConcurrency'] !== undefined) event.maxConcurrency = Number(scaling['MaximumConcurrency']);
      if (settings.maxAttempts !== undefined) event.maxAttempts = settings.maxAttempts;
      if (settings.deadLetterQueue !== undefined) event.deadLetterQueue = settings.deadLetterQueue;
      if (settings.visibilityTimeoutMs !== undefined) event.visibilityTimeoutMs = settings.visibilityTimeoutMs;
      return { events: [event], also: settings.unsupported };
    }
    case 'S3': {
      const bucket = resolveString(props['Bucket'], ctx.scope);
      if ('unresolved' in bucket) return { reason: `Bucket: ${bucket.unresolved}` };
      const names = (Array.isArray(props['Events']) ? props['Events'] : [props['Events'] ?? 's3:ObjectCreated:*']).map(String);
      const { events, unsupported } = blobEventsOf(names);
      if (events.length === 0) return { reason: unsupported.join('; ') };
      let prefix = '';
      let suffix = '';
      const filter = isRecord(props['Filter']) && isRecord(props['Filter']['S3Key']) ? props['Filter']['S3Key']['Rules'] : undefined;
      for (const rule of Array.isArray(filter) ? filter : []) {
        if (!isRecord(rule)) continue;
        const name = String(rule['Name']).toLowerCase();
        if (name === 'prefix') prefix = String(rule['Value']);
        if (name === 'suffix') suffix = String(rule['Value']);
      }
      return { events: [{ kind: 's3', bucket: bucket.value, events, prefix, suffix, where }], also: unsupported };
    }
    case 'Schedule': {
      if (props['Enabled'] === false || props['State'] === 'DISABLED') return { events: [] };
      if (typeof props['Schedule'] !== 'string') throw new CliError(`${ctx.source}: ${where} needs Schedule: "rate(5 minutes)" or "cron(0 12 * * ? *)"`);
      let input: unknown;
      if (props['Input'] !== undefined) {
        try {
          input = typeof props['Input'] === 'string' ? JSON.parse(props['Input']) : props['Input'];
        } catch {
          throw new CliError(`${ctx.source}: ${where}.Input must be JSON text`);
        }
      }
      const ruleName = typeof props['Name'] === 'string' ? props['Name'] : `${ctx.functionName}-${ctx.eventId}`;
      return { events: [{ kind: 'schedule', expression: props['Schedule'], ruleName, where, ...(input !== undefined ? { input } : {}) }] };
    }
    default:
      return { reason: EVENT_REASONS[type] ?? `"${type}" events have no Nimbus trigger` };
  }
}

function methodOf(method: unknown): string | undefined {
  if (typeof method !== 'string') return undefined;
  const upper = method.toUpperCase();
  return upper === 'ANY' || upper === '*' ? '*' : upper;
}

function environmentOf(value: unknown, where: string, scope: TemplateScope, unsupported: UnsupportedItem[]): Record<string, string> {
  const variables = isRecord(value) ? value['Variables'] : undefined;
  if (!isRecord(variables)) return {};
  const env: Record<string, string> = {};
  for (const [name, raw] of Object.entries(variables)) {
    const resolved = resolveString(raw, scope);
    if ('value' in resolved) env[name] = resolved.value;
    else unsupported.push({ what: `${where}.${name}`, reason: resolved.unresolved });
  }
  return env;
}

function numberOf(value: unknown, fallback: number, where: string, source: string, scope: TemplateScope): number {
  if (value === undefined || value === null) return fallback;
  const resolved = resolveString(value, scope);
  const n = 'value' in resolved && resolved.value.trim() !== '' ? Number(resolved.value) : NaN;
  if (!Number.isFinite(n)) throw new CliError(`${source}: ${where} must be a number, not ${JSON.stringify(value)}`);
  return n;
}
