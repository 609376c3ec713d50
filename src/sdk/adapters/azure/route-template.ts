/**
 * Azure HTTP route templates (ASP.NET Core's syntax, as the Functions host
 * reads them): `products/{category:alpha}/{id:int?}`, `files/{*path}`,
 * `items/{page=1}`. Each becomes a Nimbus route path plus a check the
 * handler's wrapper runs: literal segments and required parameters map onto
 * Nimbus segments and `:params`; the trailing optional parameters and a
 * catch-all become the route's `*` rest, split back into parameters here;
 * constraints are checked here, and a request that breaks one is not a match
 * (404), as on Azure.
 */
export class RouteTemplateError extends Error {
  constructor(readonly template: string, why: string) {
    super(`route ${JSON.stringify(template)}: ${why}`);
    this.name = 'RouteTemplateError';
  }
}

type Check = (value: string) => boolean;

interface TemplateParam {
  name: string;
  checks: Check[];
  optional: boolean;
  catchAll: boolean;
  defaultValue?: string;
}

export interface AzureRoute {
  /** The Nimbus path, `/api/products/:category/*`. */
  path: string;
  /** The constraints named in the template, for the deploy output: `id:int`. */
  constraints: string[];
  /** Azure's params from the Nimbus ones (a `*` rest split back), or null when the request does not match the template. */
  match(nimbusParams: Readonly<Record<string, string>>): Record<string, string> | null;
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LITERAL = /^[A-Za-z0-9._~!$&'()+,;=@-]+$/;

/** `prefix` is host.json's `extensions.http.routePrefix` ('' allowed). */
export function parseRouteTemplate(template: string, prefix: string): AzureRoute {
  const fail = (why: string): never => {
    throw new RouteTemplateError(template, why);
  };
  const parts = [...splitPath(prefix), ...splitPath(template)];
  const segments: string[] = [];
  const fixed: TemplateParam[] = [];
  const trailing: TemplateParam[] = [];
  const constraints: string[] = [];
  parts.forEach((part, i) => {
    if (!part.includes('{') && !part.includes('}')) {
      if (trailing.length > 0) fail(`the literal segment "${part}" follows an optional parameter`);
      if (!LITERAL.test(part)) fail(`the segment "${part}" has characters a Nimbus route cannot hold`);
      segments.push(part);
      return;
    }
    const param = parseParam(part, fail);
    constraints.push(...param.names.map((c) => `${param.param.name}:${c}`));
    const { param: p } = param;
    if (p.catchAll && i !== parts.length - 1) fail(`the catch-all {*${p.name}} must end the route`);
    if (p.optional || p.catchAll) {
      trailing.push(p);
      return;
    }
    if (trailing.length > 0) fail(`the required parameter {${p.name}} follows an optional one`);
    fixed.push(p);
    segments.push(`:${p.name}`);
  });
  const names = [...fixed, ...trailing].map((p) => p.name.toLowerCase());
  if (new Set(names).size !== names.length) fail('a parameter is named twice');
  if (trailing.length > 0) segments.push('*');
  return {
    path: `/${segments.join('/')}`,
    constraints,
    match: (nimbusParams) => matchParams(nimbusParams, fixed, trailing),
  };
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '');
}

function matchParams(nimbusParams: Readonly<Record<string, string>>, fixed: TemplateParam[], trailing: TemplateParam[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (const p of fixed) {
    const value = nimbusParams[p.name];
    if (value === undefined || !p.checks.every((check) => check(value))) return null;
    params[p.name] = value;
  }
  if (trailing.length === 0) return params;
  const rest = splitPath(nimbusParams['*'] ?? '');
  const decoded: string[] = [];
  for (const part of rest) {
    try {
      decoded.push(decodeURIComponent(part));
    } catch {
      return null;
    }
  }
  for (let i = 0; i < trailing.length; i++) {
    const p = trailing[i]!;
    const value = p.catchAll ? (decoded.length > i ? decoded.slice(i).join('/') : undefined) : decoded[i];
    if (value === undefined) {
      if (p.defaultValue !== undefined) params[p.name] = p.defaultValue;
      continue;
    }
    if (!p.checks.every((check) => check(value))) return null;
    params[p.name] = value;
  }
  const last = trailing[trailing.length - 1]!;
  if (!last.catchAll && decoded.length > trailing.length) return null;
  return params;
}

/** `{name}`, `{name:int}`, `{name:int?}`, `{name=default}`, `{*name}`, `{**name}`; several constraints chain with `:`. */
function parseParam(segment: string, fail: (why: string) => never): { param: TemplateParam; names: string[] } {
  if (!segment.startsWith('{') || !segment.endsWith('}') || segment.indexOf('{', 1) >= 0) {
    return fail(`the segment "${segment}" mixes a parameter with other text, which Nimbus routes cannot express (one parameter per segment)`);
  }
  let body = segment.slice(1, -1);
  const catchAll = body.startsWith('*');
  body = body.replace(/^\*{1,2}/, '');
  const nameEnd = body.search(/[:=?]|$/);
  const name = body.slice(0, nameEnd);
  if (!PARAM_NAME.test(name)) fail(`the parameter name "${name}" must be letters, digits and _`);
  let rest = body.slice(nameEnd);
  const checks: Check[] = [];
  const names: string[] = [];
  while (rest.startsWith(':')) {
    const { text, after } = takeConstraint(rest.slice(1), fail);
    checks.push(constraintCheck(text, fail));
    names.push(text);
    rest = after;
  }
  let optional = false;
  let defaultValue: string | undefined;
  if (rest === '?') optional = true;
  else if (rest.startsWith('=')) {
    optional = true;
    defaultValue = rest.slice(1);
  } else if (rest !== '') fail(`cannot read "${segment}"`);
  return { param: { name, checks, optional, catchAll, ...(defaultValue === undefined ? {} : { defaultValue }) }, names };
}

/** One constraint, `int` or `regex(^a:b$)`: its arguments may hold `:` inside their parentheses. */
function takeConstraint(text: string, fail: (why: string) => never): { text: string; after: string } {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && (ch === ':' || ch === '?' || ch === '=')) return { text: text.slice(0, i), after: text.slice(i) };
  }
  if (depth !== 0) fail(`unbalanced parentheses in "${text}"`);
  return { text, after: '' };
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GUID = /^[{(]?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}[)}]?$/i;
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** ASP.NET Core's route constraints (the ones the Functions host honours). */
function constraintCheck(text: string, fail: (why: string) => never): Check {
  const m = /^([a-zA-Z]+)(?:\((.*)\))?$/s.exec(text);
  if (!m) return fail(`cannot read the constraint "${text}"`);
  const kind = m[1]!.toLowerCase();
  const arg = m[2];
  const numbers = (count: number): number[] => {
    const values = (arg ?? '').split(',').map((v) => Number(v.trim()));
    if (values.length !== count || values.some((v) => !Number.isFinite(v))) fail(`the constraint "${text}" needs ${count} number(s)`);
    return values;
  };
  const isInteger = (v: string): boolean => INTEGER.test(v);
  switch (kind) {
    case 'int':
      return (v) => isInteger(v) && Number(v) >= INT32.min && Number(v) <= INT32.max;
    case 'long':
      return isInteger;
    case 'float': case 'double': case 'decimal':
      return (v) => DECIMAL.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => GUID.test(v);
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'required':
      return (v) => v !== '';
    case 'min': {
      const [min] = numbers(1) as [number];
      return (v) => isInteger(v) && Number(v) >= min;
    }
    case 'max': {
      const [max] = numbers(1) as [number];
      return (v) => isInteger(v) && Number(v) <= max;
    }
    case 'range': {
      const [min, max] = numbers(2) as [number, number];
      return (v) => isInteger(v) && Number(v) >= min && Number(v) <= max;
    }
    case 'length': {
      const bounds = (arg ?? '').includes(',') ? numbers(2) : numbers(1);
      const [min, max] = bounds.length === 2 ? (bounds as [number, number]) : [bounds[0]!, bounds[0]!];
      return (v) => v.length >= min && v.length <= max;
    }
    case 'minlength': {
      const [min] = numbers(1) as [number];
      return (v) => v.length >= min;
    }
    case 'maxlength': {
      const [max] = numbers(1) as [number];
      return (v) => v.length <= max;
    }
    case 'regex': {
      if (arg === undefined) return fail('regex() needs a pattern');
      let pattern: RegExp;
      try {
        // .NET matches route regexes ignoring case; anchors are the template's to give.
        pattern = new RegExp(arg, 'i');
      } catch (err) {
        return fail(`the constraint "${text}" is not a JavaScript regular expression (${(err as Error).message})`);
      }
      return (v) => pattern.test(v);
    }
    default:
      return fail(`the constraint "${kind}" is not one ASP.NET Core routing defines`);
  }
}
