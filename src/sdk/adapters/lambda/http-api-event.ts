import type { LambdaFunctionInfo } from './function-info.js';
import type { LambdaHttpRoute } from './http-route.js';
import { clfTime, isTextual, joinedByName, pathParametersOf, queryPairs, type RequestParts } from './http-request.js';

/**
 * API Gateway HTTP API, payload format 2.0, as documented in
 * docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export interface HttpApiEventV2 {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  pathParameters?: Record<string, string>;
  isBase64Encoded: boolean;
}

export function httpApiEvent(request: RequestParts, params: Readonly<Record<string, string>>, route: LambdaHttpRoute, info: LambdaFunctionInfo, requestId: string): HttpApiEventV2 {
  // Format 2.0 moves the Cookie header into `cookies`, one entry per cookie.
  const cookies: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    if (name === 'cookie') {
      for (const cookie of value.split(';')) if (cookie.trim() !== '') cookies.push(cookie.trim());
    } else {
      headers[name] = name in headers ? `${headers[name]},${value}` : value;
    }
  }
  const query = queryPairs(request.rawQueryString);
  const pathParameters = pathParametersOf(params, route.pathParameterNames);
  const textual = isTextual(request.contentType);
  const event: HttpApiEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query.length > 0 ? { queryStringParameters: joinedByName(query) } : {}),
    requestContext: {
      accountId: info.accountId,
      apiId: route.apiId,
      domainName: request.host,
      domainPrefix: request.host.split('.')[0]!.split(':')[0]!,
      http: { method: request.method, path: request.rawPath, protocol: 'HTTP/1.1', sourceIp: request.sourceIp, userAgent: request.userAgent },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: clfTime(request.receivedAt),
      timeEpoch: request.receivedAt.getTime(),
    },
    ...(request.body !== null ? { body: Buffer.from(request.body).toString(textual ? 'utf8' : 'base64') } : {}),
    ...(pathParameters ? { pathParameters } : {}),
    isBase64Encoded: request.body !== null && !textual,
  };
  return event;
}

/**
 * The HTTP answer for what a format 2.0 handler returned. An object with a
 * `statusCode` is a response (statusCode, headers, cookies → Set-Cookie,
 * body, isBase64Encoded); anything else is the body of a 200 JSON answer:
 * a string as it is, another value as JSON.
 */
export function httpApiResponse(result: unknown): Response {
  if (isObject(result) && 'statusCode' in result) {
    const status = Number(result['statusCode']);
    if (!Number.isInteger(status) || status < 100 || status > 599) return malformed();
    // Plain pairs, not a Headers object the Response would copy again: this runs on every request.
    // No prototype: a header named `__proto__` is a header like any other.
    const byName = Object.create(null) as Record<string, string>;
    const given = result['headers'];
    if (isObject(given)) for (const name of Object.keys(given)) {
      const value = given[name];
      if (value !== undefined && value !== null) byName[name.toLowerCase()] = String(value);
    }
    byName['content-type'] ??= 'application/json';
    const headers = Object.entries(byName);
    if (Array.isArray(result['cookies'])) for (const cookie of result['cookies']) headers.push(['set-cookie', String(cookie)]);
    return new Response(bodyOf(result['body'], result['isBase64Encoded'] === true, status), { status, headers });
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
}

type ResponseBody = ConstructorParameters<typeof Response>[0];

/** API Gateway answers `application/json` when the function named no content type. */
export function defaultContentType(headers: Headers): void {
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
}

/** A body, decoded from base64 when the handler said so; none for statuses that may not have one. */
export function bodyOf(body: unknown, base64: boolean, status: number): ResponseBody {
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return null;
  if (body === undefined || body === null) return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return base64 ? Buffer.from(text, 'base64') : text;
}

/** API Gateway's answer when the function's response is not one it can read. */
export function malformed(status = 500, message = 'Internal Server Error'): Response {
  return Response.json({ message }, { status });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
