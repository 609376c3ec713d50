import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvocationFailure, type Invocation } from '../../../src/runtime/invocation.js';
import { FrameReader } from '../../../src/runtime/instance/frame-reader.js';
import { FRAME } from '../../../src/runtime/instance/protocol.js';
import { Instance } from '../../../src/runtime/pool/instance.js';
import { ProcessSandboxDriver } from '../../../src/runtime/sandbox/process/process-driver.js';
import { bundleFiles } from '../../helpers/bundle.js';

/** The bundled runtime (npm run build), with the warm-up bundle beside it. */
const INSTANCE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'instance.mjs');

const DEPLOYED_APP = `
import { http } from 'nimbus-functions';
export const probe = http({ route: 'GET /probe' }, () => ({ from: 'deployed', env: { ...process.env } }));
`;

function get(id: string): Invocation {
  return { id, app: 'a', functionName: 'probe', trigger: 'http', head: { method: 'GET', url: 'http://x/probe', headers: [] }, body: new Uint8Array(0) };
}

async function json(instance: Instance, id: string): Promise<unknown> {
  const { response } = instance.invoke(get(id), Date.now() + 10_000);
  const { body } = await response;
  assert.ok(Buffer.isBuffer(body), 'a small answer arrives whole');
  return JSON.parse(body.toString('utf8'));
}

/**
 * While it boots, an instance runs a whole cold start of the warm-up bundle
 * through its own frame handler (LOAD, then an INVOKE waiting for it) into a
 * muted channel, so the real cold start runs code that has run before.
 */
describe('instance boot: the warm-up cold start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-boot-warmup-'));
  const driver = new ProcessSandboxDriver({ instanceScript: INSTANCE_SCRIPT, bundlesDir: dir });
  const sentBeforeReady: number[] = [];
  let instance: Instance;

  before(async () => {
    const sandbox = await driver.spawn({ memoryMb: 128 });
    let booted = false;
    const reader = new FrameReader((type) => {
      if (type === FRAME.READY) booted = true;
      else if (!booted) sentBeforeReady.push(type);
    });
    sandbox.channel.on('data', (chunk: Buffer) => reader.push(chunk));
    instance = new Instance(sandbox, () => {});
    instance.assignment = { app: 'a', version: 1, functionName: 'probe' };
    await instance.ready();
  });

  after(async () => {
    instance.kill('crashed', 'test over');
    await instance.exited;
    await driver.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the host hears READY and nothing of the warm-up: no LOADED, no answer, no log', () => {
    assert.deepEqual(sentBeforeReady, []);
    assert.equal(instance.state, 'starting', 'the instance was not stopped for a protocol violation');
  });

  test('the warm-up leaves no function behind: an invocation before LOAD fails', async () => {
    const { response } = instance.invoke(get('before-load'), Date.now() + 10_000);
    await assert.rejects(response, (err: unknown) => err instanceof InvocationFailure && /no function loaded/.test(err.message));
  });

  test('LOAD then serves the deployed bundle, with exactly the env it was given', async () => {
    const { bundle } = await bundleFiles(join(dir, 'app'), { 'index.ts': DEPLOYED_APP });
    const bundlePath = join(dir, 'deployed.mjs');
    writeFileSync(bundlePath, bundle);
    const loaded = await instance.load({ app: 'a', version: 1, functionName: 'probe', bundlePath, env: { ONLY: 'this' } });
    assert.deepEqual(loaded.functions.map((f) => f.name), ['probe']);
    assert.deepEqual(await json(instance, 'after-load'), { from: 'deployed', env: { ONLY: 'this' } });
  });
});
