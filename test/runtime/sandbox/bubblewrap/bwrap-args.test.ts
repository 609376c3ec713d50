import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bwrapArgs, type BwrapPlan } from '../../../../src/runtime/sandbox/bubblewrap/bwrap-args.js';
import { BWRAP_ARGS_FD, encodeBwrapArgs, LAUNCH_SPAWN_OPTIONS, launchCommand, resolveLaunchTools } from '../../../../src/runtime/sandbox/bubblewrap/launcher.js';

const plan: BwrapPlan = {
  systemBinds: [{ source: '/usr/bin/node', target: '/usr/bin/node' }],
  instanceScript: '/state/runtime/instance.mjs',
  appDir: '/state/sb1/app',
  etcDir: '/state/etc',
  tmpBytes: 1024,
  unshareNet: false,
  env: { HOME: '/tmp' },
  nodePath: '/usr/bin/node',
  nodeArgs: ['--max-old-space-size=96'],
};

/** Pairs "--flag value" following each occurrence of a flag. */
function valuesOf(args: string[], flag: string, width = 1): string[][] {
  return args.flatMap((arg, i) => (arg === flag ? [args.slice(i + 1, i + 1 + width)] : []));
}

describe('bubblewrap command line', () => {
  const { options: args, command } = bwrapArgs(plan);

  it('unshares every namespace, runs as 65534 with no capabilities and no nested user namespaces', () => {
    for (const flag of ['--unshare-user', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--die-with-parent', '--new-session', '--clearenv', '--disable-userns']) {
      assert.ok(args.includes(flag), flag);
    }
    assert.deepEqual(valuesOf(args, '--uid'), [['65534']]);
    assert.deepEqual(valuesOf(args, '--cap-drop'), [['ALL']]);
  });

  it('stays in the network slot it was started in, or unshares an empty one', () => {
    assert.ok(!args.includes('--unshare-net'));
    assert.ok(bwrapArgs({ ...plan, unshareNet: true }).options.includes('--unshare-net'));
  });

  it('binds only node, the runtime’s own folder, this sandbox’s /app and Nimbus’s /etc, all read-only', () => {
    assert.deepEqual(valuesOf(args, '--bind', 2), []);
    assert.deepEqual(valuesOf(args, '--ro-bind', 2), [
      ['/usr/bin/node', '/usr/bin/node'],
      ['/state/runtime', '/nimbus'],
      ['/state/sb1/app', '/app'],
      ['/state/etc', '/etc'],
    ]);
  });

  it('caps /tmp, remounts the root read-only, sets only the given environment, then runs node on the runtime', () => {
    assert.deepEqual(valuesOf(args, '--size'), [['1024']]);
    assert.deepEqual(valuesOf(args, '--remount-ro'), [['/']]);
    assert.deepEqual(valuesOf(args, '--setenv', 2), [['HOME', '/tmp']]);
    assert.deepEqual(command, ['/usr/bin/node', '--max-old-space-size=96', '/nimbus/instance.mjs']);
    assert.ok(!command.some((arg) => arg.startsWith('/state')), 'no host path in the command line');
  });
});

describe('sandbox launcher', () => {
  const tools = { bwrap: '/usr/bin/bwrap', nsenter: '/usr/bin/nsenter', setpriv: '/usr/bin/setpriv' };

  it('joins the cgroups and disables core dumps before entering the slot, dropping root and exec-ing bwrap', () => {
    const command = launchCommand({
      cgroupProcsFiles: ['/sys/fs/cgroup/memory/nimbus/n/sb1/cgroup.procs', '/sys/fs/cgroup/pids/nimbus/n/sb1/cgroup.procs'],
      netnsPath: '/run/netns/nimbus-slot-1',
      dropPrivileges: true,
      tools,
      command: ['/usr/bin/node', '/nimbus/instance.mjs'],
    });
    assert.equal(command.file, '/bin/sh');
    const script = command.args[1]!;
    const order = ['unset PWD', 'echo $$ > /sys/fs/cgroup/memory', 'echo $$ > /sys/fs/cgroup/pids', 'ulimit -c 0', 'exec /usr/bin/nsenter --net=/run/netns/nimbus-slot-1', '/usr/bin/setpriv --reuid=65534', `/usr/bin/bwrap --args ${BWRAP_ARGS_FD} "$@"`];
    const positions = order.map((part) => script.indexOf(part));
    assert.ok(positions.every((at) => at >= 0), script);
    assert.deepEqual([...positions].sort((a, b) => a - b), positions);
    assert.deepEqual(command.args.slice(2), ['nimbus-sandbox', '/usr/bin/node', '/nimbus/instance.mjs']);
  });

  it('as an ordinary user, starts bwrap directly', () => {
    const command = launchCommand({ cgroupProcsFiles: [], dropPrivileges: false, tools, command: ['node'] });
    assert.ok(!command.args[1]!.includes('setpriv'));
    assert.ok(!command.args[1]!.includes('nsenter'));
  });

  it('hands bwrap its options NUL-separated, never on a command line, and spawns with nothing of the host', () => {
    const { options: args } = bwrapArgs(plan);
    assert.deepEqual(encodeBwrapArgs(args).toString('utf8').split('\0'), [...args, '']);
    assert.throws(() => encodeBwrapArgs(['--setenv', 'A', 'x\0y']), /NUL/);
    assert.deepEqual(LAUNCH_SPAWN_OPTIONS, { env: {}, cwd: '/' });
  });

  it('finds its tools in the system folders, and leaves a path it was given alone', () => {
    const found = resolveLaunchTools('/opt/bwrap');
    assert.equal(found.bwrap, '/opt/bwrap');
    for (const path of [found.nsenter, found.setpriv]) assert.ok(path === 'nsenter' || path === 'setpriv' || path.startsWith('/'), path);
  });
});
