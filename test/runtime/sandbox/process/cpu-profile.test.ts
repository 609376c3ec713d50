import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createPlatformLogger } from '../../../../src/metering/platform-logger.js';
import { FrameReader } from '../../../../src/runtime/instance/frame-reader.js';
import { FRAME } from '../../../../src/runtime/instance/protocol.js';
import type { Sandbox } from '../../../../src/runtime/sandbox/driver.js';
import { ProcessSandboxDriver } from '../../../../src/runtime/sandbox/process/process-driver.js';
import { instanceScriptPath } from '../../../../src/server/node.js';
import { selectDriver } from '../../../../src/server/select-driver.js';
import { makeTempDir } from '../../../helpers/temp-dir.js';

/** The instance runtime says READY once booted: only then is its SIGUSR2 handler sure to be in place. */
function ready(sandbox: Sandbox): Promise<void> {
  return new Promise((resolve) => {
    const reader = new FrameReader((type) => { if (type === FRAME.READY) resolve(); });
    sandbox.channel.on('data', (chunk: Buffer) => reader.push(chunk));
  });
}

describe('instance CPU profiles (for the http-profile bench)', () => {
  const temp = makeTempDir();
  after(() => temp.remove());

  it('a profiled instance writes its profile when sent SIGUSR2, and exits cleanly', async () => {
    const profileDir = join(temp.dir, 'profiles');
    const driver = new ProcessSandboxDriver({ instanceScript: instanceScriptPath(), bundlesDir: temp.dir, cpuProfileDir: profileDir });
    const sandbox = await driver.spawn({ memoryMb: 128 });
    await ready(sandbox);
    process.kill(sandbox.pid, 'SIGUSR2');
    const exit = await sandbox.exited;
    assert.equal(exit.code, 0);
    const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
    assert.equal(files.length, 1);
    const profile = JSON.parse(readFileSync(join(profileDir, files[0]!), 'utf8')) as { nodes: unknown[] };
    assert.ok(profile.nodes.length > 0);
  });

  it('is refused for strict isolation, whose sandboxes cannot write it', async () => {
    await assert.rejects(
      selectDriver({ isolation: 'strict', instanceScript: instanceScriptPath(), bundlesDir: temp.dir, nodeId: 'test', log: createPlatformLogger('silent'), cpuProfileDir: temp.dir }),
      /only taken under isolation "basic"/,
    );
  });
});
