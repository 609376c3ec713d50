import { spawn, type ChildProcess } from 'node:child_process';
import { runCommand } from '../../../../src/runtime/sandbox/network/run-command.js';

/** Documentation ranges (RFC 5737), routed only to the test namespace: nothing real is shadowed or reached. */
export const OUTSIDE_PUBLIC = '198.51.100.2';
const OUTSIDE_HOST_END = '198.51.100.1';
/** A "private network" host, as a single /32 route to the same namespace. */
export const OUTSIDE_PRIVATE = '192.168.251.2';
export const OUTSIDE_PORT = 7070;
export const OUTSIDE_ANSWER = 'outside';

/**
 * A stand-in for the internet and a private network: a network namespace
 * on this machine, wired to the host by a veth pair, with a TCP server that
 * answers "outside" on both addresses.
 */
export class OutsideHost {
  private constructor(readonly netns: string, readonly hostIface: string, readonly server: ChildProcess) {}

  static async create(): Promise<OutsideHost> {
    const netns = `nimbus-test-outside-${process.pid}`;
    const hostIface = `nto${process.pid}`.slice(0, 15);
    await runCommand('ip', ['netns', 'add', netns]);
    try {
      await runCommand('ip', ['-batch', '-'], [
        `link add ${hostIface} type veth peer name outside netns ${netns}`,
        `addr add ${OUTSIDE_HOST_END}/30 dev ${hostIface}`,
        `link set ${hostIface} up`,
        `route add ${OUTSIDE_PRIVATE}/32 via ${OUTSIDE_PUBLIC} dev ${hostIface}`,
      ].join('\n') + '\n');
      await runCommand('ip', ['-n', netns, '-batch', '-'], [
        `addr add ${OUTSIDE_PUBLIC}/30 dev outside`,
        `addr add ${OUTSIDE_PRIVATE}/32 dev outside`,
        'link set outside up',
        'link set lo up',
        `route add default via ${OUTSIDE_HOST_END}`,
      ].join('\n') + '\n');
      const server = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e',
        `require('net').createServer((s) => s.end('${OUTSIDE_ANSWER}')).listen(${OUTSIDE_PORT}, '0.0.0.0', () => console.log('listening'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        server.stdout!.once('data', () => resolve());
        server.once('exit', (code) => reject(new Error(`outside server exited ${code}`)));
      });
      return new OutsideHost(netns, hostIface, server);
    } catch (error) {
      await runCommand('ip', ['netns', 'delete', netns]).catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.server.kill('SIGKILL');
    await new Promise((resolve) => this.server.once('exit', resolve));
    await runCommand('ip', ['netns', 'delete', this.netns]).catch(() => undefined);
    await runCommand('ip', ['link', 'del', this.hostIface]).catch(() => undefined);
  }
}
