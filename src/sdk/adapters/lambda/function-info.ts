/**
 * What the generated entry tells the runtime about one Lambda function, from
 * its description: the names and numbers its `context` and events carry.
 */
export interface LambdaFunctionInfo {
  /** The function's deployed name as AWS would give it (`service-stage-fn`, or `name:`/`FunctionName`). */
  functionName: string;
  memoryLimitInMB: number;
  /** Lambda's own timeout, in seconds (the Nimbus function has the same one in timeoutMs). */
  timeoutSeconds: number;
  region: string;
  accountId: string;
  /** The API Gateway stage (serverless `stage`; SAM `Prod`). */
  stage: string;
}

/** Nimbus runs no AWS account: ARNs name this stand-in, as AWS's own local tools do. */
export const LOCAL_ACCOUNT_ID = '123456789012';

export function functionArn(info: LambdaFunctionInfo): string {
  return `arn:aws:lambda:${info.region}:${info.accountId}:function:${info.functionName}`;
}
