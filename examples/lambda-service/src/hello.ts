import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from './aws-types.js';

export const handler = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  const name = event.pathParameters?.name ?? 'world';
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-request-id': context.awsRequestId },
    cookies: [`last-greeted=${name}; Path=/`],
    body: JSON.stringify({
      message: `${process.env.GREETING}, ${name}!`,
      stage: process.env.STAGE,
      routeKey: event.routeKey,
      query: event.queryStringParameters ?? {},
      cookies: event.cookies ?? [],
      functionName: context.functionName,
      memoryLimitInMB: context.memoryLimitInMB,
      remainingMs: context.getRemainingTimeInMillis(),
    }),
  };
};
