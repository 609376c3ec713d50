import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NimbusClient } from '../../src/sdk/client/index.js';
import { asyncQueueName } from '../../src/triggers/queue/async-invocations.js';
import { admin, eventually } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

/** Every function answers with what it was given: its URL and headers. */
const app = (holdUrl: string) => `
import { http } from 'nimbus-functions';
const seen = (req) => ({ url: req.url, headers: [...req.headers] });
export const open = http({ route: 'GET /open' }, seen);
export const guarded = http({ route: 'POST /guarded', auth: 'key' }, seen);
export const held = http({ route: 'POST /held', auth: 'key' }, async (req) => {
  await fetch(${JSON.stringify(holdUrl)});
  return seen(req);
});
`;

interface Seen {
  url: string;
  headers: [string, string][];
}

/** What a function saw carries none of `secrets`, no x-nimbus-key header and no key parameter. */
function assertClean(seen: Seen, secrets: string[], what: string): void {
  const text = JSON.stringify(seen);
  for (const secret of secrets) assert.ok(!text.includes(secret), `${what}: the function saw a credential: ${text}`);
  assert.ok(!seen.headers.some(([name]) => name === 'x-nimbus-key'), `${what}: x-nimbus-key arrived`);
  assert.equal(new URL(seen.url).searchParams.has('key'), false, `${what}: ?key= arrived in ${seen.url}`);
}

/** Holds each request until released: a function waiting on it keeps its async message in the queue. */
class HoldServer {
  readonly #server: Server;
  readonly #held: ServerResponse[] = [];
  #arrived: (() => void) | undefined;
  url = '';

  constructor() {
    this.#server = createServer((_, res) => {
      this.#held.push(res);
      this.#arrived?.();
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hold`;
  }

  /** Resolves once a request is being held. */
  arrival(): Promise<void> {
    return this.#held.length > 0 ? Promise.resolve() : new Promise((resolve) => (this.#arrived = resolve));
  }

  release(): void {
    for (const res of this.#held.splice(0)) res.end('ok');
  }

  close(): void {
    this.release();
    this.#server.close();
  }
}

describe('a function never sees the credentials its caller gave Nimbus', () => {
  let node: TestNode;
  let hold: HoldServer;
  const keys: Record<'app' | 'fn' | 'adminScoped' | 'producer', string> = { app: '', fn: '', adminScoped: '', producer: '' };
  let secrets: string[] = [];

  before(async () => {
    hold = new HoldServer();
    await hold.listen();
    node = await startTestNode();
    const deployed = await node.deploy('creds', { 'index.ts': app(hold.url) });
    assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
    const create = async (scope: unknown) => ((await admin(node, 'POST', '/keys', { scope })).body as { key: string }).key;
    keys.app = await create({ kind: 'function', app: 'creds' });
    keys.fn = await create({ kind: 'function', app: 'creds', fn: 'guarded' });
    keys.adminScoped = await create({ kind: 'admin' });
    keys.producer = await create({ kind: 'producer', queues: ['orders'] });
    secrets = [node.adminKey, ...Object.values(keys)];
  });
  after(async () => {
    hold?.close();
    await node?.dispose();
  });

  /** Each way a caller may present a key that lets it call `guarded`. */
  const forms = (): { name: string; headers: Record<string, string>; query: string }[] => [
    { name: 'admin key as Bearer', headers: { authorization: `Bearer ${node.adminKey}` }, query: '' },
    { name: 'admin key in x-nimbus-key', headers: { 'x-nimbus-key': node.adminKey }, query: '' },
    { name: 'admin key in ?key=', headers: {}, query: `?key=${encodeURIComponent(node.adminKey)}&page=2` },
    { name: 'app key as Bearer', headers: { authorization: `Bearer ${keys.app}` }, query: '' },
    { name: 'function key in x-nimbus-key', headers: { 'x-nimbus-key': keys.fn }, query: '?page=2' },
    { name: 'function key in ?key=', headers: {}, query: `?page=2&key=${encodeURIComponent(keys.fn)}` },
    { name: 'admin-scoped key as Bearer', headers: { authorization: `Bearer ${keys.adminScoped}` }, query: '' },
  ];

  test('a route that needs a key, and /fn/<app>/<fn>', async () => {
    for (const path of ['/guarded', '/fn/creds/guarded']) {
      for (const form of forms()) {
        const res = await fetch(`${node.url}${path}${form.query}`, { method: 'POST', headers: { ...form.headers, 'x-caller-own': 'kept' } });
        assert.equal(res.status, 200, `${path} ${form.name}`);
        const seen = (await res.json()) as Seen;
        assertClean(seen, secrets, `${path} ${form.name}`);
        assert.ok(seen.headers.some(([name, value]) => name === 'x-caller-own' && value === 'kept'), 'other headers arrive');
        if (form.query.includes('page=2')) assert.equal(new URL(seen.url).searchParams.get('page'), '2', 'other parameters arrive');
      }
    }
  });

  test('the admin invoke endpoint, however the admin key is sent', async () => {
    const invoke = `${node.url}/_nimbus/api/v1/apps/creds/functions/guarded/invoke`;
    const ways: Record<string, string>[] = [{ authorization: `Bearer ${node.adminKey}` }, { 'x-nimbus-key': node.adminKey }, { authorization: `Bearer ${keys.adminScoped}` }];
    for (const headers of ways) {
      const res = await fetch(`${invoke}?key=${encodeURIComponent(node.adminKey)}`, { method: 'POST', headers });
      assert.equal(res.status, 200);
      assertClean((await res.json()) as Seen, secrets, `admin invoke with ${Object.keys(headers)[0]}`);
    }
    const client = new NimbusClient({ url: node.url, key: node.adminKey });
    assertClean((await (await client.invoke('creds/guarded', { a: 1 })).json()) as Seen, secrets, 'NimbusClient.invoke');
  });

  test('an anonymous route: Nimbus keys are removed in every form, the function’s own credentials arrive', async () => {
    const anonymousForms: { headers: Record<string, string>; query: string }[] = [
      { headers: { authorization: `Bearer ${keys.producer}` }, query: '' },
      { headers: { authorization: `Bearer ${node.adminKey}` }, query: '' },
      { headers: { 'x-nimbus-key': keys.fn }, query: '' },
      { headers: {}, query: `?key=${encodeURIComponent(keys.producer)}` },
      { headers: {}, query: `?key=${encodeURIComponent(node.adminKey)}` },
    ];
    for (const form of anonymousForms) {
      const res = await fetch(`${node.url}/open${form.query}`, { headers: form.headers });
      assert.equal(res.status, 200);
      assertClean((await res.json()) as Seen, secrets, `anonymous ${JSON.stringify(form)}`);
    }
    const own = await fetch(`${node.url}/open?key=maps-api-key&q=cats`, { headers: { authorization: 'Bearer the-functions-own-token' } });
    const seen = (await own.json()) as Seen;
    assert.ok(seen.headers.some(([name, value]) => name === 'authorization' && value === 'Bearer the-functions-own-token'), JSON.stringify(seen));
    assert.equal(new URL(seen.url).search, '?key=maps-api-key&q=cats');
  });

  /** Waits for an async invocation to succeed and returns what its function saw. */
  async function asyncResult(invocationId: string): Promise<Seen> {
    let body = '';
    await eventually(async () => {
      const record = await admin(node, 'GET', `/invocations/${invocationId}`);
      if (record.body?.state !== 'succeeded') return false;
      body = Buffer.from(record.body.bodyBase64 as string, 'base64').toString('utf8');
      return true;
    }, 20_000, `async invocation ${invocationId}`);
    return JSON.parse(body) as Seen;
  }

  test('async invocations: what is stored and what the function sees carry no key; so does NimbusClient.invokeAsync', async () => {
    const ids: [string, string][] = [];
    for (const form of forms()) {
      const res = await fetch(`${node.url}/guarded${form.query}`, { method: 'POST', headers: { ...form.headers, 'x-nimbus-async': '1' }, body: 'x' });
      assert.equal(res.status, 202, form.name);
      ids.push([form.name, ((await res.json()) as { invocationId: string }).invocationId]);
    }
    const client = new NimbusClient({ url: node.url, key: keys.fn });
    ids.push(['NimbusClient.invokeAsync', (await client.invokeAsync('creds/guarded', { a: 1 })).invocationId]);
    for (const [name, id] of ids) assertClean(await asyncResult(id), secrets, `async ${name}`);
  });

  test('a queued async invocation, peeked while it runs, holds no key', async () => {
    const arrived = hold.arrival();
    const res = await fetch(`${node.url}/held?key=${encodeURIComponent(keys.app)}`, {
      method: 'POST', headers: { 'x-nimbus-async': '1', 'x-nimbus-key': keys.app, authorization: `Bearer ${keys.app}` }, body: 'x',
    });
    assert.equal(res.status, 202);
    const { invocationId } = (await res.json()) as { invocationId: string };
    await arrived;
    const peeked = await admin(node, 'GET', `/queues/${asyncQueueName('creds', 'held')}/messages`);
    assert.equal(peeked.status, 200);
    assert.equal(peeked.body.messages.length, 1, JSON.stringify(peeked.body));
    const stored = peeked.body.messages[0].body as Seen;
    assert.match(stored.url, /\/held$/);
    assertClean(stored, secrets, 'the stored async request');
    hold.release();
    assertClean(await asyncResult(invocationId), secrets, 'the held function');
  });

  test('no file in the data folder contains a key a caller sent', () => {
    const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
    for (const path of files(node.dataDir)) {
      const bytes = readFileSync(path);
      for (const secret of secrets) assert.ok(!bytes.includes(secret), `${path} holds a caller's key`);
    }
  });
});
