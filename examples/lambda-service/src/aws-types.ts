// The few shapes this example uses, as @types/aws-lambda declares them (kept here so the example needs no install).
export interface Context {
  functionName: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface APIGatewayProxyEventV2 {
  routeKey: string;
  rawPath: string;
  cookies?: string[];
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
}

export interface APIGatewayProxyStructuredResultV2 {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}
