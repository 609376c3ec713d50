import { isRecord } from './lambda-model.js';

/**
 * The Serverless Framework's `${...}` variables that can be resolved from the
 * file and the deploying shell: `self:` (a path in the file), `opt:stage` /
 * `opt:region` / `sls:stage` (the provider's, as no CLI options are passed),
 * `env:` (the environment of `nimbus deploy`, as `serverless deploy` reads its
 * own) and `aws:region` / `aws:accountId`, each with an optional fallback
 * (`${opt:stage, 'dev'}`). Others (ssm:, cf:, s3:, file()) need AWS or other
 * files: they are reported, left as written.
 */
export function resolveServerlessVariables(document: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>, onUnresolved: (where: string, variable: string) => void): Record<string, unknown> {
  const provider = isRecord(document['provider']) ? document['provider'] : {};
  const plain = (value: unknown, fallback: string): string => (typeof value === 'string' && !value.includes('${') ? value : fallback);
  const stage = plain(provider['stage'], 'dev');
  const region = plain(provider['region'], 'us-east-1');

  const lookup = (source: string, depth: number): unknown => {
    const [kind, ...rest] = source.split(':');
    const arg = rest.join(':').trim();
    switch (kind!.trim()) {
      case 'self': {
        let node: unknown = document;
        for (const key of arg.split('.').filter((k) => k !== '')) node = isRecord(node) ? node[key] : undefined;
        return typeof node === 'string' ? expand(node, depth + 1, 'self') : node;
      }
      case 'opt':
        return arg === 'stage' ? stage : arg === 'region' ? region : undefined;
      case 'sls':
        return arg === 'stage' ? stage : undefined;
      case 'env':
        return env[arg];
      case 'aws':
        return arg === 'region' ? region : arg === 'accountId' ? '123456789012' : undefined;
      default:
        return undefined;
    }
  };

  /** One `${a, b}` body: the first source that resolves; a quoted or numeric fallback is itself. */
  const resolveBody = (body: string, depth: number): unknown => {
    for (const option of splitFallbacks(body)) {
      const quoted = /^(['"])(.*)\1$/.exec(option);
      if (quoted) return quoted[2];
      if (/^-?\d+(\.\d+)?$/.test(option)) return Number(option);
      if (!option.includes(':')) continue;
      const value = lookup(option, depth);
      if (value !== undefined && value !== null) return value;
    }
    return undefined;
  };

  const unresolved: string[] = [];
  const expand = (text: string, depth: number, where: string): unknown => {
    if (depth > 10) return text;
    let current = text;
    // Innermost first: `${self:custom.${opt:stage}}`.
    for (let round = 0; round < 10; round++) {
      const match = /\$\{([^${}]+)\}/.exec(current);
      if (!match) return current;
      const value = resolveBody(match[1]!, depth);
      if (value === undefined) {
        unresolved.push(match[0]);
        onUnresolved(where, match[0]);
        // Left as written, marked so the search moves past it.
        current = current.replace(match[0], `\u0000${match[1]}\u0001`);
        continue;
      }
      if (match[0] === current) return value;
      current = current.replace(match[0], typeof value === 'string' ? value : JSON.stringify(value));
    }
    return current;
  };

  const walk = (node: unknown, where: string): unknown => {
    if (typeof node === 'string') {
      const value = expand(node, 0, where);
      return typeof value === 'string' ? value.replace(/\u0000/g, '${').replace(/\u0001/g, '}') : value;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${where}[${i}]`));
    if (isRecord(node)) return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value, where === '' ? key : `${where}.${key}`)]));
    return node;
  };
  return walk(document, '') as Record<string, unknown>;
}

/** `opt:stage, 'dev'` → [`opt:stage`, `'dev'`]: commas inside quotes stay. */
function splitFallbacks(body: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const ch of body) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === ',') {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts;
}
