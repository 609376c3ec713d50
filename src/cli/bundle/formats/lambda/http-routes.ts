import { parseRoute } from '../../../../triggers/http/route.js';

/** An API Gateway path as a Nimbus route, with the names its parameters have on each side. */
export type TranslatedRoute = { route: string; pathParameterNames: Record<string, string> } | { unsupported: string };

/**
 * `/items/{id}` → `/items/:id`; a greedy `{proxy+}` (last segment only) →
 * `*`, whose value AWS gives as `pathParameters.proxy`. A parameter name
 * that is not an identifier gets one (`{user-id}` → `:user_id`); the event
 * still carries AWS's name. `$default` (HTTP API catch-all) is every path.
 */
export function translateRoute(method: string, path: string): TranslatedRoute {
  if (path === '$default') return { route: `${method} /*`, pathParameterNames: {} };
  const names: Record<string, string> = {};
  const segments = path.split('/').slice(1);
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const greedy = /^\{([^{}]+)\+\}$/.exec(segment);
    if (greedy) {
      if (i !== segments.length - 1) return { unsupported: `${path}: a greedy parameter must end the path` };
      names['*'] = greedy[1]!;
      out.push('*');
      continue;
    }
    const param = /^\{([^{}]+)\}$/.exec(segment);
    if (param) {
      let name = param[1]!.replace(/[^A-Za-z0-9_]/g, '_');
      if (!/^[A-Za-z_]/.test(name)) name = `p_${name}`;
      while (name in names) name = `${name}_`;
      names[name] = param[1]!;
      out.push(`:${name}`);
      continue;
    }
    if (/[{}]/.test(segment)) return { unsupported: `${path}: "${segment}" mixes a parameter with text, which Nimbus routes cannot match` };
    out.push(segment);
  }
  const route = `${method} /${out.join('/')}`;
  try {
    parseRoute(route);
  } catch (err) {
    return { unsupported: (err as Error).message };
  }
  return { route, pathParameterNames: names };
}
