import { appRoutes } from '../gateway/admin-routes/apps.js';
import { nodeRoutes } from '../gateway/admin-routes/node.js';
import type { RouteOutput } from './api/route-call.js';
import { AdminTransport, type ConnectionSources } from './api/admin-transport.js';
import { CliError } from './cli-error.js';

/** Everything the admin API is reached under. */
export const ADMIN_API_PREFIX = '/_nimbus/api/v1';

/** The apps area's shapes, as its routes declare them (gateway/admin-routes/apps.ts). */
export type AppSummary = RouteOutput<typeof appRoutes.get>['app'];
export type FunctionSummary = AppSummary['functions'][number];
export type NextRun = NonNullable<FunctionSummary['next']>;
/** `durationMs` is absent when the CLI skipped an upload the live version already had. */
export type DeployResult = Omit<RouteOutput<typeof appRoutes.deploy>, 'durationMs'> & { durationMs?: number };
export type DeployedFunction = DeployResult['functions'][number];
export type VersionSummary = RouteOutput<typeof appRoutes.versions>['versions'][number];
export type RollbackResult = RouteOutput<typeof appRoutes.rollback>;
/** One node of the cluster, as `GET /nodes` returns it (times: epoch ms on the store's clock). */
export type NodeSummary = RouteOutput<typeof nodeRoutes.nodes>['nodes'][number];

export interface InvokeRequest {
  /** The HTTP method the function sees (sent as the `x-nimbus-method` header); default POST. */
  method?: string;
  body?: string | Uint8Array;
  contentType?: string;
}

/** The admin API answered with an error: `{error: {code, message}}`. */
export class AdminApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

/** Header that carries the method an `invoke` presents to the function (the admin call itself is always POST). */
export const INVOKE_METHOD_HEADER = 'x-nimbus-method';

/**
 * A typed client for the admin API of one Nimbus node. Every failure becomes a
 * CliError with one readable line: the server's own message, or why the node
 * could not be reached.
 */
export class AdminClient {
  readonly #transport: AdminTransport;

  constructor(baseUrl: string, adminKey: string, sources?: ConnectionSources) {
    this.#transport = new AdminTransport(baseUrl, adminKey, sources);
  }

  /** The transport under this client, for the area clients in api/. */
  get transport(): AdminTransport {
    return this.#transport;
  }

  get baseUrl(): string {
    return this.#transport.baseUrl;
  }

  /** Any admin API GET, for commands whose area has no typed method here. */
  getJson<T>(path: string): Promise<T> {
    return this.#json<T>('GET', path);
  }

  async listApps(): Promise<AppSummary[]> {
    return (await this.#transport.call(appRoutes.list, {})).apps;
  }

  async listNodes(): Promise<NodeSummary[]> {
    return (await this.#transport.call(nodeRoutes.nodes, {})).nodes;
  }

  async getApp(app: string): Promise<AppSummary> {
    return (await this.#transport.call(appRoutes.get, { params: { app } })).app;
  }

  /** `createBudgets`: budgets the functions name that do not exist are created (with defaults) instead of refusing the deploy. */
  async deploy(app: string, upload: { bundle: string; sourceMap?: string }, options: { createBudgets?: boolean } = {}): Promise<DeployResult> {
    return this.#transport.call(appRoutes.deploy, { params: { app }, body: upload, ...(options.createBudgets ? { query: { createBudgets: 1 } } : {}) });
  }

  async listVersions(app: string): Promise<VersionSummary[]> {
    return (await this.#transport.call(appRoutes.versions, { params: { app } })).versions;
  }

  async rollback(app: string, to?: number): Promise<RollbackResult> {
    return this.#transport.call(appRoutes.rollback, { params: { app }, body: to === undefined ? {} : { to } });
  }

  async removeApp(app: string): Promise<void> {
    await this.#transport.call(appRoutes.remove, { params: { app } });
  }

  /** The function's own answer, as-is: error statuses are the caller's to judge. */
  async invoke(app: string, fn: string, request: InvokeRequest = {}): Promise<Response> {
    const headers: Record<string, string> = { [INVOKE_METHOD_HEADER]: request.method ?? 'POST' };
    if (request.contentType) headers['content-type'] = request.contentType;
    return this.#fetch('POST', `/apps/${enc(app)}/functions/${enc(fn)}/invoke`, headers, request.body);
  }

  #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.#transport.json<T>(method, path, body === undefined ? {} : { json: body });
  }

  #fetch(method: string, path: string, headers: Record<string, string>, body: string | Uint8Array | undefined): Promise<Response> {
    return this.#transport.send(method, path, { headers, ...(body !== undefined ? { body } : {}) });
  }
}

/** Reads `{error: {code, message}}` from an error answer; falls back to the status line. */
export async function adminApiError(response: Response): Promise<AdminApiError> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.message === 'string') {
      return new AdminApiError(response.status, typeof parsed.error.code === 'string' ? parsed.error.code : undefined, oneLine(parsed.error.message));
    }
  } catch {
    // Not JSON: a proxy or something that is not Nimbus answered.
  }
  const snippet = firstLine(text);
  return new AdminApiError(response.status, undefined, `the server answered ${response.status} ${response.statusText}${snippet ? `: ${snippet}` : ''}`);
}

const ERROR_SNIPPET_LENGTH = 200;
/** A stack frame: `at fn (file:line:col)` or `at file:line:col`. */
const STACK_FRAME = /^\s*at (?:.* \()?(.+?:\d+:\d+)\)?$/;

/**
 * A server message may carry a stack (a bundle that throws while loading):
 * the CLI prints one line, so keep its first line and where it was thrown —
 * the first frame outside Node's own modules.
 */
export function oneLine(message: string): string {
  const [first = '', ...rest] = message.split('\n');
  const thrownAt = rest.map((l) => STACK_FRAME.exec(l)?.[1]).find((loc) => loc !== undefined && !loc.startsWith('node:'));
  // The node names app files nimbus-app:///<app>/<path>; the user knows them as <path>.
  const shown = thrownAt?.replace(/^nimbus-app:\/\/\/[^/]+\//, '');
  return shown ? `${first.trim()} (at ${shown})` : first.trim();
}

export function firstLine(text: string): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.length > ERROR_SNIPPET_LENGTH ? `${line.slice(0, ERROR_SNIPPET_LENGTH)}…` : line;
}


function enc(segment: string): string {
  return encodeURIComponent(segment);
}
