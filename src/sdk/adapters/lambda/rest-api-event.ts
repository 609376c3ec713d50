import type { LambdaFunctionInfo } from './function-info.js';
import type { LambdaHttpRoute } from './http-route.js';
import { bodyOf, defaultContentType, isObject, malformed } from './http-api-event.js';
import { allByName, clfTime, isBinaryFor, lastByName, pathParametersOf, queryPairs, type RequestParts } from './http-request.js';

/**
 * API Gateway REST API Lambda proxy integration, payload format 1.0, as documented in
 * docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
export interface RestApiEventV1 {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string> | null;
  multiValueHeaders: Record<string, string[]> | null;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    extendedRequestId: string;
    httpMethod: string;
    identity: {
      accessKey: null; accountId: null; caller: null; cognitoAuthenticationProvider: null; cognitoAuthenticationType: null;
      cognitoIdentityId: null; cognitoIdentityPoolId: null; principalOrgId: null; sourceIp: string; user: null; userAgent: string; userArn: null;
    };
    path: string;
    protocol: string;
    requestId: string;
    requestTime: string;
    requestTimeEpoch: number;
    resourceId: string;
    resourcePath: string;
    stage: string;
  };
  body: string | null;
  isBase64Encoded: boolean;
}

export function restApiEvent(request: RequestParts, params: Readonly<Record<string, string>>, route: LambdaHttpRoute, info: LambdaFunctionInfo, requestId: string): RestApiEventV1 {
  const query = queryPairs(request.rawQueryString);
  const binary = request.body !== null && isBinaryFor(request.contentType, route.binaryMediaTypes ?? []);
  const headers = request.headers.length > 0 ? request.headers : null;
  return {
    resource: route.routeKey,
    path: request.rawPath,
    httpMethod: request.method,
    headers: headers && lastByName(headers),
    multiValueHeaders: headers && allByName(headers),
    queryStringParameters: query.length > 0 ? lastByName(query) : null,
    multiValueQueryStringParameters: query.length > 0 ? allByName(query) : null,
    pathParameters: pathParametersOf(params, route.pathParameterNames),
    stageVariables: null,
    requestContext: {
      accountId: info.accountId,
      apiId: route.apiId,
      domainName: request.host,
      domainPrefix: request.host.split('.')[0]!.split(':')[0]!,
      extendedRequestId: requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null,
        cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: request.sourceIp, user: null,
        userAgent: request.userAgent, userArn: null,
      },
      // The path as the client called it: behind the stage name, except on the `$default` stage, which has none.
      path: info.stage === '$default' ? request.rawPath : `/${info.stage}${request.rawPath}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: clfTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt.getTime(),
      resourceId: route.apiId,
      resourcePath: route.routeKey,
      stage: info.stage,
    },
    body: request.body === null ? null : Buffer.from(request.body).toString(binary ? 'base64' : 'utf8'),
    isBase64Encoded: binary,
  };
}

/** A proxy response with any other key is malformed to API Gateway. */
const RESPONSE_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/**
 * The HTTP answer for a proxy integration's response: `{ statusCode, headers,
 * multiValueHeaders, body, isBase64Encoded }`. Both header maps apply (a name in
 * both gets every value). Anything else (another shape, another key, a body that is not a string) is malformed: 502 `Internal server error`.
 */
export function restApiResponse(result: unknown): Response {
  if (!isObject(result) || Object.keys(result).some((key) => !RESPONSE_KEYS.has(key))) return malformed(502, 'Internal server error');
  const status = result['statusCode'] === undefined ? 200 : Number(result['statusCode']);
  if (!Number.isInteger(status) || status < 100 || status > 599) return malformed(502, 'Internal server error');
  if (result['body'] !== undefined && result['body'] !== null && typeof result['body'] !== 'string') return malformed(502, 'Internal server error');
  const headers = new Headers();
  if (isObject(result['headers'])) for (const [name, value] of Object.entries(result['headers'])) if (value !== undefined && value !== null) headers.set(name, String(value));
  if (isObject(result['multiValueHeaders'])) {
    for (const [name, values] of Object.entries(result['multiValueHeaders'])) {
      if (!Array.isArray(values)) continue;
      // A name in both maps: multiValueHeaders' values, then headers' if it differs (API Gateway merges them).
      const single = headers.get(name);
      headers.delete(name);
      for (const value of values) headers.append(name, String(value));
      if (single !== null && !values.map(String).includes(single)) headers.append(name, single);
    }
  }
  defaultContentType(headers);
  return new Response(bodyOf(result['body'], result['isBase64Encoded'] === true, status), { status, headers });
}
