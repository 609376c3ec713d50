import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { adminApiRequirement, type Authorize } from '../auth/authorize.js';
import type { CredentialFilter } from '../auth/credential-filter.js';
import type { Dispatcher } from '../runtime/dispatcher.js';
import { NimbusError, type ErrorCode } from '../shared/errors.js';
import type { AdminRouter } from './admin-router.js';
import { ConsoleAssets } from './console-assets.js';
import type { FailureAudience } from './failure-audience.js';
import { handleFunctionRequest } from './function-handler.js';
import { functionPathMiss } from './function-path-miss.js';
import { sendError, sendJson } from './json.js';
import type { RouteMatch, RouteTable, RouteTarget } from './route-table.js';

export const DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024;
const ADMIN_PREFIX = '/_nimbus/api/v1';
/** Methods the Fetch standard forbids in a Request: a function could never be handed one. */
const UNCARRIED_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/** Extra entry points owned by other parts (metrics, async invocations). */
export interface GatewayExtensions {
  /** `/metrics`; `open` skips the admin key. */
  metrics?: { handle: (res: ServerResponse) => Promise<void>; open: boolean };
  /** Takes over an HTTP invocation that asked to run asynchronously (`x-nimbus-async: 1`). */
  invokeAsync?: (req: IncomingMessage, res: ServerResponse, target: RouteTarget) => Promise<void>;
}

/**
 * What `/_nimbus/health` answers (no key needed, so nothing secret in it).
 * `unhealthy` is 503: the node cannot do its job until someone acts (a lost
 * data folder). `degraded` is 200: reads work, some writes fail and will pass.
 */
export interface NodeHealth {
  status: 'ok' | 'degraded' | 'unhealthy';
  reason?: string;
  [detail: string]: unknown;
}

export interface GatewayDeps {
  dispatcher: Dispatcher;
  routes: RouteTable;
  admin: AdminRouter;
  authorize: Authorize;
  /** Takes callers' Nimbus credentials out of what functions see. */
  credentials: CredentialFilter;
  extensions: GatewayExtensions;
  onError: (error: Error) => void;
  /** The node's own view of its health; `ok` when absent. */
  health?: () => NodeHealth;
  /** Whether a load balancer should send this node traffic (it can reach its store); ready when absent. */
  ready?: () => NodeReadiness;
  /** The web console's files at `/_nimbus/console/`; not served when absent. */
  console?: ConsoleAssets;
  /** Who sees a failed function's own error message; nobody when absent. */
  failureAudience?: FailureAudience;
}

/** What `/_nimbus/ready` answers: 200 when ready, else 503 with the reason. */
export interface NodeReadiness {
  ready: boolean;
  reason?: string;
}

/**
 * The node's one HTTP listener: function routes, `/fn/<app>/<function>`,
 * the admin API and the storage API. Every error is a JSON body with a code.
 */
export class Gateway {
  readonly #server: Server;
  #closing = false;

  constructor(private readonly deps: GatewayDeps, private readonly maxBodyBytes = DEFAULT_MAX_BODY_BYTES) {
    this.#server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        const error = err instanceof NimbusError ? err : new NimbusError('NIMBUS_ERR_INTERNAL');
        if (!(err instanceof NimbusError)) deps.onError(err instanceof Error ? err : new Error(String(err)));
        // A refused body may still be arriving: close rather than read the rest of it to reuse the connection.
        sendError(res, error, req.complete ? {} : { connection: 'close' });
      });
    });
    this.#server.on('clientError', answerClientError);
    // Without a listener Node drops a CONNECT without a word: answer it like any refused method.
    this.#server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
      answerOnSocket(socket, new NimbusError('NIMBUS_ERR_METHOD_NOT_ALLOWED', 'CONNECT: this is not a proxy'));
    });
  }

  listen(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        const address = this.#server.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve(`http://${shownHost}:${address.port}`);
      });
    });
  }

  /** Stops accepting connections; requests already in flight finish. */
  async stopAccepting(): Promise<void> {
    this.#closing = true;
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
  }

  /** Drops whatever is still connected (after the drain deadline). */
  forceClose(): void {
    this.#server.closeAllConnections();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#closing) res.setHeader('connection', 'close');
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const method = req.method ?? 'GET';

    if (path.startsWith('/_nimbus/')) return this.#platform(req, res, method, path, rawUrl);
    if (path === '/metrics' && this.deps.extensions.metrics) {
      if (!this.deps.extensions.metrics.open) await this.deps.authorize(req.headers, this.#url(rawUrl), { kind: 'admin' });
      return this.deps.extensions.metrics.handle(res);
    }

    let match: RouteMatch | null;
    if (path.startsWith('/fn/')) {
      // /fn/<app>/<function>[/<rest>] reaches the function whatever the method; the rest carries its route's parameters.
      const [app, fn, ...rest] = path.slice(4).split('/');
      match = app && fn ? this.deps.routes.matchByName(app, fn, rest.join('/')) : null;
      if (!match) throw await this.#functionPathMiss(req, method, path, app, fn);
    } else {
      match = this.deps.routes.match(method, path);
      if (!match) {
        const allow = this.deps.routes.allowedMethods(path);
        if (allow.length > 0) throw new NimbusError('NIMBUS_ERR_METHOD_NOT_ALLOWED', `${method} ${path}: this route serves ${allow.join(', ')}`, { allow });
      }
    }
    if (!match) throw new NimbusError('NIMBUS_ERR_ROUTE_NOT_FOUND', `${method} ${path}`);
    const { target, params } = match;
    if (UNCARRIED_METHODS.has(method)) throw new NimbusError('NIMBUS_ERR_METHOD_NOT_ALLOWED', `${method}: a function's Request cannot carry it`);
    if (this.#closing) throw new NimbusError('NIMBUS_ERR_NODE_SHUTTING_DOWN');
    if (target.auth !== 'anonymous') {
      await this.deps.authorize(req.headers, this.#url(rawUrl), { kind: 'invoke', app: target.app, fn: target.functionName, level: target.auth });
    }
    if (req.headers['x-nimbus-async'] === '1' && this.deps.extensions.invokeAsync) {
      return this.deps.extensions.invokeAsync(req, res, target);
    }
    await handleFunctionRequest(req, res, this.deps.dispatcher, target, {
      params, maxBodyBytes: this.maxBodyBytes, credentials: this.deps.credentials, failureAudience: this.deps.failureAudience,
    });
  }

  /** The 404 for `/fn/...` that reached no HTTP function, saying which part of the path is wrong. */
  async #functionPathMiss(req: IncomingMessage, method: string, path: string, app: string | undefined, fn: string | undefined): Promise<NimbusError> {
    if (!app || !fn) return new NimbusError('NIMBUS_ERR_ROUTE_NOT_FOUND', `${method} ${path}: a function's own path is /fn/APP/FUNCTION`);
    const audience = this.deps.failureAudience;
    return functionPathMiss(this.deps.routes, { method, path, app, functionName: fn }, async () => (audience ? audience(req) : false));
  }

  async #platform(req: IncomingMessage, res: ServerResponse, method: string, path: string, rawUrl: string): Promise<void> {
    if (path === '/_nimbus/health') {
      if (this.#closing) return sendJson(res, 503, { status: 'shutting-down' });
      const health = this.deps.health?.() ?? { status: 'ok' };
      return sendJson(res, health.status === 'unhealthy' ? 503 : 200, health);
    }
    if (path === '/_nimbus/ready') {
      const readiness: NodeReadiness = this.#closing ? { ready: false, reason: 'shutting down' } : this.deps.ready?.() ?? { ready: true };
      return sendJson(res, readiness.ready ? 200 : 503, readiness);
    }
    if (this.deps.console && ConsoleAssets.owns(path)) return this.deps.console.serve(req, res, method, path);
    if (!path.startsWith(`${ADMIN_PREFIX}/`)) throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND', path);
    const sub = path.slice(ADMIN_PREFIX.length);
    if (sub === '/openapi.json') {
      sendJson(res, 200, this.deps.admin.openapi());
      return;
    }
    const url = this.#url(rawUrl);
    const match = this.deps.admin.match(method, sub);
    // Whether an endpoint exists is the admin's business too: authorize before saying 404 or 405.
    const routeRequirement = match === 'method'
      ? await this.deps.admin.otherMethodAuth(method, sub)
      : match?.route.auth ? await match.route.auth(match.params, { method, path: sub }) : { kind: 'admin' as const };
    const caller = await this.deps.authorize(req.headers, url, adminApiRequirement(method, routeRequirement));
    if (match === null) throw new NimbusError('NIMBUS_ERR_API_NOT_FOUND', `${method} ${path}`);
    if (match === 'method') throw new NimbusError('NIMBUS_ERR_METHOD_NOT_ALLOWED', `${method} ${path}`, { allow: this.deps.admin.allowedMethods(sub) });
    const result = await this.deps.admin.serve(match.route, { req, res, params: match.params, query: url.searchParams, path: sub, caller });
    if (!result) return;
    if (result.status === 204) {
      res.writeHead(204, result.headers);
      res.end();
      return;
    }
    sendJson(res, result.status, result.body, result.headers);
  }

  #url(rawUrl: string): URL {
    return new URL(rawUrl, 'http://nimbus.local');
  }
}

/** What Node's HTTP parser reports, as the JSON answer every other error gets. */
function clientErrorCode(err: NodeJS.ErrnoException): ErrorCode {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return 'NIMBUS_ERR_HEADERS_TOO_LARGE';
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'NIMBUS_ERR_BODY_TOO_LARGE';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'NIMBUS_ERR_REQUEST_TIMEOUT';
    default:
      return 'NIMBUS_ERR_REQUEST_MALFORMED';
  }
}

/**
 * Replaces Node's bare 400/408/431 answers to requests it could not parse
 * (garbage, headers past the limit, a request that never finished arriving)
 * with a JSON error body, then closes the connection: after a parse error
 * nothing more on it can be trusted.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // A response already under way on this connection cannot be followed by another.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  answerOnSocket(socket, new NimbusError(clientErrorCode(err)));
}

/** Writes one JSON error answer straight to a connection no ServerResponse owns, and closes it. */
function answerOnSocket(socket: Duplex, error: NimbusError): void {
  const body = JSON.stringify(error.toJSON());
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}\r\n` +
    'content-type: application/json; charset=utf-8\r\n' +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'connection: close\r\n\r\n' +
    body,
  );
  // Written to the kernel (a few hundred bytes): nothing else is owed to this connection.
  socket.once('finish', () => socket.destroy());
}
