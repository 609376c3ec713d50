import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse, type Tags } from 'yaml';
import { CliError } from '../../../cli-error.js';

/**
 * CloudFormation's short-form tags, read as the long form they stand for
 * (`!Ref X` → `{ Ref: 'X' }`, `!GetAtt Q.Arn` → `{ 'Fn::GetAtt': ['Q', 'Arn'] }`),
 * in scalar, sequence and mapping form: serverless.yml `resources` and SAM
 * templates are written with them.
 */
const FUNCTIONS = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or'];

function cloudFormationTags(): Tags {
  const tags: Tags = [
    { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
    { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  ];
  for (const name of FUNCTIONS) {
    const key = `Fn::${name}`;
    tags.push(
      { tag: `!${name}`, resolve: (value: string) => ({ [key]: name === 'GetAtt' ? splitAttribute(value) : value }) },
      { tag: `!${name}`, collection: 'seq', resolve: (seq) => ({ [key]: seq.toJSON() }) },
      { tag: `!${name}`, collection: 'map', resolve: (map) => ({ [key]: map.toJSON() }) },
    );
  }
  return tags;
}

/** `Queue.Arn` → `['Queue', 'Arn']`; an attribute may hold dots itself (`Endpoint.Address`). */
function splitAttribute(value: string): string[] {
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

const TAGS = cloudFormationTags();

/** A YAML description, parsed; a CliError naming the file and the problem when it is not a YAML mapping. */
export async function readYamlFile(path: string): Promise<Record<string, unknown>> {
  const name = basename(path);
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = parse(text, { customTags: TAGS, prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? String(err);
    throw new CliError(`${name}: ${message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`${name}: expected a YAML mapping at the top level`);
  return value as Record<string, unknown>;
}
