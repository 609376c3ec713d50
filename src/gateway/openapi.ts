import { z } from 'zod';
import type { AdminRoute } from './admin-route.js';

export const ADMIN_API_PREFIX = '/_nimbus/api/v1';

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', description: 'NIMBUS_ERR_… (docs/errors.md)' }, message: { type: 'string' } },
    },
  },
};

/** JSON Schema of a zod schema as the OpenAPI 3.1 document embeds it (no `$schema` key). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The OpenAPI 3.1 document of the admin API, generated from the routes the router serves. */
export function openApiDocument(routes: readonly AdminRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `${ADMIN_API_PREFIX}${route.path.replace(/:([A-Za-z]+)\*?/g, '{$1}')}`;
    const parameters = [
      ...[...route.path.matchAll(/:([A-Za-z]+)(\*?)/g)].map((m) => ({
        name: m[1], in: 'path', required: true, schema: { type: 'string' }, ...(m[2] ? { description: 'the rest of the path, slashes included' } : {}),
      })),
      ...Object.entries(route.query ?? {}).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } })),
    ];
    const statuses = route.statuses ?? [route.response === null ? 204 : 200];
    const responses: Record<string, unknown> = {};
    for (const status of statuses) {
      const content: Record<string, unknown> = {};
      if (route.response !== null) content['application/json'] = { schema: jsonSchemaOf(route.response, 'output') };
      if (route.alternative) content[route.alternative.contentType] = { schema: {}, description: route.alternative.description };
      responses[String(status)] = { description: route.alternative?.description ?? 'Success', ...(Object.keys(content).length ? { content } : {}) };
    }
    responses['default'] = { description: 'An error (see docs/errors.md)', content: { 'application/json': { schema: ERROR_SCHEMA } } };
    const requestBody = route.body
      ? { required: !route.body.safeParse(undefined).success, content: { 'application/json': { schema: jsonSchemaOf(route.body, 'input') } } }
      : route.rawBody
        ? { required: false, description: route.rawBody.description, content: { [route.rawBody.contentType]: { schema: {} } } }
        : undefined;
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: operationId(route),
      summary: route.summary,
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Nimbus admin API', version: '1' },
    components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer' } } },
    security: [{ adminKey: [] }],
    paths,
  };
}

/** `GET /apps/:app/versions` → `getAppsAppVersions`: stable, unique per method and path. */
function operationId(route: AdminRoute): string {
  const words = route.path.split(/[/:*-]+/).filter(Boolean);
  return route.method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}
