import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { BubblewrapDriver } from '../../../../src/runtime/sandbox/bubblewrap/bubblewrap-driver.js';
import type { NetworkPolicy } from '../../../../src/sdk/settings.js';
import type { ProbeAnswer } from '../probe-instance.js';
import { SandboxFixture, type StartedSandbox } from '../sandbox-fixture.js';
import { strictSkipReason } from '../strict-requirements.js';
import { OUTSIDE_ANSWER, OUTSIDE_PORT, OUTSIDE_PRIVATE, OUTSIDE_PUBLIC, OutsideHost } from './outside-host.js';

const HOST_ANSWER = 'host service';

function listen(host: string): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.end(HOST_ANSWER));
    server.listen(0, host, () => resolve(server));
  });
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Refused at once (a TCP reset or no route), never left to time out. */
function assertRefused(answer: ProbeAnswer): void {
  assert.equal(answer.ok, false, `expected a refusal, got ${JSON.stringify(answer)}`);
  const code = (answer as { code: string }).code;
  assert.ok(['ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'EACCES'].includes(code), `refused with ${code}`);
}

/**
 * What a strict sandbox can reach on the network, per policy. The "outside
 * world" is a network namespace on this machine; no packet leaves it.
 */
describe('bubblewrap sandbox: network policy', { skip: await strictSkipReason() }, () => {
  let fixture: SandboxFixture;
  let driver: BubblewrapDriver;
  let outside: OutsideHost;
  let loopbackService: Server;
  let anyAddressService: Server;
  const hostAddress = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;

  const start = (network: NetworkPolicy): Promise<StartedSandbox> => fixture.start(driver, { network });
  const connect = (sandbox: StartedSandbox, host: string, port: number): Promise<ProbeAnswer> =>
    sandbox.probe('connect', { host, port, timeoutMs: 3000 });

  before(async () => {
    fixture = await SandboxFixture.create();
    outside = await OutsideHost.create();
    loopbackService = await listen('127.0.0.1');
    anyAddressService = await listen('0.0.0.0');
    driver = await BubblewrapDriver.create({ instanceScript: fixture.instanceScript, dnsServers: [] });
  });
  after(async () => {
    await driver?.dispose();
    loopbackService?.close();
    anyAddressService?.close();
    await outside?.close();
    await fixture?.close();
  });

  it("'outbound' reaches outside hosts through the host (masquerade)", async () => {
    const sandbox = await start('outbound');
    assert.deepEqual(await connect(sandbox, OUTSIDE_PUBLIC, OUTSIDE_PORT), { ok: true, value: OUTSIDE_ANSWER });
  });

  it("'outbound' refuses private ranges with a reset", async () => {
    const sandbox = await start('outbound');
    assertRefused(await connect(sandbox, OUTSIDE_PRIVATE, OUTSIDE_PORT));
  });

  it("'outbound' cannot reach the host's loopback or the host's own addresses", async () => {
    const sandbox = await start('outbound');
    assertRefused(await connect(sandbox, '127.0.0.1', portOf(loopbackService)));
    assertRefused(await connect(sandbox, '127.0.0.1', portOf(anyAddressService)));
    const [ownAddress] = ((await sandbox.probe('addresses')) as { value: string[] }).value;
    const hostEnd = ownAddress!.replace(/\.(\d+)$/, (_, last: string) => `.${Number(last) - 1}`);
    assertRefused(await connect(sandbox, hostEnd, portOf(anyAddressService)));
    if (hostAddress) assertRefused(await connect(sandbox, hostAddress, portOf(anyAddressService)));
  });

  it('cannot reach another sandbox', async () => {
    const listener = await start('outbound');
    const [listenerAddress] = ((await listener.probe('addresses')) as { value: string[] }).value;
    await listener.probe('listen', { port: 7000 });
    const other = await start('outbound');
    assertRefused(await connect(other, listenerAddress!, 7000));
  });

  it('has no IPv6 to reach anything with', async () => {
    const sandbox = await start('outbound');
    assertRefused(await connect(sandbox, '::1', portOf(anyAddressService)));
    assertRefused(await connect(sandbox, 'fd00::2', portOf(anyAddressService)));
  });

  it("'none' connects nowhere", async () => {
    const sandbox = await start('none');
    assertRefused(await connect(sandbox, OUTSIDE_PUBLIC, OUTSIDE_PORT));
    assertRefused(await connect(sandbox, '127.0.0.1', portOf(loopbackService)));
  });

  it('an allow list reaches a listed 127.0.0.1:PORT on the host, and nothing unlisted', async () => {
    const sandbox = await start({ allow: [`127.0.0.1:${portOf(loopbackService)}`] });
    assert.deepEqual(await connect(sandbox, '127.0.0.1', portOf(loopbackService)), { ok: true, value: HOST_ANSWER });
    assertRefused(await connect(sandbox, '127.0.0.1', portOf(anyAddressService)));
    assertRefused(await connect(sandbox, OUTSIDE_PUBLIC, OUTSIDE_PORT));
  });

  it('an allow list reaches listed hosts and CIDRs, private ones included, and nothing else', async () => {
    const sandbox = await start({ allow: [`${OUTSIDE_PUBLIC}:${OUTSIDE_PORT}`] });
    assert.deepEqual(await connect(sandbox, OUTSIDE_PUBLIC, OUTSIDE_PORT), { ok: true, value: OUTSIDE_ANSWER });
    assertRefused(await connect(sandbox, OUTSIDE_PRIVATE, OUTSIDE_PORT));
    const privateAllowed = await start({ allow: ['192.168.251.0/24'] });
    assert.deepEqual(await connect(privateAllowed, OUTSIDE_PRIVATE, OUTSIDE_PORT), { ok: true, value: OUTSIDE_ANSWER });
    assertRefused(await connect(privateAllowed, OUTSIDE_PUBLIC, OUTSIDE_PORT));
  });
});
