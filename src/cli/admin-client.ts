import type { TriggerKind } from '../sdk/definition.js';
import { AdminTransport, type ConnectionSources } from './api/admin-transport.js';
import { CliError } from './cli-error.js';

/** Everything the admin API is reached under. */
export const ADMIN_API_PREFIX = '/_nimbus/api/v1';

/** A timer's next time: UTC, and local time with its offset in the timer's zone. */
export interface NextRun {
  utc: string;
  zoned: string;
  timezone: string;
}

export interface FunctionSummary {
  name: string;
  kind: TriggerKind;
  route: string | null;
  url: string | null;
  instances: number;
  /** The trigger's settings as the node validated them (route, queue, bucket and path, cron and zone…). */
  trigger?: Record<string, unknown>;
  /** A timer's next scheduled time; null for other kinds. */
  next?: NextRun | null;
}

export interface AppSummary {
  name: string;
  liveVersion: number;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  functions: FunctionSummary[];
}

export interface DeployedFunction {
  name: string;
  kind: TriggerKind;
  route: string | null;
  url: string | null;
  trigger?: Record<string, unknown>;
  next?: NextRun | null;
}

export interface DeployResult {
  app: string;
  version: number;
  /** True when the upload was the live version's own content: no new version was made. */
  unchanged?: boolean;
  functions: DeployedFunction[];
  /** The node's own time, from the whole upload received to the version live (ms). */
  durationMs?: number;
  /** Things the node could not check but did not refuse (an allow-listed host it could not resolve…). */
  warnings?: string[];
}

export interface VersionSummary {
  version: number;
  /** Epoch milliseconds. */
  createdAt: number;
  bundleHash: string;
  bundleSize: number;
  functions: string[];
  live: boolean;
}

/** One node of the cluster, as `GET /nodes` returns it (times: epoch ms on the store's clock). */
export interface NodeSummary {
  id: string;
  address: string;
  version: string;
  startedAt: number;
  lastHeartbeat: number;
  heartbeatAgeMs: number;
  state: 'alive' | 'dead' | 'stopped';
  instances: number;
  load: number;
}

export interface RollbackResult {
  app: string;
  liveVersion: number;
  previousVersion: number;
}

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
    return (await this.#json<{ apps: AppSummary[] }>('GET', '/apps')).apps;
  }

  async listNodes(): Promise<NodeSummary[]> {
    return (await this.#json<{ nodes: NodeSummary[] }>('GET', '/nodes')).nodes;
  }

  async getApp(app: string): Promise<AppSummary> {
    return (await this.#json<{ app: AppSummary }>('GET', `/apps/${enc(app)}`)).app;
  }

  async deploy(app: string, upload: { bundle: string; sourceMap?: string }): Promise<DeployResult> {
    return this.#json<DeployResult>('POST', `/apps/${enc(app)}/versions`, upload);
  }

  async listVersions(app: string): Promise<VersionSummary[]> {
    return (await this.#json<{ versions: VersionSummary[] }>('GET', `/apps/${enc(app)}/versions`)).versions;
  }

  async rollback(app: string, to?: number): Promise<RollbackResult> {
    return this.#json<RollbackResult>('POST', `/apps/${enc(app)}/rollback`, to === undefined ? {} : { to });
  }

  async removeApp(app: string): Promise<void> {
    await this.#json<{ removed: true }>('DELETE', `/apps/${enc(app)}`);
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
