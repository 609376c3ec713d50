import type { MappedFunction, UnsupportedItem } from '../app-format.js';
import { nimbusCron } from './cron.js';
import { nimbusRoute } from './route-pattern.js';
import { WranglerFields } from './wrangler-fields.js';

/** One Nimbus function the Worker becomes, all wrapping the same module. */
export type PlannedFunction =
  | { name: string; kind: 'fetch'; settings: { route?: string }; functionPath: boolean; optional: boolean }
  | { name: string; kind: 'queue'; settings: Record<string, unknown> }
  | { name: string; kind: 'scheduled'; settings: { cron: string }; cron: string };

export interface ProducerPlan {
  queue: string;
  deliveryDelay?: number;
}

export interface WorkerPlan {
  appName?: string;
  main: string;
  vars: Record<string, unknown>;
  producers: Record<string, ProducerPlan>;
  buckets: Record<string, string>;
  functions: PlannedFunction[];
  mapped: MappedFunction[];
  unsupported: UnsupportedItem[];
}

/** Bindings and features Nimbus has no counterpart for, with the reason the deploy output gives. */
const UNSUPPORTED_KEYS: Record<string, string> = {
  kv_namespaces: 'Nimbus has no key-value store binding (Workers KV); keep the data in a blob bucket or your own database',
  d1_databases: 'Nimbus has no SQL database binding (D1)',
  durable_objects: 'Nimbus has no Durable Objects (single-instance stateful actors)',
  migrations: 'Durable Object migrations have nothing to migrate on Nimbus',
  services: 'service bindings call another Worker in-process; call its Nimbus HTTP route instead',
  ai: 'Nimbus has no Workers AI binding',
  vectorize: 'Nimbus has no vector index binding',
  hyperdrive: 'Nimbus has no database connection pooler binding (Hyperdrive)',
  analytics_engine_datasets: 'Nimbus has no Analytics Engine binding; Nimbus meters invocations itself',
  browser: 'Nimbus has no Browser Rendering binding',
  dispatch_namespaces: 'Nimbus has no Workers for Platforms dispatch',
  workflows: 'Nimbus has no Workflows binding',
  send_email: 'Nimbus has no email sending binding',
  tail_consumers: 'Nimbus has no tail Workers; read logs with `nimbus logs`',
  mtls_certificates: 'Nimbus has no mTLS certificate binding',
  pipelines: 'Nimbus has no Pipelines binding',
  images: 'Nimbus has no Images binding',
  secrets_store_secrets: 'Nimbus has no Secrets Store binding; set the value with `nimbus secrets set` and read it from env',
  containers: 'Nimbus runs no containers beside a function',
  assets: 'Nimbus does not serve a Worker\'s static assets',
  site: 'Nimbus does not serve Workers Sites',
  unsafe: '"unsafe" bindings are Cloudflare-internal',
};

const MAX_BATCH_SIZE = 100;
const MAX_BATCH_TIMEOUT_S = 60;
const MAX_RETRIES = 100;
const MAX_DELAY_S = 43_200;

/** How a wrangler file maps onto Nimbus functions; `file` names it in errors. */
export function planWorker(config: Record<string, unknown>, file: string): WorkerPlan {
  const f: WranglerFields = new WranglerFields(file);
  const main = f.string(config['main'], 'main');
  if (main === undefined) f.fail('main', 'is missing: it names the Worker\'s module (main = "src/index.ts")');
  const unsupported: UnsupportedItem[] = [];
  for (const [key, reason] of Object.entries(UNSUPPORTED_KEYS)) {
    if (present(config[key])) unsupported.push({ what: key, reason });
  }
  const limits = f.table(config['limits'], 'limits');
  if (limits?.['cpu_ms'] !== undefined) unsupported.push({ what: 'limits.cpu_ms', reason: 'Nimbus limits an invocation\'s wall-clock time (timeoutMs, 30 s by default), not its CPU time' });

  const vars = { ...(f.table(config['vars'], 'vars') ?? {}) };
  const producers: Record<string, ProducerPlan> = {};
  const buckets: Record<string, string> = {};
  const functions: PlannedFunction[] = [];
  const mapped: WorkerPlan['mapped'] = [];
  const names = new Set<string>();
  const claim = (wanted: string): string => {
    let name = wanted;
    for (let n = 2; names.has(name); n++) name = `${wanted}_${n}`;
    names.add(name);
    return name;
  };

  // fetch: one function per distinct route, or one reached at /fn/<app>/fetch when the Worker has no routes.
  const routes = routePatterns(config, f);
  const byRoute = new Map<string, string>();
  for (const { pattern, path } of routes) {
    let nimbus: { route: string; note?: string };
    try {
      nimbus = nimbusRoute(pattern);
    } catch (err) {
      unsupported.push({ what: `${path} (${pattern})`, reason: (err as Error).message });
      continue;
    }
    let name = byRoute.get(nimbus.route);
    if (name === undefined) {
      name = claim('fetch');
      byRoute.set(nimbus.route, name);
      functions.push({ name, kind: 'fetch', settings: { route: nimbus.route }, functionPath: false, optional: false });
    }
    mapped.push({ name, from: `${path} ${pattern}`, to: `http ${nimbus.route}${nimbus.note ? ` (${nimbus.note})` : ''}` });
  }
  if (routes.length === 0) {
    const workersDev = f.boolean(config['workers_dev'], 'workers_dev') ?? true;
    const name = claim('fetch');
    functions.push({ name, kind: 'fetch', settings: {}, functionPath: true, optional: true });
    mapped.push({
      name,
      from: workersDev ? 'fetch() on workers.dev' : 'fetch() (workers_dev = false, no routes)',
      to: `http /fn/<app>/${name}/* (when the module has fetch)`,
    });
  }

  const queues = f.table(config['queues'], 'queues');
  for (const p of f.tables(queues?.['producers'], 'queues.producers', (t, path) => ({
    binding: f.string(t['binding'], `${path}.binding`) ?? f.fail(`${path}.binding`, 'is missing'),
    queue: f.string(t['queue'], `${path}.queue`) ?? f.fail(`${path}.queue`, 'is missing'),
    deliveryDelay: f.number(t['delivery_delay'], `${path}.delivery_delay`, 0, MAX_DELAY_S),
  }))) {
    producers[p.binding] = p.deliveryDelay === undefined ? { queue: p.queue } : { queue: p.queue, deliveryDelay: p.deliveryDelay };
  }
  for (const c of f.tables(queues?.['consumers'], 'queues.consumers', (t, path) => ({ t, path }))) {
    const { t, path } = c;
    const queue = f.string(t['queue'], `${path}.queue`) ?? f.fail(`${path}.queue`, 'is missing');
    if (t['type'] === 'http_pull') {
      unsupported.push({ what: `${path} (${queue}, http_pull)`, reason: 'pull consumers fetch messages over Cloudflare\'s HTTP API; read them with a Nimbus queue function or the queues API' });
      continue;
    }
    const batchSize = f.number(t['max_batch_size'], `${path}.max_batch_size`, 1, MAX_BATCH_SIZE) ?? 10;
    const timeout = f.number(t['max_batch_timeout'], `${path}.max_batch_timeout`, 0, MAX_BATCH_TIMEOUT_S) ?? 5;
    const retries = f.number(t['max_retries'], `${path}.max_retries`, 0, MAX_RETRIES) ?? 3;
    const dlq = f.string(t['dead_letter_queue'], `${path}.dead_letter_queue`);
    const concurrency = f.number(t['max_concurrency'], `${path}.max_concurrency`, 1, 250);
    const retryDelay = f.number(t['retry_delay'], `${path}.retry_delay`, 0, MAX_DELAY_S);
    const settings: Record<string, unknown> = { queue, batchSize, maxBatchWaitMs: Math.round(timeout * 1000), maxAttempts: retries + 1 };
    if (dlq !== undefined) settings['deadLetterQueue'] = dlq;
    if (concurrency !== undefined) settings['maxConcurrency'] = Math.round(concurrency);
    if (retryDelay !== undefined) settings['backoff'] = { initialMs: retryDelay * 1000, maxMs: retryDelay * 1000 };
    const name = claim(`queue_${identifierPart(queue)}`);
    functions.push({ name, kind: 'queue', settings });
    mapped.push({
      name,
      from: `queues.consumers ${queue}`,
      to: `queue ${queue} (batch ${batchSize}, wait ${timeout} s, ${retries + 1} attempts, dead letters to ${dlq ?? `${queue}.dlq`})`,
    });
  }

  const r2 = f.tables(config['r2_buckets'], 'r2_buckets', (t, path) => ({
    binding: f.string(t['binding'], `${path}.binding`) ?? f.fail(`${path}.binding`, 'is missing'),
    bucket: f.string(t['bucket_name'], `${path}.bucket_name`) ?? f.fail(`${path}.bucket_name`, 'is missing'),
    jurisdiction: t['jurisdiction'],
    path,
  }));
  for (const b of r2) {
    buckets[b.binding] = b.bucket;
    if (b.jurisdiction !== undefined) unsupported.push({ what: `${b.path}.jurisdiction`, reason: 'Nimbus stores blobs where its node (or its S3 store) is; there are no jurisdictions' });
  }

  const triggers = f.table(config['triggers'], 'triggers');
  const crons = (f.array(triggers?.['crons'], 'triggers.crons') ?? []).map((c, i) => f.string(c, `triggers.crons[${i}]`)!);
  crons.forEach((cron, i) => {
    let translated: string;
    try {
      translated = nimbusCron(cron);
    } catch (err) {
      unsupported.push({ what: `triggers.crons[${i}]`, reason: (err as Error).message });
      return;
    }
    const name = claim(crons.length === 1 ? 'scheduled' : `scheduled_${i + 1}`);
    functions.push({ name, kind: 'scheduled', settings: { cron: translated }, cron });
    mapped.push({ name, from: `triggers.crons "${cron}"`, to: `timer ${translated} (UTC)` });
  });

  const appName = f.string(config['name'], 'name');
  return { ...(appName !== undefined ? { appName } : {}), main, vars, producers, buckets, functions, mapped, unsupported };
}

/** `routes` (a list of patterns or { pattern, zone_name, custom_domain } tables) and `route` (one). */
function routePatterns(config: Record<string, unknown>, f: WranglerFields): { pattern: string; path: string }[] {
  const one = (value: unknown, path: string): { pattern: string; path: string } => {
    if (typeof value === 'string') return { pattern: f.string(value, path)!, path };
    const t = f.table(value, path)!;
    return { pattern: f.string(t['pattern'], `${path}.pattern`) ?? f.fail(`${path}.pattern`, 'is missing'), path };
  };
  const list = (f.array(config['routes'], 'routes') ?? []).map((r, i) => one(r, `routes[${i}]`));
  if (config['route'] !== undefined) list.push(one(config['route'], 'route'));
  return list;
}

function present(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** A queue name as part of a function name: `image-jobs` → `image_jobs`. */
function identifierPart(name: string): string {
  return name.replace(/[^A-Za-z0-9_$]/g, '_').slice(0, 80);
}
