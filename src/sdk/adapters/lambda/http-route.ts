/** How one API Gateway route maps to a Nimbus HTTP function (written by the reader into the entry). */
export interface LambdaHttpRoute {
  /** HTTP API: `GET /items/{id}` or `$default`; REST API: the resource path `/items/{id}`. */
  routeKey: string;
  /** Nimbus route parameter name → the AWS path parameter name (`*` → `proxy` for `{proxy+}`). */
  pathParameterNames: Record<string, string>;
  /** The API's id as events show it; Nimbus uses the app's service name. */
  apiId: string;
  /** REST API only: media types passed base64-encoded (`provider.apiGateway.binaryMediaTypes`). */
  binaryMediaTypes?: string[];
}
