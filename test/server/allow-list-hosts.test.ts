import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import { checkAllowListHosts, type HostLookup } from '../../src/server/allow-list-hosts.js';
import { resolveSettings } from '../../src/triggers/function-settings.js';
import type { FunctionManifest } from '../../src/store/store.js';
import { admin } from '../helpers/admin-client.js';
import { startTestNode, type TestNode } from '../helpers/test-node.js';

/** RFC 6761: names under .invalid never resolve. */
const MISSING_HOST = 'nimbus-deploy-check.invalid';
/** Found in every /etc/hosts (matched without regard to case), yet not the `localhost` an allow list treats as the host loopback. */
const RESOLVING_HOST = 'LOCALHOST';

const fn = (name: string, allow: string[]): FunctionManifest => ({
  name, kind: 'http', settings: resolveSettings('http', { network: { allow } }), trigger: { route: null, auth: 'anonymous' },
});

/** Whether this machine's resolver answers "no such name" for .invalid (it may be unreachable in a closed sandbox). */
async function resolverAnswers(): Promise<string | false> {
  try {
    await lookup(MISSING_HOST, { family: 4 });
    return `${MISSING_HOST} resolves here`;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'ENOTFOUND' ? false : `the resolver does not answer for ${MISSING_HOST} here (${code})`;
  }
}

describe('allow-listed host names are checked at deploy', () => {
  test('a name the resolver says does not exist refuses the deploy, naming the function and host', async () => {
    const missing: HostLookup = async () => { throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' }); };
    await assert.rejects(checkAllowListHosts([fn('checkout', ['api.shop.example:443'])], { lookup: missing }), (error: { code: string; status: number; message: string; details: unknown }) => {
      assert.equal(error.code, 'NIMBUS_ERR_DEPLOY_UNRESOLVABLE_HOST');
      assert.equal(error.status, 400);
      assert.match(error.message, /api\.shop\.example .*function checkout/);
      assert.deepEqual(error.details, { function: 'checkout', host: 'api.shop.example' });
      return true;
    });
    const noAddresses: HostLookup = async () => [];
    await assert.rejects(checkAllowListHosts([fn('a', ['v6only.example:443'])], { lookup: noAddresses }), { code: 'NIMBUS_ERR_DEPLOY_UNRESOLVABLE_HOST' });
  });

  test('a resolver that fails or does not answer only warns; names that resolve pass quietly', async () => {
    const flaky: HostLookup = async (host) => {
      if (host === 'flaky.example') throw Object.assign(new Error('try again'), { code: 'EAI_AGAIN' });
      if (host === 'ok.example') return ['192.0.2.10'];
      return new Promise(() => {});
    };
    const warnings = await checkAllowListHosts(
      [fn('a', ['flaky.example:443', 'ok.example:443', '10.0.0.0/8']), fn('b', ['silent.example:5432', 'flaky.example:443'])],
      { lookup: flaky, timeoutMs: 50 },
    );
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0]!, /^flaky\.example \(network\.allow of functions a, b\) could not be checked: the resolver answered EAI_AGAIN/);
    assert.match(warnings[1]!, /^silent\.example \(network\.allow of function b\) could not be checked: no answer within 50 ms/);
  });

  test('the whole check is bounded: names still waiting for a lookup when the budget runs out are reported unchecked', async () => {
    const never: HostLookup = () => new Promise(() => {});
    const hosts = ['h1.example:1', 'h2.example:1', 'h3.example:1'];
    const warnings = await checkAllowListHosts([fn('slow', hosts)], { lookup: never, timeoutMs: 1_000, budgetMs: 50 });
    assert.equal(warnings.length, 3);
    assert.ok(warnings.some((w) => w.includes('ran out of time')), warnings.join('\n'));
  });

  test('entries that are not allow-list syntax are refused at deploy, naming the entry', async () => {
    await assert.rejects(checkAllowListHosts([fn('a', ['ok.example:443', 'no port here'])]), (error: { code: string; message: string }) => {
      assert.equal(error.code, 'NIMBUS_ERR_DEPLOY_INVALID_DEFINITION');
      assert.match(error.message, /a\.network\.allow\[1\]/);
      return true;
    });
  });

  test('functions without an allow list ask nothing of the resolver', async () => {
    const untouchable: HostLookup = async () => { throw new Error('must not be called'); };
    assert.deepEqual(await checkAllowListHosts([fn('a', ['127.0.0.1:5432', 'localhost:80', '192.0.2.1:443'])], { lookup: untouchable }), []);
  });
});

describe('deploying with allow-listed host names, on a real node and resolver', async () => {
  const skip = await resolverAnswers();
  let node: TestNode;
  before(async () => { if (!skip) node = await startTestNode(); });
  after(async () => { await node?.dispose(); });

  const app = (host: string) => `
import { http } from 'nimbus-functions';
export const plain = http({ route: 'GET /plain' }, () => 'ok');
export const calls = http({ route: 'GET /calls', network: { allow: ['${host}:443'] } }, () => 'ok');
`;

  test(`a name under .invalid refuses the deploy with a 400 and creates no version`, { skip }, async () => {
    const res = await node.deploy('resolving', { 'index.ts': app(MISSING_HOST) });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'NIMBUS_ERR_DEPLOY_UNRESOLVABLE_HOST');
    assert.match(res.body.error.message, new RegExp(`${MISSING_HOST.replace(/\./g, '\\.')} .*function calls`));
    assert.equal(res.body.error.host, MISSING_HOST);
    assert.equal((await admin(node, 'GET', '/apps/resolving')).status, 404, 'nothing was deployed');
  });

  test('a name that resolves deploys, with no warnings', { skip }, async () => {
    const res = await node.deploy('resolving', { 'index.ts': app(RESOLVING_HOST) });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.warnings, []);
  });
});
