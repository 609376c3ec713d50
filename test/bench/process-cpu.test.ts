import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { descendantsCpuMs } from '../../bench/support/process-cpu.js';

/** Burns 150 ms of its own CPU time, says so, then idles until killed. */
const BURN = `const s = process.cpuUsage(); while (process.cpuUsage(s).user + process.cpuUsage(s).system < 150000) {} console.log('burned'); setInterval(() => {}, 1000);`;

test('CPU of a grandchild counts toward its ancestors, and not when its subtree is left out', async () => {
  // A child that starts a grandchild and passes its output on: the shape of bwrap running an instance.
  const child = spawn(process.execPath, ['-e', `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(BURN)}], { stdio: 'inherit' }); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    while (!out.includes('burned')) out += (await once(child.stdout, 'data'))[0];
    const all = descendantsCpuMs(process.pid, new Set());
    const without = descendantsCpuMs(process.pid, new Set([child.pid!]));
    // /proc counts in 10 ms ticks: 150 ms burned shows as at least 140.
    assert.ok(all >= 140, `all descendants: ${all} ms`);
    assert.ok(all - without >= 140, `left out: ${all - without} ms of ${all}`);
  } finally {
    // Killing the child does not end the grandchild: both are ended by pid.
    const grandchildren = descendantPids(child.pid!);
    child.kill('SIGKILL');
    for (const pid of grandchildren) process.kill(pid, 'SIGKILL');
  }
});

function descendantPids(pid: number): number[] {
  const found: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean)) found.push(Number(child));
  }
  return found;
}
