import { LOCAL_ACCOUNT_ID } from '../../../../sdk/adapters/lambda/function-info.js';
import { isRecord } from './lambda-model.js';

/**
 * CloudFormation values the way the readers need them: a string for a
 * setting, a queue or a bucket. Only what is known before a stack exists can
 * be resolved: literals, `Ref` of a parameter (its Default), of a pseudo
 * parameter or of a queue/bucket resource (its name), `Fn::GetAtt` of a
 * queue's Arn/QueueName, `Fn::Sub` and `Fn::Join` over those.
 */
export interface TemplateScope {
  region: string;
  stackName: string;
  parameters: Record<string, unknown>;
  resources: Record<string, unknown>;
}

export type Resolved = { value: string } | { unresolved: string };

export function resolveString(value: unknown, scope: TemplateScope): Resolved {
  if (typeof value === 'string') return { value };
  if (typeof value === 'number' || typeof value === 'boolean') return { value: String(value) };
  if (!isRecord(value)) return { unresolved: `${JSON.stringify(value)} is not a string` };
  const keys = Object.keys(value);
  if (keys.length !== 1) return { unresolved: `${JSON.stringify(value)} is not a string` };
  const fn = keys[0]!;
  const arg = value[fn];
  switch (fn) {
    case 'Ref':
      return typeof arg === 'string' ? resolveRef(arg, scope) : { unresolved: 'Ref takes a name' };
    case 'Fn::GetAtt': {
      const [resource, attribute] = Array.isArray(arg) ? arg : typeof arg === 'string' ? arg.split('.') : [];
      if (typeof resource !== 'string' || typeof attribute !== 'string') return { unresolved: 'Fn::GetAtt takes [resource, attribute]' };
      return resolveAttribute(resource, attribute, scope);
    }
    case 'Fn::Sub':
      return resolveSub(arg, scope);
    case 'Fn::Join': {
      if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(arg[1])) return { unresolved: 'Fn::Join takes [delimiter, [values]]' };
      const parts: string[] = [];
      for (const part of arg[1] as unknown[]) {
        const resolved = resolveString(part, scope);
        if ('unresolved' in resolved) return resolved;
        parts.push(resolved.value);
      }
      return { value: parts.join(arg[0]) };
    }
    default:
      return { unresolved: `${fn} is known only once CloudFormation deploys the stack` };
  }
}

const PSEUDO = (scope: TemplateScope): Record<string, string> => ({
  'AWS::Region': scope.region,
  'AWS::AccountId': LOCAL_ACCOUNT_ID,
  'AWS::StackName': scope.stackName,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
});

function resolveRef(name: string, scope: TemplateScope): Resolved {
  const pseudo = PSEUDO(scope)[name];
  if (pseudo !== undefined) return { value: pseudo };
  const parameter = scope.parameters[name];
  if (isRecord(parameter)) {
    if (parameter['Default'] === undefined) return { unresolved: `parameter ${name} has no Default` };
    return resolveString(parameter['Default'], scope);
  }
  const resource = scope.resources[name];
  if (isRecord(resource)) {
    // Ref of a queue is its URL and of a bucket its name; either way the name is what Nimbus needs.
    const name0 = resourceName(name, resource, scope);
    if (name0 !== undefined) return name0;
    return { unresolved: `Ref ${name} (${String(resource['Type'])}) is known only once CloudFormation deploys the stack` };
  }
  return { unresolved: `Ref ${name} names no parameter or resource of the template` };
}

function resolveAttribute(resource: string, attribute: string, scope: TemplateScope): Resolved {
  const found = scope.resources[resource];
  if (!isRecord(found)) return { unresolved: `Fn::GetAtt ${resource}.${attribute}: no resource ${resource} in the template` };
  const name = resourceName(resource, found, scope);
  if (name && 'value' in name && found['Type'] === 'AWS::SQS::Queue') {
    if (attribute === 'Arn') return { value: `arn:aws:sqs:${scope.region}:${LOCAL_ACCOUNT_ID}:${name.value}` };
    if (attribute === 'QueueName') return name;
  }
  if (name && 'value' in name && found['Type'] === 'AWS::S3::Bucket' && attribute === 'Arn') return { value: `arn:aws:s3:::${name.value}` };
  return { unresolved: `Fn::GetAtt ${resource}.${attribute} is known only once CloudFormation deploys the stack` };
}

/** A queue's `QueueName` or a bucket's `BucketName`, else its logical id (CloudFormation would generate one). */
function resourceName(logicalId: string, resource: Record<string, unknown>, scope: TemplateScope): Resolved | undefined {
  const properties = isRecord(resource['Properties']) ? resource['Properties'] : {};
  if (resource['Type'] === 'AWS::SQS::Queue') return properties['QueueName'] === undefined ? { value: logicalId } : resolveString(properties['QueueName'], scope);
  if (resource['Type'] === 'AWS::S3::Bucket') return properties['BucketName'] === undefined ? { value: logicalId } : resolveString(properties['BucketName'], scope);
  return undefined;
}

function resolveSub(arg: unknown, scope: TemplateScope): Resolved {
  const [template, variables] = Array.isArray(arg) ? [arg[0], isRecord(arg[1]) ? arg[1] : {}] : [arg, {}];
  if (typeof template !== 'string') return { unresolved: 'Fn::Sub takes a string' };
  let failure: string | undefined;
  const value = template.replace(/\$\{(!?)([^}]+)\}/g, (whole, literal: string, name: string) => {
    if (literal === '!') return `\${${name}}`;
    const own = (variables as Record<string, unknown>)[name];
    const resolved = own !== undefined ? resolveString(own, scope) : name.includes('.') ? resolveString({ 'Fn::GetAtt': name.split('.') }, scope) : resolveRef(name, scope);
    if ('unresolved' in resolved) {
      failure ??= resolved.unresolved;
      return whole;
    }
    return resolved.value;
  });
  return failure === undefined ? { value } : { unresolved: failure };
}
